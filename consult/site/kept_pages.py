"""Signed-in pages kept, rendered, for the browser that saw them, and sent again while nothing
they show has changed.

A page marked `@kept_for_the_visitor` is rendered once and its bytes kept under a key of
everything they depend on: the address, the visitor's session (their account and sign-in, the
form token its forms carry), the version of the rows it reads (`consult.site.data_versions`),
the deploy's fingerprint and the minute (pages say "today", "in 3 days", what is still ahead).
The sign-in checks before the view still run on every request, and the view's own checks of who
may see the page ran when it was rendered for this very session and these very rows: a member
removed from an organisation moves the memberships counter, and the next request renders, and
refuses, afresh. A render that changes the session (a message shown, a form token made) or sets
a cookie is not kept. Kept pages are never stored by a browser (private pages answer no-store);
a browser that accepts gzip is sent the copy compressed when it was kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Flask, current_app, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from consult.clock import app_now
from consult.site.caching import FINGERPRINT_KEY, RenderedPages
from consult.site.compressed import accepts_gzip, compressed
from consult.site.data_versions import DataVersion, counters_now, data_version, rendering

KEPT_KEY = "consult.kept_pages"
KEPT_MAX_BYTES = 32 * 1024 * 1024  # per process
GZIP_SUFFIX = ":gzip"
NOT_IN_THE_KEY = frozenset({"active_at"})  # the time of the last request, moved by every request

P = ParamSpec("P")


def init_app(app: Flask) -> None:
    app.extensions[KEPT_KEY] = RenderedPages(KEPT_MAX_BYTES)


def _session_state() -> str:
    """What the session holds that a page may show or carry (its account, its form token…)."""
    items = sorted(
        (key, repr(value)) for key, value in session.items() if key not in NOT_IN_THE_KEY
    )
    return repr(items)


def _key_parts() -> tuple[str, ...]:
    """Everything but the rows that the page's bytes depend on."""
    return (
        current_app.extensions[FINGERPRINT_KEY],
        _session_state(),
        request.scheme,
        request.host,
        request.full_path,
        str(int(app_now().timestamp() // 60)),
        # The visitor's own account (their name in the header) is read before the view.
        str((counters_now(("users",)) or {}).get("users")),
    )


def _key(rows: DataVersion, parts: tuple[str, ...] | None = None) -> str:
    return hashlib.sha256("\n".join((rows.key, *(parts or _key_parts()))).encode()).hexdigest()


def _kept(pages: RenderedPages, key: str) -> Response | None:
    """The kept page of `key`, compressed for a browser that accepts gzip when worth it."""
    response_class = current_app.response_class
    if accepts_gzip(request.environ):
        smaller = pages.get(key + GZIP_SUFFIX)
        if smaller is not None:
            headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            return response_class(smaller[0], content_type=smaller[1], headers=headers)
    kept = pages.get(key)
    if kept is None:
        return None
    return response_class(kept[0], content_type=kept[1], headers={"Vary": "Accept-Encoding"})


def kept_for_the_visitor(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, Response]:
    """Keep this signed-in page's rendered bytes for the session that saw them (see above)."""

    @wraps(view)
    def kept_view(*args: P.args, **kwargs: P.kwargs) -> Response:
        if (
            request.method not in ("GET", "HEAD")
            or not current_user.is_authenticated
            or "_flashes" in session
        ):
            return make_response(view(*args, **kwargs))
        page = str(request.endpoint)
        version = data_version(page)
        pages: RenderedPages = current_app.extensions[KEPT_KEY]
        key = _key(version) if version is not None else None
        kept = _kept(pages, key) if key is not None else None
        if kept is not None:
            return kept
        state_before = _session_state()
        key_parts_before = _key_parts()  # read before the render, as its counters are
        with rendering(page) as drawn:
            response = make_response(view(*args, **kwargs))
        if (
            drawn.rows is not None
            and response.status_code == 200
            and not response.is_streamed
            and not response.direct_passthrough
            and "Set-Cookie" not in response.headers
            and _session_state() == state_before
        ):
            key = _key(drawn.rows, key_parts_before)
            body, content_type = response.get_data(), response.content_type or "text/html"
            pages.put(key, body, content_type)
            smaller = compressed(body, content_type)
            if smaller is not None:
                pages.put(key + GZIP_SUFFIX, smaller, content_type)
        response.vary.add("Accept-Encoding")
        return response

    return kept_view
