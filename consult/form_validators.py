"""Form validators and parsers every form and route can share: text a person may type, days,
moments, time zones and prices, and nothing a database, `datetime`, `ZoneInfo` or a mail header
cannot hold. No Flask, no database.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from zoneinfo import available_timezones

from wtforms import Field, Form, ValidationError

# What a person can type in a box: a tab anywhere, line breaks only where the box has lines.
_TYPED_IN_ANY_BOX = frozenset("\t")
_TYPED_IN_A_MULTILINE_BOX = frozenset("\t\r\n")


def control_characters_in(text: str, *, multiline: bool = False) -> list[str]:
    """The control characters of `text` that no one types (NUL, escapes, bells…), in order.

    Tabs are allowed, and CR and LF where `multiline` is true; every other character of
    Unicode's control category (C0, DEL and C1, NUL included) is returned.
    """
    allowed = _TYPED_IN_A_MULTILINE_BOX if multiline else _TYPED_IN_ANY_BOX
    return [
        character
        for character in text
        if unicodedata.category(character) == "Cc" and character not in allowed
    ]


class NoControlCharacters:
    """Refuse a text field holding NUL or another control character, with a field error.

    PostgreSQL cannot store NUL, and a mail header must not hold a line break: such text is
    refused where it is typed, next to the field, with the person's other answers kept.
    `multiline=True` (for text areas) accepts line breaks.
    """

    def __init__(self, *, multiline: bool = False, message: str | None = None) -> None:
        self.multiline = multiline
        self.message = message or (
            "Please remove the invisible control characters from this answer."
            if multiline
            else "Please keep this to one line, without invisible control characters."
        )

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and control_characters_in(
            field.data, multiline=self.multiline
        ):
            raise ValidationError(self.message)


# Days and moments people mean: far enough from years 1 and 9999 that adding a day or moving to
# another time zone cannot overflow `datetime`.
EARLIEST_YEAR = 1900
LATEST_YEAR = 9000
# IANA names are short ASCII paths such as America/Argentina/Buenos_Aires; nothing else reaches
# `ZoneInfo`, which raises OSError on a 300-character name and reads files for `../`.
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+){0,3}")
_LONGEST_ZONE_NAME = 64


def day_from(text: str | None) -> date | None:
    """`2027-01-05` → that day; None for anything else or a year outside the sane range."""
    if not text or len(text) > 10:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST_YEAR <= day.year <= LATEST_YEAR else None


def moment_from(text: str | None) -> datetime | None:
    """An ISO 8601 moment with its offset → an aware datetime; None for a naive or odd one, or a
    year outside the sane range.
    """
    if not text or len(text) > 40:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return None
    return moment


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def known_time_zone(name: str | None) -> str | None:
    """The name when it is an IANA time zone this system knows, else None."""
    if not name or len(name) > _LONGEST_ZONE_NAME or not _ZONE_NAME.fullmatch(name):
        return None
    return name if name in _known_zones() else None


def minor_units_from(text: str | None, *, maximum: int) -> int:
    """`"1,200.50"` → 120050 minor units, from 0 to `maximum` major units with at most two
    decimals; raises ValueError with a message for the field (NaN, infinity and 1e309 included).
    """
    try:
        amount = Decimal((text or "0").strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError("Write the price as a number, like 450 or 450.00.") from None
    # NaN and infinity parse but cannot be compared; huge numbers cannot be rounded.
    if not amount.is_finite() or not 0 <= amount <= maximum or (amount * 100) % 1:
        raise ValueError(f"Use a price from 0 to {maximum:,} with at most two decimals.")
    return int(amount * 100)


class SaneDate:
    """Refuse a day outside the years people book, plan or report in, with a field error."""

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, date) and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
            raise ValidationError(f"Choose a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
