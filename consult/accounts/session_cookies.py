"""Flask's signed-cookie sessions, each cookie's verified contents remembered in the worker.

A browser sends the same session cookie with every request until its session changes, and
checking the signature and decoding the contents every time costs a kept page as much as the
rest of its request. A cookie is remembered only once its signature has been verified, by its
exact value (signature included, so no other value can match it), with the time it was signed:
it expires exactly as it would have. Each request gets its own copy of the contents.

Signing works the other way round: the signature covers the contents and the second it was made
in, so the same contents signed within the same second give the same cookie, which is remembered
too (many requests of one browser at once, each noting its activity). The serializer itself is
made once, not twice a request.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_COOKIES = 10_000


class _RememberingSerializer(URLSafeTimedSerializer):
    """Remembers the cookie made for the same contents within the same second (bounded)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._made: OrderedDict[tuple[str, int], str] = OrderedDict()
        self._lock = threading.Lock()

    def dumps(self, obj: Any, salt: Any = None) -> Any:
        if salt is not None or not isinstance(obj, dict):
            return super().dumps(obj, salt)
        key = (repr(sorted(obj.items())), int(time.time()))
        with self._lock:
            made = self._made.get(key)
        if made is None:
            made = super().dumps(obj)
            with self._lock:
                self._made[key] = made
                while len(self._made) > MAX_COOKIES:
                    self._made.popitem(last=False)
        return made


class RememberedCookieSessions(SecureCookieSessionInterface):
    def __init__(self, max_cookies: int = MAX_COOKIES) -> None:
        self.max_cookies = max_cookies
        self._verified: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()
        self._lock = threading.Lock()
        self._serializer: tuple[tuple[Any, ...], URLSafeTimedSerializer] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for these keys, made once (Flask makes one per call)."""
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        if self._serializer is None or self._serializer[0] != keys:
            serializer = _RememberingSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
            self._serializer = (keys, serializer)
        return self._serializer[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        with self._lock:
            known = self._verified.get(value)
            if known is not None:
                self._verified.move_to_end(value)
        if known is None:
            try:
                contents, signed_at = serializer.loads(
                    value, max_age=int(max_age), return_timestamp=True
                )
            except BadSignature:  # forged, tampered with, or expired: no session
                return self.session_class()
            known = (contents, signed_at.timestamp())
            with self._lock:
                self._verified[value] = known
                while len(self._verified) > self.max_cookies:
                    self._verified.popitem(last=False)
        contents, signed_at_seconds = known
        if time.time() - signed_at_seconds > max_age:
            return self.session_class()
        return self.session_class(_own_copy(contents))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Flask's own answer for a session it would not send again, without first working out
        # the cookie's name, domain, path and flags that it then does not use.
        if session and not self.should_set_cookie(app, session):
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def _own_copy(contents: dict[str, Any]) -> dict[str, Any]:
    """A copy the request may change: lists and dicts inside (flashed messages) copied too."""
    return {
        key: copy.deepcopy(value) if isinstance(value, list | dict) else value
        for key, value in contents.items()
    }
