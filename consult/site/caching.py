"""Public pages that browsers and shared caches may keep, revalidated from a version, not a render.

A page marked `@public_page(version)` is, for an anonymous visitor, the same bytes for everyone:
it carries `Cache-Control: public` with a short max-age and stale-while-revalidate, a strong ETag
built from the page's version (what the page shows depends on: the posts' content, the booking
types' rows…), the app's own fingerprint (templates, static files, site identity) and the
address. A revalidation whose ETag still matches is answered 304 before the view runs, so
nothing is rendered. A signed-in visitor sees their own name on every page: theirs stays private.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import ParamSpec

from flask import Flask, current_app, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Response

from consult.clock import app_now
from consult.site.static_files import static_fingerprint

MAX_AGE_SECONDS = 60
STALE_WHILE_REVALIDATE_SECONDS = 600
FINGERPRINT_KEY = "consult.fingerprint"

P = ParamSpec("P")


@dataclass(frozen=True)
class PageVersion:
    """What a page's bytes depend on, known before rendering it."""

    key: str
    last_modified: datetime | None = None


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


def visitor_is_anonymous() -> bool:
    """True for a visitor who is not signed in (a session cookie is only read when there is one)."""
    return not current_user.is_authenticated


def _etag(version: PageVersion) -> str:
    parts = (
        current_app.extensions[FINGERPRINT_KEY],
        version.key,
        str(app_now().year),  # the footer's copyright year
        request.path,
        request.query_string.decode("latin-1"),
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _make_public(response: Response, etag: str, version: PageVersion) -> Response:
    response.set_etag(etag)
    if version.last_modified is not None:
        response.last_modified = version.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_SECONDS
    response.cache_control.stale_while_revalidate = STALE_WHILE_REVALIDATE_SECONDS
    response.vary.add("Cookie")  # a signed-in visitor's copy differs: caches must tell them apart
    return response


def _make_private(response: Response) -> Response:
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


def public_page(
    version: Callable[[], PageVersion],
) -> Callable[[Callable[P, ResponseReturnValue]], Callable[P, Response]]:
    """Make a view's GET answer cacheable by anyone for anonymous visitors.

    `version` must be cheap: it runs before the view on every request (the address, and so the
    view's arguments, are part of the ETag already), and a matching If-None-Match (or
    If-Modified-Since) ends the request there with 304.
    """

    def decorate(view: Callable[P, ResponseReturnValue]) -> Callable[P, Response]:
        @wraps(view)
        def cacheable_view(*args: P.args, **kwargs: P.kwargs) -> Response:
            if not visitor_is_anonymous():
                return _make_private(make_response(view(*args, **kwargs)))
            page_version = version()
            etag = _etag(page_version)
            if not is_resource_modified(
                request.environ, etag=etag, last_modified=page_version.last_modified
            ):
                return _make_public(current_app.response_class(status=304), etag, page_version)
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200:
                return response
            if session.modified:  # e.g. a flashed message was shown: this copy is the visitor's
                return _make_private(response)
            return _make_public(response, etag, page_version)

        return cacheable_view

    return decorate
