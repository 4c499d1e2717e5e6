"""What a path argument may be: an id that fits an integer column, a name without control
characters. Anything else matches no route, so it is a 404 before any handler reads it.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map, UnicodeConverter

# PostgreSQL's INTEGER, the type of every id column; SQLite takes 64 bits.
LARGEST_ROW_ID = 2**31 - 1
# Longer than any slug, token or public id the site makes.
LONGEST_NAME = 255


class RowIdConverter(IntegerConverter):
    """`<int:…>`: a whole number an id column can hold (a 20-digit one is not found, not a 500)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


class NameConverter(UnicodeConverter):
    """`<…>` and `<string:…>`: up to 255 characters, none of them a control character (PostgreSQL
    cannot compare NUL).
    """

    def __init__(self, url_map: Map, minlength: int = 1, maxlength: int | None = None) -> None:
        super().__init__(url_map, minlength=minlength, maxlength=maxlength or LONGEST_NAME)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f-\\x9f]")


def bound_path_arguments(url_map: Map) -> None:
    """Make every route's integer and name arguments the bounded ones above."""
    url_map.converters["int"] = RowIdConverter
    url_map.converters["default"] = NameConverter
    url_map.converters["string"] = NameConverter
