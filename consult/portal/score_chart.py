"""The results page's radar of a round: the whole organisation, and leaders beside front line.

Pure: a definition and a scored round in, SVG text out. Drawn twice, wide and compact (numbered
axes, larger lettering), so the page can show the one that stays legible at the reader's width.
A closed round's figures never change, so `DrawnCharts` keeps the drawings of the rounds viewed
most recently.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from consult.portal.charts import radar_svg
from consult.portal.definition import AssessmentDefinition
from consult.portal.scoring import RoundResult

DESCRIPTION = "Each axis is a dimension scored 0 to 100; the table gives the same figures."


@dataclass(frozen=True)
class ScoreCharts:
    """The same radar drawn for wide screens and for narrow ones, with the axes' names in order."""

    wide: str
    compact: str
    axes: tuple[str, ...]


def score_charts(
    definition: AssessmentDefinition, result: RoundResult, *, organisation_name: str
) -> ScoreCharts:
    """The round's radar: the whole organisation, plus leadership and front line when shown."""
    keys = [dimension.key for dimension in definition.dimensions]
    series: list[tuple[str, list[float | None]]] = [
        ("Whole organisation", [result.dimension(key).mean for key in keys])
    ]
    if any(gap.gap is not None for gap in result.gaps):
        series.append(("Leadership", [result.gap(key).leadership_mean for key in keys]))
        series.append(("Front line", [result.gap(key).front_line_mean for key in keys]))
    axes = tuple(dimension.name for dimension in definition.dimensions)
    title = f"{organisation_name}: scores by dimension"
    return ScoreCharts(
        wide=radar_svg(
            axes=axes, series=series, title=title, description=DESCRIPTION, chart_id="scores-wide"
        ),
        compact=radar_svg(
            axes=axes,
            series=series,
            title=title,
            description=DESCRIPTION + " The axes are numbered as in the key below the chart.",
            chart_id="scores-compact",
            compact=True,
        ),
        axes=axes,
    )


class DrawnCharts:
    """Charts already drawn, by whatever decides the drawing (the round, its definition, the
    organisation's name). The `size` used most recently are kept; safe across threads.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._drawn: OrderedDict[Hashable, ScoreCharts] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, draw: Callable[[], ScoreCharts]) -> ScoreCharts:
        """The charts kept under `key`, else `draw()`'s, kept from now on."""
        with self._lock:
            if key in self._drawn:
                self._drawn.move_to_end(key)
                return self._drawn[key]
        charts = draw()
        with self._lock:
            self._drawn[key] = charts
            if len(self._drawn) > self._size:
                self._drawn.popitem(last=False)
        return charts
