"""Scores of a whole round of the partnership-readiness assessment, small groups kept hidden.

Plain data in, plain data out. Each respondent is scored as in `respondent_scoring`; a round adds
the dimensions' means, spreads and agreement, the role groups' means and the leadership/front-line
gaps. Rounds compared and peers benchmarked are in `comparison`.

Thresholds (low agreement, a flagged gap) and bands are judged on the figures as shown, rounded
by `figures`, so that what a reader sees never contradicts the label beside it.

Small groups are never exposed: a role group with fewer respondents than the minimum group size
shows no figure at all, and leadership/front-line gaps need that many scores on each side.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from consult.portal.definition import AssessmentDefinition
from consult.portal.figures import difference, whole
from consult.portal.respondent_scoring import (
    AnswerValue,
    RespondentScore,
    agreement_from_spread,
    band_key,
    mean_of,
    population_spread,
    score_with_layout,
    scored_dimensions,
    weighted_overall,
)

LOW_AGREEMENT_BELOW = 60.0
LEADERSHIP, FRONT_LINE = "leadership", "front_line"
T = TypeVar("T")


@dataclass(frozen=True)
class Respondent:
    """One person's answers in a round, with the role group they answered as."""

    key: str
    role_group: str
    answers: Mapping[str, AnswerValue]


@dataclass(frozen=True)
class DimensionResult:
    """A dimension across the round: mean, spread (population SD), agreement, importance, band."""

    key: str
    mean: float | None
    spread: float | None
    respondents: int
    agreement: float | None
    low_agreement: bool
    importance: float | None
    band: str | None


@dataclass(frozen=True)
class GroupResult:
    """A role group's figures; when not shown (too few respondents) every figure is None."""

    key: str
    respondents: int
    shown: bool
    dimension_means: Mapping[str, float | None]
    overall: float | None


@dataclass(frozen=True)
class Gap:
    """Leadership mean − front-line mean for a dimension; None when either side is too small.

    `gap` is unrounded, for ranking; show `shown_gap`, which is flagged at the threshold.
    """

    dimension: str
    leadership_mean: float | None
    front_line_mean: float | None
    gap: float | None
    flagged: bool

    @property
    def shown_gap(self) -> int | None:
        """The gap as shown: the difference of the two sides' means as each would be shown."""
        return difference(self.leadership_mean, self.front_line_mean)


@dataclass(frozen=True)
class RoundResult:
    """A whole round: results by dimension, by group, gaps (in definition order), overall, band."""

    respondent_count: int
    dimensions: tuple[DimensionResult, ...]
    groups: tuple[GroupResult, ...]
    gaps: tuple[Gap, ...]
    overall: float | None
    band: str | None
    min_group_size: int = 0

    def dimension(self, key: str) -> DimensionResult:
        """The result of dimension `key` (KeyError when the round has no such dimension)."""
        return _find(self.dimensions, lambda item: item.key, key)

    def group(self, key: str) -> GroupResult:
        """The result of role group `key` (KeyError when the round has no such group)."""
        return _find(self.groups, lambda item: item.key, key)

    def gap(self, dimension_key: str) -> Gap:
        """The leadership/front-line gap of dimension `dimension_key` (KeyError when unknown)."""
        return _find(self.gaps, lambda item: item.dimension, dimension_key)

    def dimension_means(self) -> dict[str, float | None]:
        """Dimension key → mean, the shape compare_rounds and benchmark take."""
        return {dimension.key: dimension.mean for dimension in self.dimensions}


def _find(items: Iterable[T], key_of: Callable[[T], str], key: str) -> T:
    for item in items:
        if key_of(item) == key:
            return item
    raise KeyError(key)


def _scores_of(scored: Iterable[RespondentScore], dimension_key: str) -> list[float]:
    """The respondents' scores of one dimension, leaving out those who could not be scored on it."""
    return [
        value
        for value in (score.dimension_scores[dimension_key] for score in scored)
        if value is not None
    ]


def _dimension_result(
    definition: AssessmentDefinition, key: str, scored: Sequence[RespondentScore]
) -> DimensionResult:
    values = _scores_of(scored, key)
    importance = [
        answer for answer in (score.importance[key] for score in scored) if answer is not None
    ]
    mean = mean_of(values)
    spread = population_spread(values)
    agreement = agreement_from_spread(spread)
    return DimensionResult(
        key=key,
        mean=mean,
        spread=spread,
        respondents=len(values),
        agreement=agreement,
        low_agreement=(shown := whole(agreement)) is not None and shown < LOW_AGREEMENT_BELOW,
        importance=mean_of(importance),
        band=band_key(definition, mean),
    )


