"""Rounds compared and organisations benchmarked on their dimension means. No Flask, no database.

Differences are worked out from the figures as shown (`figures.difference`), so they always agree
with the two numbers a reader sees side by side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from consult.portal.figures import difference
from consult.portal.scoring import RoundResult


def compare_rounds(previous: RoundResult, current: RoundResult) -> dict[str, int | None]:
    """Change of each of the current round's dimension means since `previous`, as shown.

    None for a dimension when either mean is missing.
    """
    before = previous.dimension_means()
    return {
        dimension.key: difference(dimension.mean, before.get(dimension.key))
        for dimension in current.dimensions
    }


# Bump when the layout `peer_figures` writes changes: older stored figures are then made again.
FIGURES_FORMAT = 1


def peer_figures(latest: Iterable[Mapping[str, float | None]]) -> dict[str, Any]:
    """What `benchmark` needs of every organisation's latest dimension means, as JSON values whose
    size does not grow with their number: how many organisations have any score and, for each
    dimension, how many scores there are and the few middle ones of their sorted values (enough
    for the median of all of them, or of all but any one).
    """
    with_results = 0
    scores: dict[str, list[float]] = {}
    for means in latest:
        with_results += any(value is not None for value in means.values())
        for key, value in means.items():
            if value is not None:
                scores.setdefault(key, []).append(value)
    dimensions = {}
    for key, values in scores.items():
        values.sort()
        start = max(0, len(values) // 2 - 2)
        dimensions[key] = {
            "count": len(values),
            "start": start,
            "middle": values[start : len(values) // 2 + 2],
        }
    return {"format": FIGURES_FORMAT, "organisations": with_results, "dimensions": dimensions}


def benchmark(
    current_overall_by_dimension: Mapping[str, float | None],
    figures: Mapping[str, Any],
    *,
    counted: Mapping[str, float | None] | None = None,
    min_organisations: int = 5,
) -> dict[str, tuple[float, int]] | None:
    """This organisation against the others: dimension → (median of the others, this − that
    median). The difference is between the two figures as shown.

    `figures` are `peer_figures` of the organisations' latest means; `counted` is this
    organisation's own entry among them (its latest closed round), left out of the comparison.

    None unless at least `min_organisations` organisations (this one included) have any result. A
    dimension is left out unless this one and enough others to reach `min_organisations` have a
    score for it, so that a median never stands for one or two identifiable organisations.
    """
    counted = counted or {}
    others = figures["organisations"] - any(value is not None for value in counted.values())
    has_any = any(value is not None for value in current_overall_by_dimension.values())
    if others + has_any < min_organisations:
        return None
    comparison: dict[str, tuple[float, int]] = {}
    for key, value in current_overall_by_dimension.items():
        scored = figures["dimensions"].get(key)
        if value is None or scored is None:
            continue
        own = counted.get(key)
        peers = scored["count"] - (own is not None)
        if peers + 1 < min_organisations or not peers:
            continue
        median = _median_without(scored, own)
        shown = difference(value, median)
        if shown is not None:  # None only for a figure that is not a number (NaN)
            comparison[key] = (median, shown)
    return comparison


def _median_without(scored: Mapping[str, Any], removed: float | None) -> float:
    """The median of one dimension's sorted scores, less one score equal to `removed` if given.

    Without that score, the k-th smallest is the k-th of all when smaller than it, else the next.
    """
    start, middle = scored["start"], scored["middle"]

    def nth(index: int) -> float:
        value: float = middle[index - start]
        if removed is None or value < removed:
            return value
        following: float = middle[index + 1 - start]
        return following

    size = scored["count"] - (removed is not None)
    half = size // 2
    return float(nth(half) if size % 2 else (nth(half - 1) + nth(half)) / 2)
