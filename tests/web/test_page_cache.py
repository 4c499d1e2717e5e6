"""Finished public pages sent to cookie-less visitors before Flask dispatches (page_cache.py):
no request, no SQL statement beyond the page's version, no template; a change seen at once;
nobody with a cookie served from it; nothing kept that sets a cookie; a bounded number kept.
"""

import gzip

import pytest
from flask import request_started, template_rendered
from sqlalchemy import event
from sqlmodel import select

from consult.db import get_session
from consult.site.page_cache import FinishedPage, FinishedPages
from tests.conftest import signed_in_client
from tests.fakes.content import write_post

KEPT_PAGES = ["/", "/blog/", "/blog/public-one/", "/blog/tag/listening/", "/feed.xml"]
KEPT_PAGES += ["/sitemap.xml", "/blog/search?q=listening", "/book/"]


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
    return site.test_client(use_cookies=False)


@pytest.fixture
def work(site):
    """What each request does inside the app: Flask requests started, templates, SQL sent."""
    done: dict[str, list[str]] = {"requests": [], "templates": [], "statements": []}
    request_started.connect(lambda _app, **_: done["requests"].append("started"), site, weak=False)
    template_rendered.connect(
        lambda _app, template, **_: done["templates"].append(template.name), site, weak=False
    )

    def record(_connection, _cursor, statement, *_arguments):
        if statement.strip().upper() != "BEGIN":  # SQLite's own
            done["statements"].append(statement)

    event.listen(site.extensions["consult.engine"], "before_cursor_execute", record)
    yield done
    event.remove(site.extensions["consult.engine"], "before_cursor_execute", record)


def forget(work):
    for done in work.values():
        done.clear()


@pytest.mark.parametrize("path", KEPT_PAGES)
def test_a_second_anonymous_request_is_sent_without_dispatching_rendering_or_querying(
    visitor, work, path
):
    first = visitor.get(path)
    assert first.status_code == 200 and work["templates"], path
    forget(work)
    second = visitor.get(path)
    assert work["requests"] == [] and work["templates"] == []
    assert work["statements"] == []  # /book/'s version is its tables' change counters
    assert second.status_code == 200 and second.get_data() == first.get_data()
    assert sorted(second.headers.items()) == sorted(first.headers.items())
    assert "Content-Security-Policy" in second.headers
    assert "public" in second.headers["Cache-Control"]


def test_head_is_sent_from_the_kept_page_without_a_body(visitor, work):
    page = visitor.get("/blog/")
    forget(work)
    head = visitor.head("/blog/")
    assert work["requests"] == [] and head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == page.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(page.get_data()))


def test_revalidation_still_answers_304(visitor):
    etag = visitor.get("/blog/public-one/").headers["ETag"]
    assert visitor.get("/blog/public-one/", headers={"If-None-Match": etag}).status_code == 304


def test_a_changed_post_is_seen_at_once(site, visitor, work, content_dir):
    site.extensions["consult.blog"].check_interval = 0  # see file changes at once
    before = visitor.get("/blog/public-one/")
    write_post(content_dir / "posts", "public-one", "2026-11-10 09:00", body="Said anew.")
    after = visitor.get("/blog/public-one/")
    assert "Said anew." in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]
    forget(work)
    assert visitor.get("/blog/public-one/").get_data() == after.get_data()
    assert work["templates"] == []


def test_changed_consultation_types_are_seen_at_once(site, visitor):
    from consult.booking.models import ConsultationType

    visitor.get("/book/")
    with site.app_context():
        session = get_session()
        for consultation_type in session.exec(select(ConsultationType)).all():
            consultation_type.name = consultation_type.name + " (renamed)"
        session.commit()
    assert "(renamed)" in visitor.get("/book/").get_data(as_text=True)


def test_a_signed_in_visitor_never_gets_the_kept_page(site, visitor, work, make_user):
    anonymous = visitor.get("/blog/")
    member = signed_in_client(site, make_user(role="client", name="Robin Kept-Out"))
    forget(work)
    theirs = member.get("/blog/")
    assert work["requests"] and "Robin Kept-Out" in theirs.get_data(as_text=True)
    assert theirs.headers["Cache-Control"] == "no-store"
    assert theirs.get_data() != anonymous.get_data()


def test_any_cookie_goes_through_the_app(visitor, work):
    visitor.get("/blog/")
    forget(work)
    visitor.get("/blog/", headers={"Cookie": "someone=else"})
    assert work["requests"] == ["started"]


def test_an_answer_that_sets_a_cookie_is_never_kept(site, visitor, work):
    @site.after_request
    def mark_the_visitor(response):  # what a careless extension might do
        response.set_cookie("seen", "yes")
        return response

    for _ in range(2):
        answer = visitor.get("/blog/")
        assert "seen=yes" in answer.headers["Set-Cookie"]
    assert work["requests"] == ["started", "started"]
    assert len(site.page_cache.pages) == 0