def _group_result(
    definition: AssessmentDefinition,
    key: str,
    scored: Sequence[RespondentScore],
    min_group_size: int,
) -> GroupResult:
    dimension_keys = [dimension.key for dimension in definition.dimensions]
    if len(scored) < min_group_size:
        return GroupResult(
            key, len(scored), False, {dimension: None for dimension in dimension_keys}, None
        )
    means: dict[str, float | None] = {}
    for dimension in dimension_keys:
        values = _scores_of(scored, dimension)
        # A dimension only a few of the group could score would expose those few: hide it too.
        means[dimension] = mean_of(values) if len(values) >= min_group_size else None
    return GroupResult(key, len(scored), True, means, weighted_overall(definition, means))


def _gap(
    key: str,
    leadership: Sequence[RespondentScore],
    front_line: Sequence[RespondentScore],
    min_group_size: int,
    gap_threshold: float,
) -> Gap:
    leading, serving = _scores_of(leadership, key), _scores_of(front_line, key)
    if len(leading) < max(min_group_size, 1) or len(serving) < max(min_group_size, 1):
        return Gap(key, None, None, None, False)
    leadership_mean = math.fsum(leading) / len(leading)  # as mean_of, knowing neither is empty
    front_line_mean = math.fsum(serving) / len(serving)
    shown = difference(leadership_mean, front_line_mean)
    flagged = shown is not None and abs(shown) >= gap_threshold
    return Gap(key, leadership_mean, front_line_mean, leadership_mean - front_line_mean, flagged)


def _suppress_complement(
    groups: tuple[GroupResult, ...], kind_of: Mapping[str, str], minimum: int
) -> tuple[GroupResult, ...]:
    """Hide more groups when, on either side, the hidden ones hold fewer than `minimum` people.

    The sides are leadership and front line. Otherwise the whole-round figures, or a side's pooled
    mean in a gap, minus the shown groups' would give away the hidden few (complementary
    suppression): the smallest shown group of the same side is hidden too, until that side's
    hidden total reaches the minimum.
    """
    result = list(groups)
    # Each side for the gaps, then everyone (None) for the whole-round figures.
    for side in (LEADERSHIP, FRONT_LINE, None):
        scope = [
            index
            for index, group in enumerate(result)
            if side is None or kind_of.get(group.key) == side
        ]
        while 0 < sum(result[i].respondents for i in scope if not result[i].shown) < minimum:
            shown = [index for index in scope if result[index].shown]
            if not shown:
                break
            smallest = min(shown, key=lambda index: result[index].respondents)
            hidden = result[smallest]
            result[smallest] = GroupResult(
                hidden.key,
                hidden.respondents,
                False,
                {key: None for key in hidden.dimension_means},
                None,
            )
    return tuple(result)


def score_round(
    definition: AssessmentDefinition,
    respondents: Sequence[Respondent],
    *,
    min_group_size: int | None = None,
    gap_threshold: float = 15.0,
) -> RoundResult:
    """Score a round: dimensions, role groups (hidden below `min_group_size`), gaps, overall band.

    `min_group_size` defaults to the definition's. Respondents whose role group the definition does
    not know count towards the dimension results but belong to no group and no side of a gap.
    """
    minimum = definition.min_group_size if min_group_size is None else min_group_size
    layout = scored_dimensions(definition)
    scored = [
        (respondent.role_group, score_with_layout(definition, layout, respondent.answers))
        for respondent in respondents
    ]
    everyone = [score for _, score in scored]
    dimensions = tuple(
        _dimension_result(definition, dimension.key, everyone)
        for dimension in definition.dimensions
    )
    kind_of = {group.key: group.kind for group in definition.role_groups}
    groups = _suppress_complement(
        tuple(
            _group_result(
                definition,
                group.key,
                [score for role, score in scored if role == group.key],
                minimum,
            )
            for group in definition.role_groups
        ),
        kind_of,
        minimum,
    )
    leadership = [score for role, score in scored if kind_of.get(role) == LEADERSHIP]
    front_line = [score for role, score in scored if kind_of.get(role) == FRONT_LINE]
    gaps = tuple(
        _gap(dimension.key, leadership, front_line, minimum, gap_threshold)
        for dimension in definition.dimensions
    )
    overall = weighted_overall(
        definition, {dimension.key: dimension.mean for dimension in dimensions}
    )
    return RoundResult(
        len(respondents), dimensions, groups, gaps, overall, band_key(definition, overall), minimum
    )
