"""Pure account rules: e-mail normalisation, password policy, safe redirects and tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from functools import lru_cache
from typing import TypeGuard
from urllib.parse import unquote, urlsplit

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128


def normalise_email(email: str) -> str:
    """The form an address is stored and compared in: trimmed and lower-cased."""
    return email.strip().lower()


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords that zxcvbn ships, loaded once."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _letters_and_digits(text: str) -> str:
    return "".join(character for character in text.lower() if character.isalnum())


def password_problem(
    password: str, *, email: str = "", name: str = "", site_words: Iterable[str] = ()
) -> str | None:
    """Why `password` is not acceptable, in words for the person choosing it; None when it is.

    `site_words` are the words of this site (the practice's and consultant's names, the host):
    a password that is one of them, give or take case, spaces, punctuation and trailing digits,
    is among the first an attacker of this site would try.
    """
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Use at least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"Use at most {PASSWORD_MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 3:
        return "That password is one of the most common ones; choose something less guessable."
    personal = {normalise_email(email), normalise_email(email).split("@")[0], name.strip().lower()}
    if lowered in personal - {""}:
        return "Your password should not be your name or e-mail address."
    core = _letters_and_digits(password).rstrip("0123456789")
    if core and core in {_letters_and_digits(word) for word in site_words}:
        return "Your password should not be the name of this site or its practice."
    return None


def is_safe_redirect_path(target: str | None) -> TypeGuard[str]:
    """True only for a path on this site, e.g. `/admin/?tab=mail`.

    Refuses anything a browser could read as another host: `//host`, `/\\host`, `\\\\host`,
    `https:host`, `javascript:`, control characters, and the percent-encoded forms of these.
    """
    if not target:
        return False
    decoded = target
    for _ in range(3):  # undo double and triple encoding too
        decoded = unquote(decoded)
    for candidate in (target, decoded):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return False
        if "\\" in candidate or any(
            ord(character) < 0x20 or ord(character) == 0x7F for character in candidate
        ):
            return False
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return False
    return True


def new_token() -> tuple[str, str]:
    """A fresh secret for a link (256 bits) and the hash that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """The stored form of a link token: SHA-256 is enough for a random 256-bit secret."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
