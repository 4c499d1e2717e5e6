"""Rounds compared and organisations benchmarked on their dimension means. No Flask, no database.

Differences are worked out from the figures as shown (`figures.difference`), so they always agree
with the two numbers a reader sees side by side.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

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


def benchmark(
    current_overall_by_dimension: Mapping[str, float | None],
    others: Sequence[Mapping[str, float | None]],
    *,
    min_organisations: int = 5,
) -> dict[str, tuple[float, int]] | None:
    """This organisation against others: dimension → (median of the others, this − that median).

    The difference is between the two figures as shown.

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
    comparison: dict[str, tuple[float, int]] = {}
    for key, value in current_overall_by_dimension.items():
        peers = [peer for other in others if (peer := other.get(key)) is not None]
        if value is None or len(peers) + 1 < min_organisations or not peers:
            continue
        median = float(statistics.median(peers))
        shown = difference(value, median)
        if shown is not None:  # None only for a figure that is not a number (NaN)
            comparison[key] = (median, shown)
    return comparison