def test_errors_and_redirects_are_not_kept(site, visitor, work):
    for _ in range(2):
        assert visitor.get("/blog/no-such-post/").status_code == 404
        assert visitor.get("/blog").status_code == 308
    assert len(work["requests"]) == 4 and len(site.page_cache.pages) == 0


def test_the_kept_pages_stay_bounded_under_many_query_strings(site, visitor, work):
    pages = site.page_cache.pages
    pages.max_pages = 8
    for number in range(30):
        assert visitor.get(f"/blog/search?q=word{number}").status_code == 200
    assert len(pages) == 8
    forget(work)
    visitor.get("/blog/search?q=word29")  # among the most recent: still kept
    assert work["requests"] == []
    visitor.get("/blog/search?q=word0")  # the least recent: dropped, rendered again
    assert work["requests"] == ["started"] and len(pages) == 8


def test_behind_a_proxy_each_scheme_keeps_its_own_page(make_app, content_dir):
    """The scheme the trusted proxy forwards is part of the key: only https sends HSTS."""
    proxied = make_app(CONTENT_DIR=str(content_dir), TRUSTED_PROXY_COUNT="1")
    visitor = proxied.test_client(use_cookies=False)
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    for _ in range(2):
        assert "Strict-Transport-Security" in visitor.get("/blog/", headers=https).headers
        plain = visitor.get("/blog/", headers={"X-Forwarded-For": "198.51.100.7"})
        assert "Strict-Transport-Security" not in plain.headers
    assert len(proxied.page_cache.pages) == 2


def test_a_version_that_cannot_be_read_leaves_the_answer_to_the_app(
    site, visitor, work, monkeypatch
):
    """/book/'s version is its tables' change counters: while they cannot be read, Flask renders
    the page each time and no one keeps it.
    """
    visitor.get("/book/")
    visitor.get("/book/")
    counters = site.extensions["consult.change_counters"]
    monkeypatch.setattr(site.page_cache, "pages", FinishedPages())

    def unreachable(_tables):
        raise ConnectionRefusedError("the store does not answer")

    with monkeypatch.context() as broken:
        broken.setattr(counters, "read", unreachable)
        forget(work)
        answer = visitor.get("/book/")
    assert work["requests"] == ["started"] and work["templates"] and answer.status_code == 200
    assert "public" not in answer.headers.get("Cache-Control", "")
    again = visitor.get("/book/")
    assert again.status_code == 200 and "public" in again.headers["Cache-Control"]


def test_the_kept_pages_stay_within_their_bytes_too():
    pages = FinishedPages(max_pages=10, max_bytes=10)
    for name in ("a", "b", "c"):
        pages.put(("blog.index", "http", name), FinishedPage("200 OK", [], b"1234"))
    assert len(pages) == 2 and pages.get(("blog.index", "http", "a")) is None
    assert pages.get(("blog.index", "http", "c")) is not None


GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.mark.parametrize("path", ["/feed.xml", "/blog/", "/blog/public-one/", "/book/"])
def test_a_visitor_who_accepts_gzip_gets_the_kept_page_compressed(visitor, work, path):
    plain = visitor.get(path)
    forget(work)
    compressed = visitor.get(path, headers=GZIP)
    assert work["requests"] == []
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.get_data()) == plain.get_data()
    assert compressed.headers["Content-Length"] == str(len(compressed.get_data()))
    assert compressed.headers["ETag"] == f"W/{plain.headers['ETag']}"
    for answer in (plain, compressed):
        assert {"Cookie", "Accept-Encoding"} <= {
            name.strip() for name in answer.headers["Vary"].split(",")
        }
    assert compressed.headers["Content-Type"] == plain.headers["Content-Type"]
    head = visitor.head(path, headers=GZIP)
    assert head.get_data() == b"" and head.headers["Content-Length"] == str(
        len(compressed.get_data())
    )
    again = visitor.get(path, headers={**GZIP, "If-None-Match": compressed.headers["ETag"]})
    assert again.status_code == 304  # either copy's ETag revalidates


@pytest.mark.parametrize(
    "accepted", ["", "identity", "gzip;q=0", "br", "deflate, gzip;q=0, *;q=0.5"]
)
def test_a_visitor_who_does_not_accept_gzip_gets_the_page_as_it_is(visitor, accepted):
    first = visitor.get("/feed.xml")
    again = visitor.get("/feed.xml", headers={"Accept-Encoding": accepted})
    assert "Content-Encoding" not in again.headers and again.get_data() == first.get_data()


def test_a_small_page_is_not_compressed(visitor):
    visitor.get("/robots.txt")
    small = visitor.get("/robots.txt", headers=GZIP)
    assert small.status_code == 200 and "Content-Encoding" not in small.headers
