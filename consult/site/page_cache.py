"""Finished public pages, sent to a visitor without any cookie before Flask dispatches at all.

consult.site.caching decides inside Flask that a page is the same bytes for every anonymous
visitor, and its ETag (the page's version, the address, the deploy). Once a page is kept, what
costs most is the request's machinery around it: the request context, the session, the hooks
before and after the view. For a GET or HEAD carrying no cookie and no revalidation, this WSGI
layer in front of Flask matches the address, asks the page its version (in an app context: the
blog's version is in memory, a page of database rows has the change counters of its tables,
mirrored in the worker) and, when it holds the finished answer of that ETag (status, every
header the hooks set, body), sends it as it is. Anything else, and
every miss, goes through Flask; a miss's answer is kept only when Flask made it public for
this very ETag, with status 200, no cookie set and no Vary beyond Cookie and Accept-Encoding;
a visitor who accepts gzip is sent its compressed copy (consult.site.compressed).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from consult.site.caching import PAGE_VERSION_ATTRIBUTE, PageVersion, public_etag
from consult.site.compressed import accepts_gzip, gzip_copy

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

MAX_PAGES = 512  # addresses are the visitors' choice (any query string): the count is bounded
MAX_BYTES = 32 * 1024 * 1024
MAX_PAGE_BYTES = 1024 * 1024
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")

PageKey = tuple[str, str, str]  # endpoint, scheme, ETag (version, host, path and query within)
NOT_KNOWN_YET: PageKey = ("", "", "")  # a page of rows whose version its first render tells


@dataclass(frozen=True)
class FinishedPage:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    compressed: tuple[list[tuple[str, str]], bytes] | None = None  # its gzip copy, if worth it

    @property
    def size(self) -> int:
        return len(self.body) + (len(self.compressed[1]) if self.compressed else 0)


class FinishedPages:
    """The most recently sent finished pages, at most `max_pages` and `max_bytes` of bodies."""

    def __init__(self, max_pages: int = MAX_PAGES, max_bytes: int = MAX_BYTES):
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        self._pages: OrderedDict[PageKey, FinishedPage] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: PageKey) -> FinishedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: PageKey, page: FinishedPage) -> None:
        with self._lock:
            if key in self._pages:
                return
            self._pages[key] = page
            self._size += page.size
            while len(self._pages) > self.max_pages or self._size > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._size -= dropped.size


class PageCache:
    """WSGI middleware: `dispatch` is Flask's own WSGI app, `app` the Flask app it serves."""

    def __init__(self, app: Flask, dispatch: WSGIApplication):
        self.app = app
        self.dispatch = dispatch
        self.pages = FinishedPages()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        key = self._key_or_none(environ)
        if key is None:
            return self.dispatch(environ, start_response)
        if key is NOT_KNOWN_YET:  # a page of rows never rendered here: its render names it
            return self._dispatch_and_keep(
                lambda: self._key_or_none(environ), environ, start_response
            )
        page = self.pages.get(key)
        if page is not None:
            headers, body = page.headers, page.body
            if page.compressed is not None and accepts_gzip(environ):
                headers, body = page.compressed
            start_response(page.status, list(headers))
            return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        if environ["REQUEST_METHOD"] != "GET":
            return self.dispatch(environ, start_response)
        return self._dispatch_and_keep(lambda: key, environ, start_response)

    def _key_or_none(self, environ: WSGIEnvironment) -> PageKey | None:
        try:
            return self._key(environ)
        except Exception:  # e.g. the database is down: Flask answers as ever (a calm 503)
            return None

    def _key(self, environ: WSGIEnvironment) -> PageKey | None:
        """The key of a request this cache may answer: None when it must go through Flask,
        NOT_KNOWN_YET when the page's version is not known before Flask renders it.
        """
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("HTTP_COOKIE"):
            return None
        if any(environ.get(header) for header in CONDITIONAL_HEADERS):
            return None  # Flask answers 304 from the version, before rendering
        try:
            endpoint, _arguments = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:  # no page here, or a redirect to the canonical address
            return None
        view = self.app.view_functions.get(endpoint)
        version: Callable[[], PageVersion | None] | None = getattr(
            view, PAGE_VERSION_ATTRIBUTE, None
        )
        if version is None:
            return None
        request = Request(environ, shallow=True)
        with self.app.app_context():
            page_version = version()
            if page_version is None:  # not known yet: Flask renders it, and learns it
                return NOT_KNOWN_YET
            etag = public_etag(
                page_version,
                host=request.host,
                path=request.path,
                query_string=request.query_string,
            )
        return (str(endpoint), request.scheme, etag)

    def _dispatch_and_keep(
        self,
        key_after: Callable[[], PageKey | None],
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        """Let Flask answer, and keep its answer under the key `key_after` gives once it has:
        only an answer whose ETag is that key's, so made from the very version the key names.
        """
        sent: dict[str, Any] = {}

        def keep_headers(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            sent.update(status=status, headers=headers)
            return start_response(status, headers, *exc_info)

        body = self.dispatch(environ, keep_headers)
        if environ["REQUEST_METHOD"] != "GET" or not sent:
            return body
        key = key_after()
        if key is None or key is NOT_KNOWN_YET:
            return body
        if not _shareable(key[2], sent["status"], sent["headers"]):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        if len(data) <= MAX_PAGE_BYTES:
            headers = list(sent["headers"])
            compressed = gzip_copy(headers, data)
            self.pages.put(key, FinishedPage(sent["status"], headers, data, compressed))
        return [data]


def _shareable(etag: str, status: str, headers: list[tuple[str, str]]) -> bool:
    """Flask made this answer the public copy of `etag`, the same for every cookie-less visitor."""
    names = {name.lower(): value for name, value in headers}
    return (
        status.startswith("200 ")
        and "set-cookie" not in names
        and "content-length" in names  # a whole body, not a stream
        and "public" in names.get("cache-control", "")
        and names.get("etag") == f'"{etag}"'
        and _varies_by_cookie_at_most(names.get("vary", "Cookie"))
    )


def _varies_by_cookie_at_most(vary: str) -> bool:
    """Only the Cookie header (which this cache answers only when absent) and Accept-Encoding
    (which picks the kept copy, compressed or not) may change the answer.
    """
    named = {name.strip().lower() for name in vary.split(",")}
    return "cookie" in named and named <= {"cookie", "accept-encoding"}
