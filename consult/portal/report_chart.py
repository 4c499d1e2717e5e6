"""The radar chart of the portal's PDF report, drawn with reportlab graphics. No Flask, no database.

The web page draws its own radar as SVG (`charts`); this one matches it in look: dimension means
on 0–100, rings at every 20, labels wrapped the same way.
"""

from __future__ import annotations

import math

from reportlab.graphics.charts.spider import SpiderChart
from reportlab.graphics.shapes import Drawing, Polygon, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from consult.portal.charts import wrap_label
from consult.portal.definition import AssessmentDefinition
from consult.portal.report_style import ACCENT, CONTENT_WIDTH, FONT, INK, MUTED, RULE, plain
from consult.portal.scoring import RoundResult

RING_VALUES = (20, 40, 60, 80, 100)


class _FixedScaleSpiderChart(SpiderChart):
    """A spider chart whose outer edge is always 100, rather than the largest value plotted."""

    def normalizeData(self, outer: float = 0.0) -> list[list[float]]:
        self._norm = 100.0
        return [[min(100.0, max(0.0, value)) / 100.0 for value in row] for row in self.data]


def radar(definition: AssessmentDefinition, result: RoundResult) -> Drawing:
    """A radar of the organisation's dimension means on 0–100, with rings at every 20.

    A missing mean sits at the centre.
    """
    width, height, radius = CONTENT_WIDTH, 88 * mm, 32 * mm
    centre_x, centre_y = width / 2, height / 2
    drawing = Drawing(width, height, initialFontName=FONT)
    count = len(result.dimensions)
    # Clockwise from the top, as the chart draws its spokes.
    angles = [math.pi / 2 - 2 * math.pi * index / count for index in range(count)]
    # Ring values sit midway between the first two spokes, clear of the labels.
    between = angles[0] - math.pi / count
    for value in RING_VALUES:
        reach = radius * value / 100
        ring = [
            coordinate
            for angle in angles
            for coordinate in (
                centre_x + math.cos(angle) * reach,
                centre_y + math.sin(angle) * reach,
            )
        ]
        drawing.add(Polygon(ring, strokeColor=RULE, strokeWidth=0.5, fillColor=None))
        along = reach * math.cos(math.pi / count)  # from the centre to the middle of an edge
        drawing.add(
            String(
                centre_x + math.cos(between) * along + 1.5,
                centre_y + math.sin(between) * along + 1.5,
                str(value),
                fontName=FONT,
                fontSize=6.5,
                fillColor=MUTED,
            )
        )
    chart = _FixedScaleSpiderChart()
    # Set through setProperties: types-reportlab declares these int, reportlab takes any number.
    chart.setProperties(
        {"x": centre_x - radius, "y": centre_y - radius, "width": 2 * radius, "height": 2 * radius}
    )
    names = {dimension.key: dimension.name for dimension in definition.dimensions}
    chart.data = [[0.0 if item.mean is None else item.mean for item in result.dimensions]]
    chart.labels = [
        "\n".join(wrap_label(plain(names.get(item.key, item.key)), 20))
        for item in result.dimensions
    ]
    chart.spokes.strokeColor, chart.spokes.labelRadius = RULE, 1.08
    chart.spokeLabels.fontName, chart.spokeLabels.fontSize, chart.spokeLabels.fillColor = (
        FONT,
        8,
        INK,
    )
    chart.spokeLabels.leading = 9.5
    chart.strands[0].strokeColor, chart.strands[0].strokeWidth = ACCENT, 1.5
    chart.strands[0].fillColor = colors.Color(ACCENT.red, ACCENT.green, ACCENT.blue, alpha=0.18)
    chart.strands[0].symbol, chart.strands[0].symbolSize = "FilledCircle", 4
    drawing.add(chart)
    return drawing
