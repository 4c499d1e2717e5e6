"""Scores of the partnership-readiness assessment: one respondent, a whole round, rounds compared, peers benchmarked.

Plain data in, plain data out. A score is on 0–100: a 1..5 answer v (reversed as 6 − v when the
question is worded negatively) counts as (v − 1) / 4 × 100. "Not sure" (None) and unanswered
questions are left out, and a dimension needs at least half of its scale questions answered.

Small groups are never exposed: a role group with fewer respondents than the minimum group size
shows no figure at all, and leadership/front-line gaps need that many scores on each side.

Sums go through math.fsum so that results do not depend on the order of the respondents.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

AnswerValue = int | None | str
LOWEST_ANSWER, HIGHEST_ANSWER = 1, 5
LARGEST_SPREAD = 50.0  # the largest population standard deviation of values on 0–100
LOW_AGREEMENT_BELOW = 60.0
LEADERSHIP, FRONT_LINE = "leadership", "front_line"


@dataclass(frozen=True)
class RespondentScore:
    """One respondent's scores: per dimension (None when too few answers), importance answers, overall and band."""

    dimension_scores: Mapping[str, float | None]
    importance: Mapping[str, int | None]
    overall: float | None
    band: str | None


@dataclass(frozen=True)
class Respondent:
    """One person's answers in a round, with the role group they answered as."""

    key: str
    role_group: str
    answers: Mapping[str, AnswerValue]


@dataclass(frozen=True)
class DimensionResult:
    """A dimension across the round: mean, spread (population std dev), agreement, importance and band."""

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
    """Leadership mean − front-line mean for a dimension; None when either side is too small."""

    dimension: str
    leadership_mean: float | None
    front_line_mean: float | None
    gap: float | None
    flagged: bool


@dataclass(frozen=True)
class RoundResult:
    """A whole round: per-dimension results, per-group results and gaps (in definition order), overall and band."""

    respondent_count: int
    dimensions: tuple[DimensionResult, ...]
    groups: tuple[GroupResult, ...]
    gaps: tuple[Gap, ...]
    overall: float | None
    band: str | None
    min_group_size: int = 0

    def dimension(self, key: str) -> DimensionResult:
        """The result of dimension `key` (KeyError when the round has no such dimension)."""
        return _find(self.dimensions, "key", key)

    def group(self, key: str) -> GroupResult:
        """The result of role group `key` (KeyError when the round has no such group)."""
        return _find(self.groups, "key", key)

    def gap(self, dimension_key: str) -> Gap:
        """The leadership/front-line gap of dimension `dimension_key` (KeyError when unknown)."""
        return _find(self.gaps, "dimension", dimension_key)

    def dimension_means(self) -> dict[str, float | None]:
        """Dimension key → mean, the shape compare_rounds and benchmark take."""
        return {dimension.key: dimension.mean for dimension in self.dimensions}


def _find(items: Iterable[Any], attribute: str, key: str) -> Any:
    found = [item for item in items if getattr(item, attribute) == key]
    if not found:
        raise KeyError(key)
    return found[0]


def _scores_of(scored: Iterable[RespondentScore], dimension_key: str) -> list[float]:
    """The respondents' scores of one dimension, leaving out those who could not be scored on it."""
    return [
        value
        for value in (score.dimension_scores[dimension_key] for score in scored)
        if value is not None
    ]


def rounded(value: float | None, places: int = 1) -> float | None:
    """`value` rounded for display (1 decimal by default); None stays None. Results keep full floats."""
    return None if value is None else round(value, places)


def mean_of(values: Sequence[float]) -> float | None:
    """The arithmetic mean, independent of the order of `values`; None when empty."""
    return math.fsum(values) / len(values) if values else None


def population_spread(values: Sequence[float]) -> float | None:
    """The population standard deviation, independent of order; None for fewer than two values."""
    if len(values) < 2:
        return None
    centre = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((value - centre) ** 2 for value in values) / len(values))


