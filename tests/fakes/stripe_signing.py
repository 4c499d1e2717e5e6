"""Signs webhook bodies exactly as Stripe does, so tests can post events the app must verify."""

from __future__ import annotations

import hashlib
import hmac
import time


def sign_webhook(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for `payload`.

    It reads `t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<payload>")>`.
    """
    if timestamp is None:
        timestamp = int(time.time())
    signed = str(timestamp).encode() + b"." + payload
    signature = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"
