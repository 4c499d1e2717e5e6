"""Turning an outbox row's fields into a MIME message, and the retry schedule. No Flask, no
database.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

RETRY_DELAYS = tuple(
    timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360)
)
"""Wait after the n-th failed attempt; after the last one the e-mail is marked failed (about a day
in all).
"""
MAX_HEADER_CHARS = 255
"""The longest header value kept (the outbox stores subjects and addresses in 255 characters)."""
# Unicode line and paragraph separators: str.splitlines() and the email package treat them as
# line ends, so they could end a header just as CR or LF do.
_LINE_SEPARATORS = frozenset("\u2028\u2029")


def retry_delay(failed_attempts: int) -> timedelta | None:
    """How long to wait after `failed_attempts` failures; None when it is time to give up."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts counts from 1")
    if failed_attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[failed_attempts - 1]


def safe_header_value(value: str, *, max_length: int = MAX_HEADER_CHARS) -> str:
    """`value` made fit for one mail header, whoever typed it: never raises.

    NUL is dropped; every other control character and line break (CR, LF, tab, NEL, the
    Unicode line and paragraph separators) becomes a space, so no text can end the header and
    start one of its own; runs of spaces become one; the result is cut to `max_length`
    characters, ending with "…" when something was cut.
    """
    spaced = "".join(
        " " if _ends_or_controls(character) else character for character in value.replace("\0", "")
    )
    folded = " ".join(word for word in spaced.split(" ") if word)
    if len(folded) > max_length:
        return folded[: max_length - 1].rstrip() + "…"
    return folded


def _ends_or_controls(character: str) -> bool:
    return unicodedata.category(character) == "Cc" or character in _LINE_SEPARATORS


def new_message_id(domain: str) -> str:
    return make_msgid(domain=domain)


def build_message(
    *,
    from_name: str,
    from_address: str,
    to_address: str,
    subject: str,
    text_body: str,
    html_body: str,
    message_id: str,
    date: datetime,
    extra_headers: dict[str, str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> EmailMessage:
    """A multipart/alternative message with plain-text and HTML parts, and any text attachments."""
    message = EmailMessage()
    message["From"] = Address(
        display_name=safe_header_value(from_name), addr_spec=safe_header_value(from_address)
    )
    message["To"] = safe_header_value(to_address)
    message["Subject"] = safe_header_value(subject)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = safe_header_value(message_id)
    for name, value in (extra_headers or {}).items():
        message[safe_header_value(name)] = safe_header_value(value)
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    for attachment in attachments or ():
        params = {"method": attachment["method"]} if attachment.get("method") else {}
        message.add_attachment(
            attachment["content"],
            subtype=attachment["subtype"],
            filename=safe_header_value(attachment["filename"]),
            params=params,
        )
    return message
