"""Public pages that caches can keep: same bytes for every anonymous reader, no cookie, a strong
ETag from the page's version, 304 decided before any rendering; static files under hashed URLs.
"""

import re
from pathlib import Path

import pytest
from flask import template_rendered
from sqlalchemy import event
from sqlmodel import select

from consult.db import get_session
from consult.site.static_files import hash_static_folder
from tests.conftest import Auth, signed_in_client
from tests.fakes.content import write_post

PUBLIC_PAGES = [
    "/",
    "/about/",
    "/blog/",
    "/blog/public-one/",
    "/blog/public-two/",
    "/blog/tag/listening/",
    "/blog/series/three-steps/",
    "/blog/archive/",
    "/blog/search?q=listening",
    "/feed.xml",
    "/blog/tag/leadership/feed.xml",
    "/sitemap.xml",
    "/robots.txt",
    "/book/",
]


@pytest.fixture
def site(blog_app):
    """The blog's app with the demo booking calendar, so /book/ lists types."""
    from consult.demo import add_demo_booking_calendar

    with blog_app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    return blog_app


@pytest.fixture
def visitor(site):
    """An anonymous reader whose client keeps no cookies: a cache, or a first visit."""
    return site.test_client(use_cookies=False)


def rendered_templates(app):
    names = []
    template_rendered.connect(
        lambda _sender, template, **_: names.append(template.name), app, weak=False
    )
    return names


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_an_anonymous_reader_gets_a_shared_cacheable_page_and_no_cookie(site, visitor, path):
    first = visitor.get(path)
    second = visitor.get(path)
    assert first.status_code == 200, path
    cache_control = first.headers["Cache-Control"]
    assert "public" in cache_control and "private" not in cache_control
    assert re.search(r"max-age=\d+", cache_control) and "stale-while-revalidate=" in cache_control
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers
    etag = first.headers["ETag"]
    assert not etag.startswith("W/") and etag == second.headers["ETag"]
    assert first.get_data() == second.get_data()
    assert "Cookie" in first.headers.get("Vary", "")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_revalidation_is_answered_304_without_rendering(site, visitor, path):
    etag = visitor.get(path).headers["ETag"]
    rendered = rendered_templates(site)
    again = visitor.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag and "public" in again.headers["Cache-Control"]
    assert "Set-Cookie" not in again.headers
    assert rendered == []
    assert visitor.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_revalidation_of_the_blog_and_book_reads_no_database(site, visitor):
    statements = []
    engine = site.extensions["consult.engine"]
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    etag = visitor.get("/blog/public-one/").headers["ETag"]
    assert visitor.get("/blog/public-one/", headers={"If-None-Match": etag}).status_code == 304
    assert statements == []
    etag = visitor.get("/book/").headers["ETag"]
    statements.clear()
    assert visitor.get("/book/", headers={"If-None-Match": etag}).status_code == 304
    assert [statement for statement in statements if statement != "BEGIN"] == []  # its counters


def test_the_etag_follows_the_content(site, visitor, content_dir, clock):
    site.extensions["consult.blog"].check_interval = 0  # see file changes at once
    pages = ["/blog/", "/blog/public-one/", "/feed.xml", "/sitemap.xml"]
    before = {path: visitor.get(path).headers["ETag"] for path in pages}
    write_post(content_dir / "posts", "public-one", "2026-11-10 09:00", body="A new body.")
    edited = {path: visitor.get(path).headers["ETag"] for path in pages}
    assert all(edited[path] != before[path] for path in pages)
    assert "A new body." in visitor.get("/blog/public-one/").get_data(as_text=True)

    clock.advance(minutes=2)  # scheduled-soon goes live: the listings change
    live = visitor.get("/blog/").headers["ETag"]
    assert live != edited["/blog/"]
    stale = visitor.get("/blog/", headers={"If-None-Match": edited["/blog/"]})
    assert stale.status_code == 200 and "Scheduled Soon" in stale.get_data(as_text=True)


def test_the_book_page_etag_follows_the_consultation_types(site, visitor):
    from consult.booking.models import ConsultationType

    etag = visitor.get("/book/").headers["ETag"]
    with site.app_context():
        session = get_session()
        for consultation_type in session.exec(select(ConsultationType)).all():
            consultation_type.name = consultation_type.name + " (renamed)"
        session.commit()
    again = visitor.get("/book/", headers={"If-None-Match": etag})
    assert again.status_code == 200 and "(renamed)" in again.get_data(as_text=True)
    assert again.headers["ETag"] != etag


def test_each_address_has_its_own_etag(site, visitor):
    etags = {visitor.get(path).headers["ETag"] for path in PUBLIC_PAGES}
    assert len(etags) == len(PUBLIC_PAGES)
    one, two = (visitor.get(f"/blog/search?q={word}").headers["ETag"] for word in ("a", "b"))
    assert one != two


