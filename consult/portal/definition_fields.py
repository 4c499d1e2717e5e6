"""Reading the fields of a definition's YAML mappings: each value checked, each bad one noted.

No Flask, no database. A bad field does not stop the reading: `FieldReader` notes a problem and
carries on, so that the consultant sees every fault of a file in one go.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeGuard, TypeVar

from consult.portal.definition_rules import field_path, problem

KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")
T = TypeVar("T")
D = TypeVar("D")
Raw = Mapping[object, object]
"""A mapping as YAML gives it, not yet checked."""


class _Required:
    """The default of a field that has none: it is required."""


REQUIRED = _Required()


def is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def is_number(value: object) -> TypeGuard[float]:
    return (
        isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
    )  # rejects NaN


def is_positive_number(value: object) -> TypeGuard[float]:
    return is_number(value) and value > 0


def is_bool(value: object) -> TypeGuard[bool]:
    return isinstance(value, bool)


def is_list(value: object) -> TypeGuard[list[object]]:
    return isinstance(value, list)


def is_text_list(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(map(is_text, value))


def is_key(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(KEY.match(value))


def whole_number_from(minimum: int) -> Callable[[object], TypeGuard[int]]:
    def is_whole(value: object) -> TypeGuard[int]:
        return isinstance(value, int) and not isinstance(value, bool) and value >= minimum

    return is_whole


class FieldReader:
    """Reads fields off plain mappings, noting a problem for each bad one instead of stopping."""

    def __init__(self, known_fields: Mapping[str, set[str]]) -> None:
        self.known_fields = known_fields  # kind of mapping -> the names its fields may have
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(problem(where, message))

    def mapping(self, value: object, where: str, kind: str) -> TypeGuard[Raw]:
        """Whether `value` is a mapping; notes it if not, and each field it should not have."""
        if not isinstance(value, dict):
            self.add(where or kind, "must be a mapping of `name: value` pairs")
            return False
        for name in value:
            if name not in self.known_fields[kind]:
                self.add(where or kind, f"unknown field {name!r}")
        return True

    def get(
        self,
        data: Raw,
        where: str,
        name: str,
        expected: str,
        ok: Callable[[object], TypeGuard[T]],
        default: D | _Required = REQUIRED,
    ) -> T | D | None:
        """The field's value if it passes `ok`; otherwise note a problem and return None."""
        value = data.get(name)
        if value is None:  # absent, or left empty in YAML
            if isinstance(default, _Required):
                self.add(field_path(where, name), "is required")
                return None
            return default
        if not ok(value):
            self.add(field_path(where, name), f"must be {expected}, not {value!r}")
            return None
        return value

    def text(self, data: Raw, where: str, name: str) -> str:
        """A required non-empty text, stripped ("" once its problem is noted)."""
        return (self.get(data, where, name, "non-empty text", is_text) or "").strip()

    def choice(
        self,
        data: Raw,
        where: str,
        name: str,
        options: tuple[T, ...],
        default: D | _Required = REQUIRED,
    ) -> T | D | None:
        """One of `options`, or `default` when absent."""

        def is_option(value: object) -> TypeGuard[T]:
            return value in options

        return self.get(
            data, where, name, f"one of {', '.join(map(str, options))}", is_option, default
        )

    def texts(
        self, data: Raw, where: str, name: str, *, minimum: int = 0, exactly: int | None = None
    ) -> tuple[str, ...]:
        """A list of non-empty texts, stripped, with at least `minimum` or `exactly` entries."""
        items = self.get(data, where, name, "a list of non-empty texts", is_text_list, [])
        value = tuple(item.strip() for item in items or [])
        if exactly is not None and len(value) != exactly:
            self.add(
                field_path(where, name), f"must have exactly {exactly} entries, not {len(value)}"
            )
        elif len(value) < minimum:
            self.add(field_path(where, name), f"must have at least {minimum}")
        return value

    def each(
        self,
        data: Raw,
        where: str,
        name: str,
        kind: str,
        build: Callable[[FieldReader, Raw, str], T],
    ) -> list[tuple[str, T]]:
        """Build each mapping of a list field: (where, item) pairs for those that are mappings."""
        items = self.get(data, where, name, "a list", is_list) or []
        located = [(f"{field_path(where, name)}[{index}]", raw) for index, raw in enumerate(items)]
        return [(at, build(self, raw, at)) for at, raw in located if self.mapping(raw, at, kind)]
