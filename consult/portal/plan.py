"""The action plan drawn from a round's results: which dimensions come first, what to do by when.

Actions fall in phases of 30, 60 and 90 days.

Every dimension with a mean is ranked by a priority in [0, 1]:

    priority = 0.5 × shortfall + 0.3 × importance + 0.2 × gap

- shortfall  = (100 − mean) × weight, divided by the largest such value among the ranked dimensions
               (0 for all when every ranked dimension is at 100);
- importance = (mean importance answer − 1) / 4, or 0 when nobody rated the dimension's importance;
- gap        = |leadership mean − front-line mean| / 100, or 0 when there is no gap to show.

Higher priority ranks first; equal priorities (compared to 9 decimals, so rounding noise does not
decide) keep the definition's order. For each of the `top` first dimensions, the recommendations
the definition gives for that dimension's band become actions, ordered by phase (30, 60, 90 days)
then by the dimension's rank, then by the definition's order of recommendations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from consult.portal.definition import AssessmentDefinition, Recommendation
from consult.portal.scoring import RoundResult

SHORTFALL_SHARE, IMPORTANCE_SHARE, GAP_SHARE = 0.5, 0.3, 0.2
PHASE_DAYS = (30, 60, 90)
TIE_PRECISION = 9
# How the statuses of a tracked action read, on the results page, in the CSV and in the PDF.
STATUS_NAMES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "not_doing": "Not doing",
}


@dataclass(frozen=True)
class RankedDimension:
    """A dimension's place in the plan: its normalised components (each 0–1) and their priority."""

    key: str
    shortfall: float
    importance: float
    gap: float
    priority: float


@dataclass(frozen=True)
class PlannedAction:
    """A recommendation scheduled in a phase, with the rank (1 = first) of its dimension."""

    recommendation_key: str
    dimension: str
    phase_days: int
    title: str
    why: str
    steps: tuple[str, ...]
    effort: str
    impact: str
    blog_tags: tuple[str, ...]
    consultation_type: str | None
    priority_rank: int


@dataclass(frozen=True)
class ActionPlan:
    """Every scored dimension ranked by priority, and the actions for the first few of them."""

    ranked_dimensions: tuple[RankedDimension, ...]
    actions: tuple[PlannedAction, ...]


def rank_dimensions(
    definition: AssessmentDefinition, result: RoundResult
) -> tuple[RankedDimension, ...]:
    """Dimensions of `result` that have a mean, highest priority first.

    The formula is in the module docstring.
    """
    order = {dimension.key: index for index, dimension in enumerate(definition.dimensions)}
    weights = {dimension.key: dimension.weight for dimension in definition.dimensions}
    scored = [
        (dimension, mean)
        for dimension in result.dimensions
        if (mean := dimension.mean) is not None and dimension.key in order
    ]
    raw_shortfall = {
        dimension.key: max(0.0, 100.0 - mean) * weights[dimension.key] for dimension, mean in scored
    }
    largest = max(raw_shortfall.values(), default=0.0)
    gaps = {gap.dimension: gap.gap for gap in result.gaps}
    ranked: list[RankedDimension] = []
    for dimension, _ in scored:
        shortfall = raw_shortfall[dimension.key] / largest if largest > 0 else 0.0
        importance = 0.0 if dimension.importance is None else (dimension.importance - 1.0) / 4.0
        gap_value = gaps.get(dimension.key)
        gap = 0.0 if gap_value is None else min(1.0, abs(gap_value) / 100.0)
        priority = SHORTFALL_SHARE * shortfall + IMPORTANCE_SHARE * importance + GAP_SHARE * gap
        ranked.append(RankedDimension(dimension.key, shortfall, importance, gap, priority))
    ranked.sort(key=lambda item: (-round(item.priority, TIE_PRECISION), order[item.key]))
    return tuple(ranked)


def _planned(recommendation: Recommendation, rank: int) -> PlannedAction:
    return PlannedAction(
        recommendation_key=recommendation.key,
        dimension=recommendation.dimension,
        phase_days=recommendation.horizon_days,
        title=recommendation.title,
        why=recommendation.why,
        steps=tuple(recommendation.steps),
        effort=recommendation.effort,
        impact=recommendation.impact,
        blog_tags=tuple(recommendation.blog_tags),
        consultation_type=recommendation.consultation_type,
        priority_rank=rank,
    )


def build_action_plan(
    definition: AssessmentDefinition, result: RoundResult, *, top: int = 3
) -> ActionPlan:
    """Rank the round's dimensions; schedule the recommendations for the `top` first ones' bands."""
    ranked = rank_dimensions(definition, result)
    bands = {dimension.key: dimension.band for dimension in result.dimensions}
    actions: list[PlannedAction] = []
    for rank, dimension in enumerate(ranked[: max(top, 0)], start=1):
        band = bands[dimension.key]
        if band is None:
            continue
        actions.extend(
            _planned(recommendation, rank)
            for recommendation in definition.recommendations_for(dimension.key, band)
        )
    phase_order = {days: index for index, days in enumerate(PHASE_DAYS)}
    actions.sort(
        key=lambda action: (
            phase_order.get(action.phase_days, len(PHASE_DAYS)),
            action.phase_days,
            action.priority_rank,
        )
    )
    return ActionPlan(ranked, tuple(actions))


def phases(plan: ActionPlan) -> Mapping[int, tuple[PlannedAction, ...]]:
    """The plan's actions grouped by phase: {30: (...), 60: (...), 90: (...)}.

    Each phase keeps plan order, and is empty when it has no action.
    """
    grouped: dict[int, list[PlannedAction]] = {days: [] for days in PHASE_DAYS}
    for action in plan.actions:
        grouped.setdefault(action.phase_days, []).append(action)
    return {days: tuple(actions) for days, actions in grouped.items()}