def agreement_from_spread(spread: float | None) -> float | None:
    """Agreement on 0–100: 100 × (1 − spread / 50), clipped; 100 when all agree, 0 at the largest spread."""
    if spread is None:
        return None
    return min(100.0, max(0.0, 100.0 * (1.0 - spread / LARGEST_SPREAD)))


def weighted_overall(definition: Any, scores: Mapping[str, float | None]) -> float | None:
    """Weighted mean of the available dimension scores, the weights renormalised over them; None when none."""
    available = [
        (dimension.weight, scores[dimension.key])
        for dimension in definition.dimensions
        if scores.get(dimension.key) is not None
    ]
    total_weight = math.fsum(weight for weight, _ in available)
    if not available or total_weight <= 0:
        return None
    # Clipped because rounding of the weights can land a hair outside 0–100.
    return min(
        100.0, max(0.0, math.fsum(weight * score for weight, score in available) / total_weight)
    )


def band_key(definition: Any, score: float | None) -> str | None:
    """The key of the band `score` falls in; None when there is no score."""
    return None if score is None else definition.band_for(score).key


def _answer_point(question: Any, answers: Mapping[str, AnswerValue]) -> int | None:
    """The 1..5 answer to a scale or importance question; None for "not sure" or unanswered."""
    value = answers.get(question.key)
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not LOWEST_ANSWER <= value <= HIGHEST_ANSWER
    ):
        raise ValueError(f"answer to {question.key!r} must be 1..5 or None, not {value!r}")
    return value


@dataclass(frozen=True)
class _ScoredDimension:
    key: str
    scale_questions: tuple[Any, ...]
    importance_question: Any | None


def _scored_dimensions(definition: Any) -> tuple[_ScoredDimension, ...]:
    """Each dimension's questions, looked up once rather than once per respondent."""
    layout = []
    for dimension in definition.dimensions:
        try:
            importance = definition.importance_question(dimension.key)
        except (LookupError, StopIteration, ValueError):
            importance = None
        layout.append(
            _ScoredDimension(
                dimension.key, tuple(definition.scale_questions(dimension.key)), importance
            )
        )
    return tuple(layout)


def score_dimension(questions: Sequence[Any], answers: Mapping[str, AnswerValue]) -> float | None:
    """Mean 0–100 score over a dimension's scale questions; None unless at least ceil(n/2) are answered."""
    points = []
    for question in questions:
        value = _answer_point(question, answers)
        if value is not None:
            value = HIGHEST_ANSWER + LOWEST_ANSWER - value if question.reverse else value
            points.append((value - LOWEST_ANSWER) / (HIGHEST_ANSWER - LOWEST_ANSWER) * 100.0)
    if not questions or len(points) < math.ceil(len(questions) / 2):
        return None
    return mean_of(points)


def score_respondent(definition: Any, answers: Mapping[str, AnswerValue]) -> RespondentScore:
    """Score one respondent's answers (question key → 1..5, None for "not sure", str for text) on `definition`."""
    return _score_respondent(definition, _scored_dimensions(definition), answers)


def _score_respondent(
    definition: Any, layout: Sequence[_ScoredDimension], answers: Mapping[str, AnswerValue]
) -> RespondentScore:
    dimension_scores: dict[str, float | None] = {}
    importance: dict[str, int | None] = {}
    for dimension in layout:
        dimension_scores[dimension.key] = score_dimension(dimension.scale_questions, answers)
        question = dimension.importance_question
        importance[dimension.key] = None if question is None else _answer_point(question, answers)
    overall = weighted_overall(definition, dimension_scores)
    return RespondentScore(dimension_scores, importance, overall, band_key(definition, overall))


def _dimension_result(
    definition: Any, key: str, scored: Sequence[RespondentScore]
) -> DimensionResult:
    values = _scores_of(scored, key)
    importance = [score.importance[key] for score in scored if score.importance[key] is not None]
    mean = mean_of(values)
    spread = population_spread(values)
    agreement = agreement_from_spread(spread)
    return DimensionResult(
        key=key,
        mean=mean,
        spread=spread,
        respondents=len(values),
        agreement=agreement,
        low_agreement=agreement is not None and agreement < LOW_AGREEMENT_BELOW,
        importance=mean_of(importance),
        band=band_key(definition, mean),
    )