def test_a_signed_in_visitor_gets_a_private_copy(site, make_user):
    member = signed_in_client(site, make_user(role="client", name="Jordan Private"))
    response = member.get("/blog/public-one/")
    assert "Jordan Private" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"  # no cache keeps a person's copy
    anonymous_etag = site.test_client(use_cookies=False).get("/blog/public-one/").headers["ETag"]
    revalidated = member.get("/blog/public-one/", headers={"If-None-Match": anonymous_etag})
    assert revalidated.status_code == 200 and "Jordan Private" in revalidated.get_data(as_text=True)


def test_a_page_showing_a_flashed_message_is_not_shared(site, make_user):
    member = signed_in_client(site, make_user(role="client"))
    assert Auth(member).sign_out().status_code == 302
    home = member.get("/")
    assert "You are signed out." in home.get_data(as_text=True)
    assert "public" not in home.headers["Cache-Control"] and "ETag" not in home.headers


def test_errors_are_not_made_cacheable(visitor):
    response = visitor.get("/blog/no-such-post/")
    assert response.status_code == 404 and "public" not in response.headers.get("Cache-Control", "")
    assert "ETag" not in response.headers


def test_static_urls_carry_the_files_hash_and_are_immutable(site, visitor):
    html = visitor.get("/").get_data(as_text=True)
    hashes = hash_static_folder(Path(site.static_folder))
    match = re.search(r'href="/static/css/site\.css\?v=([0-9a-f]+)"', html)
    assert match and match.group(1) == hashes["css/site.css"]
    hashed = visitor.get(f"/static/css/site.css?v={match.group(1)}")
    cache_control = hashed.headers["Cache-Control"]
    assert "immutable" in cache_control and "max-age=31536000" in cache_control
    assert "public" in cache_control and "Set-Cookie" not in hashed.headers
    for stale in ("/static/css/site.css?v=0123456789ab", "/static/css/site.css"):
        response = visitor.get(stale)
        assert response.status_code == 200 and "immutable" not in response.headers.get(
            "Cache-Control", ""
        )


def test_a_static_file_hash_changes_with_its_content(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.css").write_text("body { color: black }")
    before = hash_static_folder(tmp_path)
    (tmp_path / "css" / "a.css").write_text("body { color: navy }")
    after = hash_static_folder(tmp_path)
    assert set(before) == {"css/a.css"} and before["css/a.css"] != after["css/a.css"]


def test_the_health_check_does_not_wait_for_the_posts(site, visitor):
    def unavailable():
        raise AssertionError("the posts were read")

    site.extensions["consult.blog"].index = unavailable
    assert visitor.get("/healthz").status_code == 200
    assert visitor.get("/book/").status_code == 200


def test_a_page_rendered_once_is_served_from_memory_until_its_version_changes(
    site, visitor, content_dir
):
    site.extensions["consult.blog"].check_interval = 0
    first = visitor.get("/blog/public-one/")
    rendered = rendered_templates(site)
    again = visitor.get("/blog/public-one/")
    assert rendered == [] and again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"] and again.mimetype == "text/html"
    assert visitor.get("/feed.xml").mimetype == "application/atom+xml"
    assert rendered == ["blog/feed.xml"]
    write_post(content_dir / "posts", "public-one", "2026-11-10 09:00", body="Rewritten.")
    changed = visitor.get("/blog/public-one/")
    assert "blog/post.html" in rendered and "Rewritten." in changed.get_data(as_text=True)


def test_a_signed_in_visitor_is_never_served_the_anonymous_copy(site, visitor, make_user):
    visitor.get("/blog/")  # the anonymous copy is now in memory
    member = signed_in_client(site, make_user(role="client", name="Robin Member"))
    assert "Robin Member" in member.get("/blog/").get_data(as_text=True)


def test_signing_in_and_out_makes_the_browser_drop_its_copies(site, make_user):
    user = make_user(role="client")
    client = site.test_client()
    signed_in = Auth(client).sign_in(user.email)
    assert signed_in.status_code == 302 and signed_in.headers["Clear-Site-Data"] == '"cache"'
    assert "Clear-Site-Data" not in client.get("/blog/").headers
    signed_out = Auth(client).sign_out()
    assert signed_out.status_code == 302 and signed_out.headers["Clear-Site-Data"] == '"cache"'


def test_a_message_waiting_for_the_visitor_beats_their_cached_copy(site, make_user):
    client = site.test_client()
    etag = client.get("/").headers["ETag"]
    Auth(client).sign_in(make_user(role="client").email)
    Auth(client).sign_out()
    home = client.get("/", headers={"If-None-Match": etag})
    assert home.status_code == 200 and "You are signed out." in home.get_data(as_text=True)
    assert "public" not in home.headers["Cache-Control"]


def test_a_page_asked_for_on_another_address_is_not_served_from_the_first_ones_copy(client):
    """Locally, links follow the served address: a copy made for one host is not another's."""
    first = client.get("/blog/", base_url="http://127.0.0.1:5000")
    second = client.get("/blog/", base_url="http://localhost:5077")
    assert first.status_code == second.status_code == 200
    assert first.headers["ETag"] != second.headers["ETag"]
