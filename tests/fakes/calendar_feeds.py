"""iCalendar feeds for the tests, and a local HTTP server that serves them as a calendar host would.

The server honours If-None-Match and If-Modified-Since with 304, and can be slow, drip its
answer, fail, redirect, or serve garbage, per path.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def vevent(*lines: str) -> str:
    """A VEVENT with the given content lines (a DTSTAMP is added, as RFC 5545 asks)."""
    return "\r\n".join(["BEGIN:VEVENT", "DTSTAMP:20261101T000000Z", *lines, "END:VEVENT"])


def vcalendar(*components: str, extra: tuple[str, ...] = ()) -> str:
    return (
        "\r\n".join(
            ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//feeds//EN", *extra, *components]
        )
        + "\r\nEND:VCALENDAR\r\n"
    )


# A weekly Thursday meeting 10:00-11:00 in Chicago, from 19 November 2026: the 3 December
# instance is cancelled by EXDATE, the 10 December one moved to Friday 11 December 14:00-15:30.
WEEKLY_MEETING = (
    vevent(
        "UID:weekly-board@example.org",
        "SUMMARY:Board meeting",
        "DTSTART;TZID=America/Chicago:20261119T100000",
        "DTEND;TZID=America/Chicago:20261119T110000",
        "RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=6",
        "EXDATE;TZID=America/Chicago:20261203T100000",
    ),
    vevent(
        "UID:weekly-board@example.org",
        "SUMMARY:Board meeting (moved)",
        "RECURRENCE-ID;TZID=America/Chicago:20261210T100000",
        "DTSTART;TZID=America/Chicago:20261211T140000",
        "DTEND;TZID=America/Chicago:20261211T153000",
    ),
)

VTIMEZONE_BERLIN = "\r\n".join(
    [
        "BEGIN:VTIMEZONE",
        "TZID:Berlin Custom",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "TZNAME:CEST",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "TZNAME:CET",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
)


@dataclass
class ServedFeed:
    """What the server answers on one path."""

    body: str | bytes = ""
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = "text/calendar; charset=utf-8"
    delay_seconds: float = 0.0  # before anything is sent
    drip_seconds: float = 0.0  # between single bytes of the body
    location: str | None = None  # for a redirect
    send_length: bool = True


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """An HTTP server on 127.0.0.1 at a free port, in a thread, serving `feeds` by path."""

    def __init__(self) -> None:
        self.feeds: dict[str, ServedFeed] = {}
        self.requests: list[SeenRequest] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
                server.requests.append(SeenRequest(self.path, dict(self.headers.items())))
                feed = server.feeds.get(self.path)
                if feed is None:
                    self.send_error(404)
                    return
                time.sleep(feed.delay_seconds)
                body = feed.body.encode() if isinstance(feed.body, str) else feed.body
                fresh_etag = feed.etag and self.headers.get("If-None-Match") == feed.etag
                fresh_date = (
                    feed.last_modified
                    and self.headers.get("If-Modified-Since") == feed.last_modified
                )
                status = 304 if feed.status == 200 and (fresh_etag or fresh_date) else feed.status
                self.send_response(status)
                if feed.etag:
                    self.send_header("ETag", feed.etag)
                if feed.last_modified:
                    self.send_header("Last-Modified", feed.last_modified)
                if feed.location:
                    self.send_header("Location", feed.location)
                if status == 304:
                    self.end_headers()
                    return
                self.send_header("Content-Type", feed.content_type)
                if feed.send_length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if feed.drip_seconds:
                        for byte in body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(feed.drip_seconds)
                    else:
                        self.wfile.write(body)
                except OSError:
                    pass  # the client gave up, as it should with a slow feed

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, body: str | bytes = "", **options: object) -> str:
        """Serve `body` (and options such as etag=, status=) at `path`; returns its URL."""
        self.feeds[path] = ServedFeed(body=body, **options)  # type: ignore[arg-type]
        return self.url(path)

    def seen(self, path: str) -> list[SeenRequest]:
        return [request for request in self.requests if request.path == path]

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
