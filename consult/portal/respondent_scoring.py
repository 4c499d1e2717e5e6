"""One respondent's scores on the assessment, and the arithmetic every score of a round shares.

Plain data in, plain data out. A score is on 0–100: a 1..5 answer v (reversed as 6 − v when the
question is worded negatively) counts as (v − 1) / 4 × 100. "Not sure" (None) and unanswered
questions are left out, and a dimension needs at least half of its scale questions answered.

Sums go through math.fsum so that results do not depend on the order of the respondents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from consult.portal.definition import AssessmentDefinition, Band, Question
from consult.portal.figures import whole

AnswerValue = int | None | str
LOWEST_ANSWER, HIGHEST_ANSWER = 1, 5
LARGEST_SPREAD = 50.0  # the largest population standard deviation of values on 0–100


@dataclass(frozen=True)
class RespondentScore:
    """A respondent's scores: by dimension (None if too few answers), importance, overall, band."""

    dimension_scores: Mapping[str, float | None]
    importance: Mapping[str, int | None]
    overall: float | None
    band: str | None


@dataclass(frozen=True)
class ScoredDimension:
    """A dimension's scale questions and its importance question, looked up once per round."""

    key: str
    scale_questions: tuple[Question, ...]
    importance_question: Question | None


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
    """Agreement on 0–100: 100 × (1 − spread / 50), clipped.

    100 when all agree, 0 at the largest spread.
    """
    if spread is None:
        return None
    return min(100.0, max(0.0, 100.0 * (1.0 - spread / LARGEST_SPREAD)))


def weighted_overall(
    definition: AssessmentDefinition, scores: Mapping[str, float | None]
) -> float | None:
    """Weighted mean of the available dimension scores, the weights renormalised over them.

    None when there is none.
    """
    available = [
        (dimension.weight, score)
        for dimension in definition.dimensions
        if (score := scores.get(dimension.key)) is not None
    ]
    total_weight = math.fsum(weight for weight, _ in available)
    if not available or total_weight <= 0:
        return None
    # Clipped because rounding of the weights can land a hair outside 0–100.
    return min(
        100.0, max(0.0, math.fsum(weight * score for weight, score in available) / total_weight)
    )


def band_of(definition: AssessmentDefinition, score: float | None) -> Band | None:
    """The band `score` falls in as shown (rounded by `figures`); None when there is no score."""
    shown = whole(score)
    return None if shown is None else definition.band_for(shown)


def band_key(definition: AssessmentDefinition, score: float | None) -> str | None:
    """The key of the band `score` falls in as shown; None when there is no score."""
    band = band_of(definition, score)
    return None if band is None else band.key


def _answer_point(question: Question, answers: Mapping[str, AnswerValue]) -> int | None:
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


def scored_dimensions(definition: AssessmentDefinition) -> tuple[ScoredDimension, ...]:
    """Each dimension's questions, looked up once rather than once per respondent."""
    layout = []
    for dimension in definition.dimensions:
        importance: Question | None
        try:
            importance = definition.importance_question(dimension.key)
        except (LookupError, StopIteration, ValueError):
            importance = None
        layout.append(
            ScoredDimension(
                dimension.key, tuple(definition.scale_questions(dimension.key)), importance
            )
        )
    return tuple(layout)


def score_dimension(
    questions: Sequence[Question], answers: Mapping[str, AnswerValue]
) -> float | None:
    """Mean 0–100 score over a dimension's scale questions.

    None unless at least ceil(n/2) of them are answered.
    """
    points = []
    for question in questions:
        value = _answer_point(question, answers)
        if value is not None:
            value = HIGHEST_ANSWER + LOWEST_ANSWER - value if question.reverse else value
            points.append((value - LOWEST_ANSWER) / (HIGHEST_ANSWER - LOWEST_ANSWER) * 100.0)
    if not questions or len(points) < math.ceil(len(questions) / 2):
        return None
    return mean_of(points)


def score_respondent(
    definition: AssessmentDefinition, answers: Mapping[str, AnswerValue]
) -> RespondentScore:
    """Score one respondent's answers on `definition`.

    `answers` maps question keys to 1..5, None for "not sure", or str for free text.
    """
    return score_with_layout(definition, scored_dimensions(definition), answers)


def score_with_layout(
    definition: AssessmentDefinition,
    layout: Sequence[ScoredDimension],
    answers: Mapping[str, AnswerValue],
) -> RespondentScore:
    """As score_respondent, the dimensions' questions already looked up by `scored_dimensions`."""
    dimension_scores: dict[str, float | None] = {}
    importance: dict[str, int | None] = {}
    for dimension in layout:
        dimension_scores[dimension.key] = score_dimension(dimension.scale_questions, answers)
        question = dimension.importance_question
        importance[dimension.key] = None if question is None else _answer_point(question, answers)
    overall = weighted_overall(definition, dimension_scores)
    return RespondentScore(dimension_scores, importance, overall, band_key(definition, overall))