def _group_result(
    definition: Any, key: str, scored: Sequence[RespondentScore], min_group_size: int
) -> GroupResult:
    dimension_keys = [dimension.key for dimension in definition.dimensions]
    if len(scored) < min_group_size:
        return GroupResult(
            key, len(scored), False, {dimension: None for dimension in dimension_keys}, None
        )
    means = {}
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
    leadership_mean, front_line_mean = mean_of(leading), mean_of(serving)
    difference = leadership_mean - front_line_mean
    return Gap(key, leadership_mean, front_line_mean, difference, abs(difference) >= gap_threshold)


def _suppress_complement(
    groups: tuple[GroupResult, ...], kind_of: Mapping[str, str], minimum: int
) -> tuple[GroupResult, ...]:
    """Hide more groups when, on either side (leadership or front line), the hidden ones hold fewer than `minimum`.

    Otherwise the whole-round figures, or a side's pooled mean in a gap, minus the shown groups'
    would give away the hidden few (complementary suppression): the smallest shown group of the
    same side is hidden too, until that side's hidden total reaches the minimum.
    """
    groups = list(groups)
    for side in (
        LEADERSHIP,
        FRONT_LINE,
        None,
    ):  # each side for the gaps, then everyone for the whole-round figures

        def in_scope(group: GroupResult) -> bool:
            return side is None or kind_of.get(group.key) == side

        while (
            0
            < sum(group.respondents for group in groups if not group.shown and in_scope(group))
            < minimum
        ):
            shown = [index for index, group in enumerate(groups) if group.shown and in_scope(group)]
            if not shown:
                break
            smallest = min(shown, key=lambda index: groups[index].respondents)
            hidden = groups[smallest]
            groups[smallest] = GroupResult(
                hidden.key,
                hidden.respondents,
                False,
                {key: None for key in hidden.dimension_means},
                None,
            )
    return tuple(groups)


def score_round(
    definition: Any,
    respondents: Sequence[Respondent],
    *,
    min_group_size: int | None = None,
    gap_threshold: float = 15.0,
) -> RoundResult:
    """Score a round: dimension results, role groups (hidden below `min_group_size`), gaps and the overall band.

    `min_group_size` defaults to the definition's. Respondents whose role group the definition does not
    know count towards the dimension results but belong to no group and no side of a gap.
    """
    minimum = definition.min_group_size if min_group_size is None else min_group_size
    layout = _scored_dimensions(definition)
    scored = [
        (respondent.role_group, _score_respondent(definition, layout, respondent.answers))
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


def compare_rounds(previous: RoundResult, current: RoundResult) -> dict[str, float | None]:
    """Change of each of the current round's dimension means since `previous` (None when either is missing)."""
    before = previous.dimension_means()
    return {
        dimension.key: None
        if before.get(dimension.key) is None or dimension.mean is None
        else dimension.mean - before[dimension.key]
        for dimension in current.dimensions
    }


def benchmark(
    current_overall_by_dimension: Mapping[str, float | None],
    others: Sequence[Mapping[str, float | None]],
    *,
    min_organisations: int = 5,
) -> dict[str, tuple[float, float]] | None:
    """Compare this organisation with others: dimension → (median of the others, this − that median).

    None unless at least `min_organisations` organisations (this one included) have any result. A
    dimension is left out unless this one and enough others to reach `min_organisations` have a
    score for it, so that a median never stands for one or two identifiable organisations.
    """
    with_results = [
        scores
        for scores in (current_overall_by_dimension, *others)
        if any(value is not None for value in scores.values())
    ]
    if len(with_results) < min_organisations:
        return None
    comparison: dict[str, tuple[float, float]] = {}
    for key, value in current_overall_by_dimension.items():
        peers = [other[key] for other in others if other.get(key) is not None]
        if value is None or len(peers) + 1 < min_organisations or not peers:
            continue
        median = float(statistics.median(peers))
        comparison[key] = (median, value - median)
    return comparison
