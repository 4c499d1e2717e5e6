"""The rules an assessment definition must meet across its fields, each broken one a message.

No Flask, no database. Each part arrives located: a (where, part) pair, where being the path of
the part in the file (`sections[2].questions[0]`), so that every message starts with where the
fault is. The counts below are what makes an assessment worth taking and its results meaningful.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Protocol, TypeVar

from consult.portal.definition import (
    ROLE_KINDS,
    Band,
    Dimension,
    Question,
    Recommendation,
    RoleGroup,
    Section,
)

MIN_DIMENSIONS, MIN_QUESTIONS, MAX_QUESTIONS = 6, 30, 50
MIN_SCALE_PER_DIMENSION, MIN_REVERSE, MIN_TEXT, MIN_BANDS = 3, 3, 2, 3

T = TypeVar("T")
Located = Sequence[tuple[str, T]]
"""Parts of a definition, each with the path at which the file gives it."""


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


def field_path(where: str, name: str) -> str:
    """The path of field `name` of the part at `where` (just `name` at the top level)."""
    return f"{where}.{name}" if where else name


def problem(where: str, message: str) -> str:
    """A problem as reported: where it is, then what is wrong."""
    return f"{where}: {message}"


def definition_problems(
    *,
    role_groups: Located[RoleGroup],
    dimensions: Located[Dimension],
    sections: Located[Section],
    questions: Located[Question],
    bands: Located[Band],
    recommendations: Located[Recommendation],
) -> list[str]:
    """Every rule the parts break together: unique keys, counts, and references between parts."""
    problems: list[str] = []
    for located, what in (
        (role_groups, "role group"),
        (dimensions, "dimension"),
        (sections, "section"),
        (questions, "question"),
        (bands, "band"),
        (recommendations, "recommendation"),
    ):
        problems += _duplicate_keys(located, what)
    for kind in ROLE_KINDS:
        if kind not in {group.kind for _, group in role_groups}:
            problems.append(problem("role_groups", f"needs at least one {kind!r} group"))
    if len(dimensions) < MIN_DIMENSIONS:
        problems.append(
            problem(
                "dimensions", f"needs at least {MIN_DIMENSIONS} dimensions, not {len(dimensions)}"
            )
        )
    problems += _question_problems(dimensions, questions)
    problems += _band_problems(bands)
    problems += _recommendation_problems(dimensions, bands, recommendations)
    return problems


def _duplicate_keys(located: Located[_Keyed], what: str) -> list[str]:
    problems: list[str] = []
    first: dict[str, str] = {}
    for where, item in located:
        if item.key in first:
            problems.append(
                problem(
                    field_path(where, "key"),
                    f"duplicate {what} key {item.key!r} (first used at {first[item.key]})",
                )
            )
        elif item.key:
            first[item.key] = where
    return problems


def _question_problems(dimensions: Located[Dimension], questions: Located[Question]) -> list[str]:
    """Which questions exist: counts, dimensions, reverse-scored and free-text questions."""
    problems: list[str] = []
    known = {dimension.key for _, dimension in dimensions}
    for where, question in questions:
        if question.dimension and question.dimension not in known:
            problems.append(
                problem(field_path(where, "dimension"), f"unknown dimension {question.dimension!r}")
            )
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        problems.append(
            problem(
                "sections",
                f"needs {MIN_QUESTIONS} to {MAX_QUESTIONS} questions in all, not {len(questions)}",
            )
        )
    counts = Counter((q.kind, q.dimension) for _, q in questions)
    for where, dimension in dimensions:
        scale, importance = counts["scale", dimension.key], counts["importance", dimension.key]
        if scale < MIN_SCALE_PER_DIMENSION:
            problems.append(
                problem(
                    where,
                    f"dimension {dimension.key!r} has {scale} scale questions; "
                    f"needs at least {MIN_SCALE_PER_DIMENSION}",
                )
            )
        if importance != 1:
            problems.append(
                problem(
                    where,
                    f"dimension {dimension.key!r} has {importance} importance questions; "
                    "needs exactly 1",
                )
            )
    reverse = sum(1 for _, q in questions if q.kind == "scale" and q.reverse)
    if reverse < MIN_REVERSE:
        problems.append(
            problem(
                "sections",
                f"needs at least {MIN_REVERSE} reverse-scored scale questions, not {reverse}",
            )
        )
    text = sum(1 for _, q in questions if q.kind == "text")
    if text < MIN_TEXT:
        problems.append(
            problem("sections", f"needs at least {MIN_TEXT} text questions, not {text}")
        )
    return problems


def _band_problems(bands: Located[Band]) -> list[str]:
    """Bands start at 0 and climb strictly, staying below 100."""
    problems: list[str] = []
    if len(bands) < MIN_BANDS:
        problems.append(problem("bands", f"needs at least {MIN_BANDS} bands, not {len(bands)}"))
    for index, (where, band) in enumerate(bands):
        if math.isnan(band.min_score):  # already reported as not a number
            continue
        at = field_path(where, "min_score")
        previous = bands[index - 1][1].min_score if index else math.nan
        if index == 0 and band.min_score != 0:
            problems.append(problem(at, f"the first band must start at 0, not {band.min_score:g}"))
        elif index and band.min_score <= previous:  # False against NaN
            problems.append(problem(at, f"must be greater than the previous band's {previous:g}"))
        if not 0 <= band.min_score < 100:
            problems.append(
                problem(at, f"must be at least 0 and below 100, not {band.min_score:g}")
            )
    return problems


def _recommendation_problems(
    dimensions: Located[Dimension],
    bands: Located[Band],
    recommendations: Located[Recommendation],
) -> list[str]:
    """Recommendations point at real dimensions and bands, and every pair of them is covered."""
    problems: list[str] = []
    dimension_keys, band_keys = [d.key for _, d in dimensions], [b.key for _, b in bands]
    for where, recommendation in recommendations:
        if recommendation.dimension and recommendation.dimension not in dimension_keys:
            problems.append(
                problem(
                    field_path(where, "dimension"),
                    f"unknown dimension {recommendation.dimension!r}",
                )
            )
        for band in recommendation.bands:
            if band not in band_keys:
                problems.append(problem(field_path(where, "bands"), f"unknown band {band!r}"))
    covered = {(rec.dimension, band) for _, rec in recommendations for band in rec.bands}
    for dimension in filter(None, dimension_keys):
        for band in filter(None, band_keys):
            if (dimension, band) not in covered:
                problems.append(
                    problem(
                        "recommendations",
                        f"no recommendation for dimension {dimension!r} in band {band!r}",
                    )
                )
    return problems
