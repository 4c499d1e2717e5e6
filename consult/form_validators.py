"""Form validators every form can share: text a person may type, and nothing a database or a mail
header cannot hold. No Flask, no database.
"""

from __future__ import annotations

import unicodedata

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
