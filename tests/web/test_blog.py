"""The blog through the test client, on a content folder made for each test."""

import re
from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import event

from consult.blog import library as library_module
from consult.blog.warming import warm_blog
from tests.conftest import signed_in_client
from tests.fakes.content import write_post

LISTINGS = [
    "/blog/",
    "/blog/tag/listening/",
    "/blog/tag/leadership/",
    "/blog/series/three-steps/",
    "/blog/archive/",
    "/feed.xml",
    "/blog/tag/listening/feed.xml",
    "/sitemap.xml",
    "/blog/search?q=listening",
    "/blog/public-one/",
]


def test_the_blog_lists_public_posts_newest_first(reader):
    html = reader.get("/blog/").get_data(as_text=True)
    assert html.index("Public Two") < html.index("Public One")
    assert 'aria-current="page"' in html and ">Blog<" in html


def test_no_listing_leaks_a_draft_or_a_future_post(reader):
    for path in LISTINGS:
        response = reader.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True).lower()
        assert "secret-draft" not in body and "secret draft" not in body, path
        assert "scheduled-soon" not in body and "scheduled soon" not in body, path
    assert reader.get("/blog/secret-draft/").status_code == 404
    assert reader.get("/blog/scheduled-soon/").status_code == 404


def test_a_post_dated_a_minute_ahead_appears_once_that_minute_has_passed(reader, clock):
    assert reader.get("/blog/scheduled-soon/").status_code == 404
    clock.advance(seconds=59)
    assert reader.get("/blog/scheduled-soon/").status_code == 404
    clock.advance(seconds=1)
    assert reader.get("/blog/scheduled-soon/").status_code == 200
    assert "Scheduled Soon" in reader.get("/blog/").get_data(as_text=True)
    assert "Scheduled Soon" in reader.get("/feed.xml").get_data(as_text=True)


def test_the_post_page_has_everything_a_reader_and_a_search_engine_need(reader):
    html = reader.get("/blog/public-two/").get_data(as_text=True)
    assert "<h1>Public Two</h1>" in html and "1 min read" in html and "17 November 2026" in html
    assert "Believe me first." in html and "a patient advisor" in html
    assert "Three steps, part 2 of 3" in html
    assert (
        'href="/blog/public-one/"' in html
        and "Next part: <time" in html
        and "25 November 2026" in html
    )
    assert "Scheduled Soon" not in html  # the next part's date, not its title
    assert '<link rel="canonical" href="http://consult.test/blog/public-two/">' in html
    assert (
        '<meta property="og:title" content="Public Two">' in html and 'name="twitter:card"' in html
    )
    assert '"@type": "BlogPosting"' in html and '"headline": "Public Two"' in html
    assert "Related posts" in html and "partnership-readiness assessment" in html
    assert html.count('action="/blog/subscribe"') == 1  # after the post, not the footer too


def test_the_consultant_previews_drafts_and_scheduled_posts_with_a_banner(blog_app, make_user):
    consultant = signed_in_client(blog_app, make_user(role="consultant"))
    draft = consultant.get("/blog/secret-draft/")
    assert draft.status_code == 200 and "<strong>Draft.</strong>" in draft.get_data(as_text=True)
    assert "no-store" in draft.headers["Cache-Control"]
    scheduled = consultant.get("/blog/scheduled-soon/").get_data(as_text=True)
    assert "Scheduled for 25 November 2026 at 9:01 AM CST" in scheduled
    client_member = signed_in_client(blog_app, make_user(role="client"))
    assert client_member.get("/blog/secret-draft/").status_code == 404


def test_pages_past_the_last_are_404(reader):
    assert reader.get("/blog/?page=1").status_code == 200
    assert reader.get("/blog/?page=2").status_code == 404
    assert reader.get("/blog/tag/nothing/").status_code == 404
    assert reader.get("/blog/series/nothing/").status_code == 404


def test_posts_and_feeds_answer_revalidation_with_304(reader):
    for path in ["/blog/public-two/", "/feed.xml"]:
        first = reader.get(path)
        assert first.headers["ETag"] and first.headers["Last-Modified"]
        again = reader.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path
        dated = reader.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert dated.status_code == 304, path


def test_the_atom_feed_is_valid_with_absolute_links_and_full_content(reader):
    response = reader.get("/feed.xml")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.title and feed.feed.updated and feed.feed.id
    assert [entry.title for entry in feed.entries] == ["Public Two", "Public One"]
    for entry in feed.entries:
        assert entry.id.startswith("http://consult.test/blog/") and entry.link == entry.id
        assert entry.updated and entry.published and entry.author
    assert "Believe me first." in feed.entries[0].content[0].value
    assert "<p>The body of public-two about listening.</p>" in feed.entries[0].content[0].value
    tag_feed = feedparser.parse(reader.get("/blog/tag/leadership/feed.xml").get_data())
    assert not tag_feed.bozo and len(tag_feed.entries) == 2 and "Leadership" in tag_feed.feed.title


def test_sitemap_and_robots(reader):
    sitemap = reader.get("/sitemap.xml").get_data(as_text=True)
    assert "<loc>http://consult.test/blog/public-one/</loc><lastmod>" in sitemap
    assert (
        "http://consult.test/blog/tag/leadership/" in sitemap
        and "http://consult.test/about/" in sitemap
    )
    robots = reader.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /admin/" in robots and "Sitemap: http://consult.test/sitemap.xml" in robots


def test_an_old_address_redirects_permanently(reader):
    response = reader.get("/2026/11/old-address/")
    assert response.status_code == 301 and response.headers["Location"] == "/blog/public-two/"


