"""Pure rules of two-step sign-in: time-based codes (TOTP), recovery codes and the QR code.

Plain data in, plain data out: the time is passed in, nothing here touches Flask or the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from math import log2

import pyotp
import segno

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_GROUPS = 6
RECOVERY_CODE_GROUP_LENGTH = 4
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
# 24 symbols of 31: about 119 bits, above the 112 for which ASVS 6.5.2 allows a plain hash.
# Codes made before (four groups, about 79 bits) still match their stored hashes until used
# or replaced.
RECOVERY_CODE_BITS = (
    RECOVERY_CODE_GROUPS * RECOVERY_CODE_GROUP_LENGTH * log2(len(RECOVERY_ALPHABET))
)
# A code from an authenticator app, as typed: six digits, perhaps with a space in the middle.
_TYPED_CODE = re.compile(r"[0-9]{6}")  # ASCII digits only: \d takes any script's digits
# How many 30-second steps either side of now a code may come from: phones' clocks drift.
ACCEPTED_DRIFT_STEPS = 1


def new_secret() -> str:
    """A fresh 160-bit TOTP secret in base32, as authenticator apps take it."""
    return pyotp.random_base32(length=32)


def readable_secret(secret: str) -> str:
    """The secret in groups of four, for a person to type into an app."""
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def provisioning_uri(*, secret: str, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_code_svg(uri: str, *, title: str) -> str:
    """The QR code of `uri` as inline SVG markup (no XML declaration), titled for screen readers.

    Inline markup needs no image source, so the page's Content-Security-Policy stays as it is.
    """
    return str(
        segno.make(uri, error="m").svg_inline(
            scale=5, border=4, dark="#000", light="#fff", title=title, svgclass="qr-code"
        )
    )


def normalise_code(typed: str) -> str:
    """A typed code without spaces, hyphens or case: how codes are compared."""
    return re.sub(r"[\s-]+", "", typed).lower()


def looks_like_time_code(typed: str) -> bool:
    """True when the typed text is a six-digit app code rather than a recovery code."""
    return _TYPED_CODE.fullmatch(normalise_code(typed)) is not None


def matching_time_step(
    *, secret: str, typed: str, now: datetime, last_used_step: int | None
) -> int | None:
    """The time step whose code `typed` is (within the accepted drift), or None.

    A step at or before `last_used_step` is refused: a code works once, even within its 30
    seconds, so one seen over a shoulder or in a proxy's log cannot be replayed.
    """
    code = normalise_code(typed)
    if _TYPED_CODE.fullmatch(code) is None:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - ACCEPTED_DRIFT_STEPS, current + ACCEPTED_DRIFT_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Fresh single-use recovery codes (about 119 bits each), grouped for reading: `abcd-efgh-…`."""
    return [_recovery_code() for _ in range(count)]


def _recovery_code() -> str:
    groups = (
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_GROUP_LENGTH))
        for _ in range(RECOVERY_CODE_GROUPS)
    )
    return "-".join(groups)


def hash_recovery_code(typed: str) -> str:
    """The stored form of a recovery code: SHA-256 of its normalised text.

    The codes are long random secrets (RECOVERY_CODE_BITS ≥ 112), so a fast hash is enough, as
    for the site's link tokens: no guessing from a stolen hash can reach one.
    """
    return hashlib.sha256(normalise_code(typed).encode("utf-8")).hexdigest()
