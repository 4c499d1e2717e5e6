"""CSRF protection for a form that sits on pages shared caches hold (the subscribe form).

Such a page is the same bytes for every reader, so it cannot carry a per-reader token and must
not set a cookie. Instead the token is handed out only when the form is about to be used: by the
form's own page, or fetched by a small script when the reader starts typing. It is a signed
random value, set as an HttpOnly, SameSite=Strict cookie scoped to the form's path (in
production `__Host-form_token`, which the prefix binds to path `/`) and copied into the form
(double submit); a POST passes when the two agree, the signature is ours and recent, and the
browser's Origin (or, lacking one, Referer) is this site.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Request, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

HOST_PREFIX = "__Host-"
FIELD_NAME = "csrf_token"
MAX_AGE_SECONDS = 24 * 3600
SALT = "consult.form-guard"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def new_token() -> str:
    """A fresh signed token: put it in the form and, with `set_token_cookie`, in the cookie."""
    return _serializer().dumps(secrets.token_urlsafe(16))


def _cookie_name() -> str:
    name: str = current_app.config["FORM_TOKEN_COOKIE_NAME"]
    return name


def set_token_cookie(response: Response, token: str, *, path: str) -> None:
    """Set `token` as the cookie sent back only to `path` (to every path under the `__Host-`
    prefix, which browsers accept only with path `/`); the response is never cached.
    """
    name = _cookie_name()
    response.set_cookie(
        name,
        token,
        max_age=MAX_AGE_SECONDS,
        path="/" if name.startswith(HOST_PREFIX) else path,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )
    response.cache_control.no_store = True


def comes_from_this_site(request: Request) -> bool:
    """False when the browser says the request was sent from another site.

    Origin decides when present ("null", sent from sandboxed or privacy-sensitive contexts, is
    not this site); else Referer. With neither (old browsers, stripped by a privacy tool) the
    token alone decides. This site is the address the request came to, or SITE_URL's.
    """
    site = urlsplit(current_app.extensions["consult.settings"].site_url)
    own = {(request.scheme, request.host), (site.scheme, site.netloc)}
    sender = request.headers.get("Origin") or request.headers.get("Referer")
    if sender is None:
        return True
    parts = urlsplit(sender)
    return (parts.scheme, parts.netloc) in own


def token_is_valid(request: Request) -> bool:
    """True when the form's token equals the cookie's, is signed by us and is recent."""
    cookie = request.cookies.get(_cookie_name(), "")
    field = request.form.get(FIELD_NAME, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), field.encode()):
        return False
    try:
        _serializer().loads(cookie, max_age=MAX_AGE_SECONDS)
    except BadSignature:  # SignatureExpired is one too
        return False
    return True