def test_search_highlights_and_copes_with_odd_queries(reader):
    html = reader.get("/blog/search?q=listening").get_data(as_text=True)
    assert "<mark>listening</mark>" in html and "Public One" in html
    assert "Type a word or two" in reader.get("/blog/search?q=").get_data(as_text=True)
    assert "longer than any post title" in reader.get("/blog/search?q=" + "x" * 300).get_data(
        as_text=True
    )
    assert "Nothing found" in reader.get("/blog/search?q=zebra").get_data(as_text=True)
    assert reader.get("/blog/search?q=%3Cscript%3E").status_code == 200


def test_media_is_served_with_long_lived_cache_headers(reader, content_dir):
    (content_dir / "media").mkdir()
    (content_dir / "media" / "hands.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    response = reader.get("/media/hands.svg")
    assert response.status_code == 200 and "max-age=31536000" in response.headers["Cache-Control"]
    assert reader.get("/media/../site.yaml").status_code == 404


def test_anonymous_blog_pages_make_no_database_query(blog_app, reader):
    statements = []
    engine = blog_app.extensions["consult.engine"]
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for path in LISTINGS:
        reader.get(path)
    assert statements == []


def test_a_broken_file_is_left_out_and_shown_to_the_consultant_and_by_content_check(
    blog_app, content_dir, make_user
):
    (content_dir / "posts" / "broken.md").write_text(
        "---\ntitle: Broken\ndate: someday\n---\nText.\n"
    )
    (content_dir / "posts" / "no-alt.md").write_text(
        "---\ntitle: Pic\ndate: 2026-01-01\ncover: /media/x.jpg\n---\nText.\n"
    )
    blog_app.extensions["consult.blog"].check_interval = 0
    consultant = signed_in_client(blog_app, make_user(role="consultant"))
    dashboard = consultant.get("/admin/").get_data(as_text=True)
    assert "posts/broken.md:3: date &#39;someday&#39; is not a date" in dashboard
    assert "posts/no-alt.md:4: cover has no alt text" in dashboard
    assert "Secret Draft" in dashboard and "Scheduled Soon" in dashboard
    result = blog_app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "posts/broken.md:3: date 'someday' is not a date" in result.output
    assert "2 problem(s)" in result.output
    assert blog_app.test_client().get("/blog/broken/").status_code == 404


def test_content_check_passes_on_the_shipped_demo_content(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Content is fine: \d+ posts", result.output)


def test_demo_content_has_what_the_practice_promises(app, clock):
    library = app.extensions["consult.blog"].index()
    published_dates = sorted(post.published_at for post in library.posts if not post.draft)
    clock.now = published_dates[-2] + timedelta(
        hours=1
    )  # just after the newest post before the scheduled part
    view = library.public_view(clock())
    assert len(view.posts) >= 6 and len(view.tags) >= 2
    series = [s for s in view.series.values() if s.total_parts == 3]
    assert series and series[0].next_part_at == published_dates[-1]
    assert published_dates[-1] - published_dates[-2] == timedelta(days=7)
    assert any(post.epigraph for post in view.posts)


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The post files parsed from now on (a spy on the library's parser)."""
    parsed: list[str] = []
    real_parse = library_module.parse_post

    def counting_parse(**arguments):
        parsed.append(arguments["file_name"])
        return real_parse(**arguments)

    monkeypatch.setattr(library_module, "parse_post", counting_parse)
    return parsed


def test_the_health_check_never_waits_for_the_posts(reader, parses):
    assert reader.get("/healthz").status_code == 200
    assert parses == []
    assert reader.get("/blog/").status_code == 200
    assert len(parses) == 4


def test_a_warmed_blog_serves_its_pages_and_search_without_reading_a_post(blog_app, parses):
    warm_blog(blog_app)
    parses.clear()
    reader = blog_app.test_client()
    assert "Public One" in reader.get("/blog/search?q=listening").get_data(as_text=True)
    assert reader.get("/blog/public-two/").status_code == 200
    assert parses == []


def test_a_restarted_app_reads_its_posts_from_the_render_cache(make_app, content_dir, parses):
    make_app(CONTENT_DIR=str(content_dir)).test_client().get("/blog/")
    parses.clear()
    restarted = make_app(CONTENT_DIR=str(content_dir)).test_client()
    assert "Public Two" in restarted.get("/blog/").get_data(as_text=True)
    assert parses == []


def test_a_tag_page_shows_ten_posts_a_page_whatever_the_tag_holds(make_app, content_dir):
    for number in range(23):
        write_post(
            content_dir / "posts",
            f"note-{number}",
            f"2026-10-{number + 1:02} 09:00",
            tags=("Care",),
        )
    reader = make_app(CONTENT_DIR=str(content_dir)).test_client()
    first = reader.get("/blog/tag/care/").get_data(as_text=True)
    assert "23 posts" in first and first.count('<li class="post-summary') == 10
    assert "Page 1 of 3" in first and 'href="/blog/tag/care/?page=2"' in first
    assert "Note 22" in first and "Note 12" not in first  # the newest ten
    last = reader.get("/blog/tag/care/?page=3").get_data(as_text=True)
    assert last.count('<li class="post-summary') == 3 and 'href="/blog/tag/care/?page=2"' in last
    assert "<title>Posts tagged Care, page 3" in last
    assert reader.get("/blog/tag/care/?page=4").status_code == 404
    assert reader.get("/blog/tag/care/?page=0").status_code == 404
