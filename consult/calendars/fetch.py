"""Fetching a calendar feed over http(s): public hosts only, a time limit, a size limit and
conditional requests.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Protocol
from urllib.parse import urlsplit

from consult.calendars.addresses import FeedAddressError
from consult.calendars.public_network import public_handlers

TIMEOUT_SECONDS = 10.0
MAX_BYTES = 5 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
USER_AGENT = "consult-calendar-sync/1 (+busy times for the booking page)"


class FetchFailed(Exception):
    """The feed could not be fetched; the message says why, for the admin page."""


@dataclass(frozen=True)
class Fetched:
    """A fetch's answer: the new text, or None when the server says the stored copy is current."""

    text: str | None
    etag: str | None = None
    last_modified: str | None = None


class Fetcher(Protocol):
    def __call__(self, url: str, *, etag: str | None, last_modified: str | None) -> Fetched: ...


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): a feed must not lead the server to ftp: or file:."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FetchFailed(f"The feed redirected to an address that is not http(s): {code}.")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _validator(headers: Message, name: str, limit: int) -> str | None:
    value = (headers.get(name) or "").strip()
    return value if value and len(value) <= limit else None


def _read_limited(response: http.client.HTTPResponse, *, deadline: float, max_bytes: int) -> bytes:
    """The body, refused past `max_bytes` or past the deadline however slowly it trickles in."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchFailed("The feed took too long to download.")
        chunk = response.read1(CHUNK_BYTES)  # what has arrived: a trickle cannot hold the loop
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailed(f"The feed is larger than {max_bytes // (1024 * 1024)} MB.")
        chunks.append(chunk)


def fetch_calendar(
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    timeout_seconds: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
    allow_loopback: bool = False,
) -> Fetched:
    """GET the feed, conditionally when validators are given; raise FetchFailed on any failure.

    A 304 answer returns `Fetched(None, …)`: the caller keeps its stored copy. The time limit
    covers connecting and each read, and the whole download must finish within it too. Every
    connection, redirects included, goes to a public address only (calendars/public_network.py);
    `allow_loopback` (never in production) lets local development and the tests read a feed
    served on this machine. No proxy from the environment is used.
    """
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FetchFailed("Only http(s) feeds can be fetched.")
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  scheme checked above
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _HttpOnlyRedirects,
        *public_handlers(allow_loopback=allow_loopback),
    )
    deadline = time.monotonic() + timeout_seconds
    try:
        with opener.open(request, timeout=timeout_seconds) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FetchFailed(f"The feed is larger than {max_bytes // (1024 * 1024)} MB.")
            body = _read_limited(response, deadline=deadline, max_bytes=max_bytes)
            charset = response.headers.get_content_charset() or "utf-8"
            answer_headers = response.headers
    except FeedAddressError as error:  # a host that is not (or is no longer) public
        raise FetchFailed(str(error)) from None
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return Fetched(None, etag, last_modified)
        raise FetchFailed(f"The server answered {error.code} {error.reason}.") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError | socket.timeout):
            raise FetchFailed(f"No answer within {timeout_seconds:g} seconds.") from None
        raise FetchFailed(f"The server could not be reached: {error.reason}.") from None
    except TimeoutError:
        raise FetchFailed(f"No answer within {timeout_seconds:g} seconds.") from None
    except (OSError, ValueError, http.client.HTTPException) as error:  # reset, malformed answer
        raise FetchFailed(f"The download failed: {error}.") from None
    try:
        text = body.decode("utf-8-sig" if charset.lower() in ("utf-8", "utf8") else charset)
    except (LookupError, UnicodeDecodeError):
        text = body.decode("utf-8", errors="replace")
    return Fetched(
        text,
        _validator(answer_headers, "ETag", 500),
        _validator(answer_headers, "Last-Modified", 100),
    )
