"""Public pages that browsers and shared caches may keep, revalidated from a version, not a render.

A page marked `@public_page(version)` is, for an anonymous visitor, the same bytes for everyone:
it carries `Cache-Control: public` with a short max-age and stale-while-revalidate, a strong ETag
built from the page's version (what the page shows depends on: the posts' content; for a page
of database rows, the change counters of the tables it reads), the app's own fingerprint
(templates, static files, site identity) and the address. A revalidation whose ETag still
matches is answered 304 before the view runs, so nothing is rendered; and a page whose ETag was
rendered before is served from memory (the same version means the same bytes). A signed-in
visitor sees their own name on every page: theirs stays private (consult.site.kept_pages keeps
some of those per session).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import ParamSpec

from flask import Flask, current_app, g, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user, user_logged_in, user_logged_out
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Response

from consult.clock import app_now
from consult.site.data_versions import DataVersion, data_version, rendering
from consult.site.static_files import static_fingerprint

MAX_AGE_SECONDS = 60
STALE_WHILE_REVALIDATE_SECONDS = 600
PUBLIC_CACHE_CONTROL = (
    f"public, max-age={MAX_AGE_SECONDS}, stale-while-revalidate={STALE_WHILE_REVALIDATE_SECONDS}"
)
FINGERPRINT_KEY = "consult.fingerprint"
RENDERED_KEY = "consult.rendered_pages"
RENDERED_MAX_BYTES = 32 * 1024 * 1024  # per process; the least recently served go first
RENDERED_MAX_PAGE_BYTES = 1024 * 1024
PAGE_VERSION_ATTRIBUTE = "public_page_version"
# Pages of times still free: any cache asks again each time (a 304 from the version is cheap).
REVALIDATED_CACHE_CONTROL = "public, no-cache"

P = ParamSpec("P")


class RenderedPages:
    """Bytes of public pages already rendered, by ETag, within a memory budget (LRU)."""

    def __init__(self, max_bytes: int = RENDERED_MAX_BYTES):
        self.max_bytes = max_bytes
        self._pages: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, etag: str) -> tuple[bytes, str] | None:
        """The body and Content-Type rendered for `etag`, if kept."""
        with self._lock:
            page = self._pages.get(etag)
            if page is not None:
                self._pages.move_to_end(etag)
            return page

    def put(self, etag: str, body: bytes, content_type: str) -> None:
        """Keep a rendered page, dropping the least recently served to stay within budget."""
        if len(body) > RENDERED_MAX_PAGE_BYTES:
            return
        with self._lock:
            if etag in self._pages:
                return
            self._pages[etag] = (body, content_type)
            self._size += len(body)
            while self._size > self.max_bytes:
                _, (dropped, _) = self._pages.popitem(last=False)
                self._size -= len(dropped)


@dataclass(frozen=True)
class PageVersion:
    """What a page's bytes depend on, known before rendering it (`rows`: the version of the
    database rows it shows, for a page that reads them).
    """

    key: str
    last_modified: datetime | None = None
    rows: DataVersion | None = None


class RowsVersion:
    """The version of a public page drawn from database rows: the change counters of the tables
    it reads, and with `per_minute` the minute, for a page of times that pass (the times still
    offered). Called before rendering (None until the page is known), or with what a render drew.
    """

    def __init__(self, page: str, *, per_minute: bool = False):
        self.page = page
        self.per_minute = per_minute

    def __call__(self, rows: DataVersion | None = None) -> PageVersion | None:
        rows = rows or data_version(self.page)
        if rows is None:
            return None
        minute = int(app_now().timestamp() // 60) if self.per_minute else 0
        return PageVersion(f"{rows.key}:{minute}", rows=rows)


def init_app(app: Flask, *, template_folder: Path, identity: object) -> None:
    """Fingerprint what every page's bytes depend on but which changes only with a deploy.

    Every worker computes the same value from the same files, so ETags agree between workers.
    """
    digest = hashlib.sha256()
    digest.update(static_fingerprint(app).encode())
    for path in sorted(template_folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(template_folder).as_posix().encode())
            digest.update(path.read_bytes())
    digest.update(repr(identity).encode())
    digest.update(app.extensions["consult.settings"].site_url.encode())
    app.extensions[FINGERPRINT_KEY] = digest.hexdigest()
    app.extensions[RENDERED_KEY] = RenderedPages()
    _forget_browser_copies_when_the_visitor_changes(app)


def _forget_browser_copies_when_the_visitor_changes(app: Flask) -> None:
    """Signing in or out makes the browser drop its copies of this site's pages.

    A browser keeps an anonymous page for its max-age, and browsers do not reliably tell copies
    apart by cookie (Vary: Cookie): without this, the page after signing out could be the copy
    from before signing in, and the other way round.
    """

    def visitor_changed(_sender: Flask, **_details: object) -> None:
        g.visitor_changed = True

    user_logged_in.connect(visitor_changed, app, weak=False)
    user_logged_out.connect(visitor_changed, app, weak=False)

    @app.after_request
    def clear_browser_cache(response: Response) -> Response:
        if g.pop("visitor_changed", False):
            response.headers["Clear-Site-Data"] = '"cache"'
        return response


def visitor_sees_the_shared_page() -> bool:
    """True for a visitor who sees what everyone sees: not signed in, no message waiting for them.

    A request without any cookie cannot carry a session or a remember-me cookie: it is answered
    without opening the session's user at all.
    """
    if not request.cookies:
        return True
    return not current_user.is_authenticated and "_flashes" not in session


def public_etag(version: PageVersion, *, host: str, path: str, query_string: bytes) -> str:
    """The ETag of a public page at this address and version, in the app's context."""
    parts = (
        current_app.extensions[FINGERPRINT_KEY],
        version.key,
        str(app_now().year),  # the footer's copyright year
        host,  # locally, absolute links follow the address the page was asked for
        path,
        query_string.decode("latin-1"),
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _etag(version: PageVersion) -> str:
    return public_etag(
        version, host=request.host, path=request.path, query_string=request.query_string
    )


def _make_public(
    response: Response, etag: str, version: PageVersion, cache_control: str
) -> Response:
    headers = response.headers
    headers["ETag"] = f'"{etag}"'
    if version.last_modified is not None:
        response.last_modified = version.last_modified
    headers["Cache-Control"] = cache_control
    response.vary.add("Cookie")  # a signed-in visitor's copy differs: caches must tell them apart
    response.vary.add("Accept-Encoding")  # a visitor who accepts gzip may get the compressed copy
    return response


def _make_private(response: Response) -> Response:
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


def _keep_public(
    response: Response, etag: str, page_version: PageVersion, cache_control: str
) -> Response:
    """Make a rendered page the public copy of `etag`, kept in memory, unless it is not one."""
    if response.status_code != 200:
        return response
    if session.modified:  # e.g. a flashed message was shown: this copy is the visitor's
        return _make_private(response)
    if not response.is_streamed:
        rendered: RenderedPages = current_app.extensions[RENDERED_KEY]
        rendered.put(etag, response.get_data(), response.content_type or "text/html")
    return _make_public(response, etag, page_version, cache_control)


def public_page(
    version: Callable[[], PageVersion | None],
    *,
    cache_control: str = PUBLIC_CACHE_CONTROL,
) -> Callable[[Callable[P, ResponseReturnValue]], Callable[P, Response]]:
    """Make a view's GET answer cacheable by anyone for anonymous visitors.

    `version` must be cheap: it runs before the view on every request (the address, and so the
    view's arguments, are part of the ETag already), and a matching If-None-Match (or
    If-Modified-Since) ends the request there with 304. A page of database rows (its version a
    `RowsVersion`) is rendered noting the tables it reads, and made public only under the
    version of what it drew.
    """

    def decorate(view: Callable[P, ResponseReturnValue]) -> Callable[P, Response]:
        def render(*args: P.args, **kwargs: P.kwargs) -> tuple[Response, PageVersion | None]:
            """The view's answer, and for a page of rows the version of what it drew."""
            if not isinstance(version, RowsVersion):
                return make_response(view(*args, **kwargs)), None
            with rendering(str(request.endpoint)) as drawn:
                response = make_response(view(*args, **kwargs))
            return response, version(drawn.rows) if drawn.rows is not None else None

        @wraps(view)
        def cacheable_view(*args: P.args, **kwargs: P.kwargs) -> Response:
            if not visitor_sees_the_shared_page():
                return _make_private(make_response(view(*args, **kwargs)))
            page_version = version()
            if page_version is None:  # a page of rows not rendered here yet: its render names it
                response, page_version = render(*args, **kwargs)
                if page_version is None:
                    return _make_private(response)
                return _keep_public(response, _etag(page_version), page_version, cache_control)
            etag = _etag(page_version)
            if not is_resource_modified(
                request.environ, etag=etag, last_modified=page_version.last_modified
            ):
                return _make_public(
                    current_app.response_class(status=304), etag, page_version, cache_control
                )
            rendered: RenderedPages = current_app.extensions[RENDERED_KEY]
            kept = rendered.get(etag)
            if kept is not None:
                body, content_type = kept
                kept_page = current_app.response_class(body, content_type=content_type)
                return _make_public(kept_page, etag, page_version, cache_control)
            response, drawn = render(*args, **kwargs)
            if isinstance(version, RowsVersion) and (
                drawn is None or drawn.key != page_version.key
            ):
                return _make_private(response)  # it read a new table, or the minute turned
            return _keep_public(response, etag, page_version, cache_control)

        setattr(cacheable_view, PAGE_VERSION_ATTRIBUTE, version)  # for consult.site.page_cache
        return cacheable_view

    return decorate
