"""The feed fetcher against a local HTTP server: conditional requests, limits of time and size."""

import socket
import time

import pytest

from consult.calendars.fetch import Fetched, FetchFailed, fetch_calendar
from tests.fakes.calendar_feeds import FeedServer, vcalendar

CALENDAR = vcalendar()
LAST_MODIFIED = "Wed, 25 Nov 2026 09:00:00 GMT"


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def fetch(url, *, etag=None, last_modified=None, allow_loopback=True, **limits):
    """The fetcher as local development and the tests run it: the feed server is on loopback."""
    return fetch_calendar(
        url, etag=etag, last_modified=last_modified, allow_loopback=allow_loopback, **limits
    )


def test_a_feed_comes_with_its_validators_and_a_conditional_request_gets_not_modified(server):
    url = server.serve("/cal.ics", CALENDAR, etag='"v1"', last_modified=LAST_MODIFIED)
    assert fetch(url) == Fetched(CALENDAR, '"v1"', LAST_MODIFIED)
    assert "If-None-Match" not in server.seen("/cal.ics")[0].headers
    assert fetch(url, etag='"v1"') == Fetched(None, '"v1"', None)
    assert server.seen("/cal.ics")[1].headers["If-None-Match"] == '"v1"'
    assert fetch(url, last_modified=LAST_MODIFIED).text is None
    assert server.seen("/cal.ics")[2].headers["If-Modified-Since"] == LAST_MODIFIED
    changed = fetch(url, etag='"v0"')
    assert changed.text == CALENDAR and changed.etag == '"v1"'


def test_a_feed_that_does_not_answer_in_time_fails(server):
    url = server.serve("/slow.ics", CALENDAR, delay_seconds=2)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="No answer within 0.3 seconds"):
        fetch(url, timeout_seconds=0.3)
    assert time.monotonic() - started < 1.5


def test_a_feed_that_trickles_in_is_cut_off_at_the_deadline(server):
    url = server.serve("/drip.ics", "x" * 200, drip_seconds=0.05)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="took too long"):
        fetch(url, timeout_seconds=0.5)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("send_length", [True, False])
def test_a_feed_over_the_size_limit_is_refused_with_or_without_a_length(server, send_length):
    url = server.serve("/big.ics", "x" * 300_000, send_length=send_length)
    with pytest.raises(FetchFailed, match="larger than"):
        fetch(url, max_bytes=100_000)
    assert fetch(url, max_bytes=400_000).text == "x" * 300_000


@pytest.mark.parametrize(("status", "said"), [(500, "500"), (404, "404"), (403, "403")])
def test_an_error_answer_fails_with_its_status(server, status, said):
    url = server.serve("/broken.ics", "oops", status=status)
    with pytest.raises(FetchFailed, match=f"answered {said}"):
        fetch(url)


def test_redirects_are_followed_only_to_http(server):
    target = server.serve("/moved.ics", CALENDAR)
    url = server.serve("/old.ics", status=301, location=target)
    assert fetch(url).text == CALENDAR
    to_ftp = server.serve("/ftp.ics", status=302, location="ftp://127.0.0.1/cal.ics")
    with pytest.raises(FetchFailed, match="not http"):
        fetch(to_ftp)
    to_file = server.serve("/file.ics", status=302, location="file:///etc/passwd")
    with pytest.raises(FetchFailed, match="not allowed"):
        fetch(to_file)


def test_an_unreachable_server_and_other_schemes_fail_with_a_reason():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchFailed, match="could not be reached"):
        fetch(f"http://127.0.0.1:{port}/cal.ics")
    with pytest.raises(FetchFailed, match="Only http"):
        fetch("file:///etc/passwd")


def test_the_text_is_decoded_by_its_charset_and_a_byte_order_mark_is_dropped(server):
    latin = server.serve(
        "/latin.ics",
        "SUMMARY:Café".encode("latin-1"),
        content_type="text/calendar; charset=latin-1",
    )
    assert fetch(latin).text == "SUMMARY:Café"
    bom = server.serve("/bom.ics", "\ufeffBEGIN:VCALENDAR".encode())
    assert fetch(bom).text == "BEGIN:VCALENDAR"
    unknown = server.serve(
        "/odd.ics", b"caf\xc3\xa9", content_type="text/calendar; charset=klingon"
    )
    assert fetch(unknown).text == "café"
