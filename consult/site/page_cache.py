"""Finished public pages, sent to a visitor without any cookie before Flask dispatches at all.

consult.site.caching decides inside Flask that a page is the same bytes for every anonymous
visitor, and its ETag (the page's version, the address, the deploy). Once a page is kept, what
costs most is the request's machinery around it: the request context, the session, the hooks
before and after the view. For a GET or HEAD carrying no cookie and no revalidation, this WSGI
layer in front of Flask matches the address, asks the page its version (in an app context: the
blog's version is in memory, /book/'s is one query) and, when it holds the finished answer of
that ETag — status, every header the hooks set, body — sends it as it is. Anything else, and
every miss, goes through Flask; a miss's answer is kept only when Flask made it public for
this very ETag, with status 200, no cookie set and no Vary beyond Cookie.
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

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

MAX_PAGES = 512  # addresses are the visitors' choice (any query string): the count is bounded
MAX_BYTES = 32 * 1024 * 1024
MAX_PAGE_BYTES = 1024 * 1024
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")

PageKey = tuple[str, str, str]  # endpoint, scheme, ETag (version, host, path and query within)


@dataclass(frozen=True)
class FinishedPage:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


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
            self._size += len(page.body)
            while len(self._pages) > self.max_pages or self._size > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._size -= len(dropped.body)


class PageCache:
    """WSGI middleware: `dispatch` is Flask's own WSGI app, `app` the Flask app it serves."""

    def __init__(self, app: Flask, dispatch: WSGIApplication):
        self.app = app
        self.dispatch = dispatch
        self.pages = FinishedPages()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            key = self._key(environ)
        except Exception:  # e.g. the database is down: Flask answers as ever (a calm 503)
            key = None
        if key is None:
            return self.dispatch(environ, start_response)
        page = self.pages.get(key)
        if page is not None:
            start_response(page.status, list(page.headers))
            return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]
        if environ["REQUEST_METHOD"] != "GET":
            return self.dispatch(environ, start_response)
        return self._dispatch_and_keep(key, environ, start_response)

    def _key(self, environ: WSGIEnvironment) -> PageKey | None:
        """The key of a request this cache may answer: None when it must go through Flask."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("HTTP_COOKIE"):
            return None
        if any(environ.get(header) for header in CONDITIONAL_HEADERS):
            return None  # Flask answers 304 from the version, before rendering
        try:
            endpoint, _arguments = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:  # no page here, or a redirect to the canonical address
            return None
        view = self.app.view_functions.get(endpoint)
        version: Callable[[], PageVersion] | None = getattr(view, PAGE_VERSION_ATTRIBUTE, None)
        if version is None:
            return None
        request = Request(environ, shallow=True)
        with self.app.app_context():
            etag = public_etag(
                version(), host=request.host, path=request.path, query_string=request.query_string
            )
        return (str(endpoint), request.scheme, etag)

    def _dispatch_and_keep(
        self, key: PageKey, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        sent: dict[str, Any] = {}

        def keep_headers(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            sent.update(status=status, headers=headers)
            return start_response(status, headers, *exc_info)

        body = self.dispatch(environ, keep_headers)
        if not sent or not _shareable(key[2], sent["status"], sent["headers"]):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        if len(data) <= MAX_PAGE_BYTES:
            self.pages.put(key, FinishedPage(sent["status"], list(sent["headers"]), data))
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
        and names.get("vary", "Cookie").strip().lower() == "cookie"
    )
