"""Content never takes the site down: a broken file leaves itself out and is reported, nothing else.

The reproduction from issue 9 (an impossible date made every URL answer 500, /healthz included,
and `content check` print a traceback), each kind of content file broken in the ways that once
raised past the loaders, and a hypothesis test that feeds the blog hostile files.
"""

from __future__ import annotations

import pytest

from tests.conftest import signed_in_client
from tests.fakes.content import write_post

PAGES = ["/", "/healthz", "/about/", "/blog/", "/blog/public-one/", "/feed.xml", "/sitemap.xml"]


def assert_the_site_serves(client):
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def check_content(app):
    """`flask content check`: its exit code and output; it must never end in a traceback."""
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_an_impossible_date_leaves_the_post_out_and_the_site_serving(
    blog_app, content_dir, make_user
):
    (content_dir / "posts" / "leap.md").write_text(
        "---\ntitle: Leap\ndate: 2026-02-30\n---\nText.\n"
    )
    blog_app.extensions["consult.blog"].check_interval = 0
    reader = blog_app.test_client()
    assert_the_site_serves(reader)
    assert reader.get("/blog/leap/").status_code == 404
    exit_code, output = check_content(blog_app)
    assert exit_code == 1
    assert "posts/leap.md:3: front matter is not valid YAML ('2026-02-30' cannot be read" in output
    dashboard = signed_in_client(blog_app, make_user(role="consultant")).get("/admin/")
    assert "posts/leap.md:3:" in dashboard.get_data(as_text=True)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"---\ntitle: T\ndate: 2026-01-01\nupdated: 0000-01-01\n---\nx\n", "posts/bad.md:4:"),
        (b"---\ntitle: T\ndate: 9999-12-31 23:59\n---\nx\n", "posts/bad.md:3: date must be"),
        (b"---\ntitle: T\ndate: 0001-01-01\n---\nx\n", "posts/bad.md:3: date must be"),
        (b"---\ntitle: \xff\xfe\ndate: 2026-01-01\n---\n", "posts/bad.md:2: is not UTF-8 text"),
        (b"---\ntitle: T\x00\ndate: 2026-01-01\n---\n", "posts/bad.md:2:"),
        (b"---\ntitle: !!python/object/apply:os.getcwd []\n---\n", "posts/bad.md:2:"),
        (b"---\ntitle: &t T\nsummary: *t\ndate: 2026-01-01\n---\n", "posts/bad.md:3: front"),
        (b"---\ntitle: T\ndate: 2026-01-01\ntags: " + b"[" * 500 + b"]" * 500 + b"\n---\n", "bad"),
        (b"---\ntitle: T\ndate: 2026-01-01\n1: one\n---\n", "unknown front matter field(s): 1"),
        (b"---\ntitle: T\ndate: 2026-01-01\ntags: [\xe6\x97\xa5]\n---\n", "posts/bad.md:4: tags"),
        (b"---\ntitle: T\ndate: 2026-01-01\n---\n" + b"w " * 600_000, "larger than 1 MB"),
        (
            b"---\ntitle: T\ndate: 2026-01-01\nepigraph: {text: E, attribution: [a]}\n---\n",
            ":4: epi",
        ),
    ],
)
def test_any_broken_post_is_its_own_problem(blog_app, content_dir, content, problem):
    (content_dir / "posts" / "bad.md").write_bytes(content)
    blog_app.extensions["consult.blog"].check_interval = 0
    reader = blog_app.test_client()
    assert_the_site_serves(reader)
    assert reader.get("/blog/bad/").status_code == 404
    exit_code, output = check_content(blog_app)
    assert exit_code == 1 and problem in output


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"---\ntitle: About\n---\n\xff\n", "pages/about.md:4: is not UTF-8 text"),
        (b"---\ntitle: [About\n---\nx\n", "pages/about.md:3: front matter is not valid YAML"),
        (b"---\ntitle: About\nwhen: 2026-02-30\n---\nx\n", "pages/about.md:3:"),
        (b"---\nsummary: no title\n---\nx\n", "pages/about.md:1: front matter needs a title"),
    ],
)
def test_a_broken_page_is_404_and_reported_with_file_and_line(
    blog_app, content_dir, content, problem
):
    (content_dir / "pages" / "about.md").write_bytes(content)
    reader = blog_app.test_client()
    assert reader.get("/about/").status_code == 404
    assert reader.get("/").status_code == 200 and reader.get("/healthz").status_code == 200
    exit_code, output = check_content(blog_app)
    assert exit_code == 1 and problem in output


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ((b"phone: null", b"phone: 2026-02-30"), "site.yaml line 20: not valid YAML"),
        ((b"Irons Consulting", b"Irons \xff Consulting"), "site.yaml: is not UTF-8 text"),
        ((b"America/Chicago", b"a" * 300), "not a known time zone"),
        ((b"notice_hours: 48", b"notice_hours: [48]"), "site.yaml: "),
        ((b"notice_hours: 48", b"notice_hours: " + b"9" * 30), "at most 8784"),
    ],
)
def test_site_yaml_broken_after_start_up_is_reported_and_the_site_keeps_its_identity(
    blog_app, content_dir, change, problem
):
    site_yaml = content_dir / "site.yaml"
    site_yaml.write_bytes(site_yaml.read_bytes().replace(*change))
    reader = blog_app.test_client()
    assert_the_site_serves(reader)
    assert "Irons Consulting Group" in reader.get("/").get_data(as_text=True)
    exit_code, output = check_content(blog_app)
    assert exit_code == 1 and problem in output


def test_a_broken_assessment_definition_is_left_out_at_start_up(make_app, content_dir):
    assessments = content_dir / "assessments"
    assessments.mkdir()
    (assessments / "dated.yaml").write_text("key: dated\nversion: 1\nopened: 2026-02-30\n")
    (assessments / "binary.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    app = make_app(CONTENT_DIR=str(content_dir))
    assert app.extensions["consult.assessments"].definitions == {}
    reader = app.test_client()
    assert_the_site_serves(reader)
    exit_code, output = check_content(app)
    assert exit_code == 1
    assert "assessments/dated.yaml: " in output and "line 3: not valid YAML" in output
    assert "assessments/binary.yaml: " in output


def test_health_and_pages_never_wait_on_a_blog_check_under_way(blog_app, content_dir):
    library = blog_app.extensions["consult.blog"]
    reader = blog_app.test_client()
    assert reader.get("/blog/").status_code == 200
    library.check_interval = 0
    write_post(content_dir / "posts", "while-checking", "2026-11-20 09:00")
    with library._lock:  # another request is in the middle of a (slow) check
        assert reader.get("/healthz").status_code == 200
        assert reader.get("/").status_code == 200
        listing = reader.get("/blog/").get_data(as_text=True)  # served as it was
        assert "Public One" in listing and "While Checking" not in listing
    assert "While Checking" in reader.get("/blog/").get_data(as_text=True)


def test_an_alias_never_hides_a_page_of_the_site(blog_app, content_dir):
    write_post(
        content_dir / "posts",
        "hijack",
        "2026-11-20 09:00",
        extra="aliases: [/healthz, /, /about/, /blog/public-one/, /2026/old/]",
    )
    reader = blog_app.test_client()
    assert reader.get("/healthz").get_json() == {"status": "ok"}
    assert_the_site_serves(reader)
    assert reader.get("/blog/public-one/").status_code == 200
    assert reader.get("/2026/old/").headers["Location"] == "/blog/hijack/"
