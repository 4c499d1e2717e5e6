"""Server-made SVG charts for the portal: a radar of 0–100 dimension scores, accessible, no script.

Series differ by colour (the Okabe–Ito palette, safe for colour-blind readers), by dash pattern and
by marker shape, so no one has to tell them apart by colour alone. A missing value (None) is drawn
at the centre with a hollow marker. There are no style attributes and no scripts: presentation
attributes draw the chart and class names (`radar-series-0`, `radar-grid`…) let CSS restyle it.

A chart is drawn at the width of its column, so its lettering shrinks with it. The compact variant
numbers the axes (the page prints the key) and letters everything larger relative to the chart,
so that drawn about 290 px wide, as on a 320 px phone, no text is smaller than 12 px.
"""

from __future__ import annotations

import hashlib
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from consult.portal.chart_shapes import (
    COLOURS,
    DASH_PATTERNS,
    MARKER_SHAPES,
    Box,
    marker,
    number,
    text,
    text_width,
)
from consult.portal.figures import score_text

RING_VALUES = (20, 40, 60, 80, 100)
LINE_HEIGHT = 1.25
LABEL_CHARACTERS_PER_LINE = 16
MARKER_RADIUS = 4.5
PADDING = 12.0
RADIUS = 150.0
CHART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Lettering:
    """Font sizes of a chart's texts, in the units of its viewBox."""

    label: float
    ring: float
    legend: float


WIDE = Lettering(label=13.0, ring=12.0, legend=13.0)
# Numbered axes leave room for large type: about 380 units wide, so drawn 290 px wide a ring
# value (17) is 13 px, a legend entry 15 px and an axis number 17 px.
COMPACT = Lettering(label=22.0, ring=17.0, legend=20.0)


def wrap_label(label: str, width: int = LABEL_CHARACTERS_PER_LINE) -> list[str]:
    """`label` broken into lines of at most `width` characters, long words split; at least one."""
    return textwrap.wrap(label, width=width, break_long_words=True, break_on_hyphens=True) or [""]


def _clean_value(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return min(100.0, max(0.0, float(value)))


def _vertex(angle: float, radius: float) -> tuple[float, float]:
    return math.cos(angle) * radius, math.sin(angle) * radius


def _axis_label(label: str, angle: float, size: float) -> tuple[str, Box]:
    """A wrapped axis label outside the rim, anchored away from the chart, and the box it covers."""
    lines = wrap_label(label)
    x, y = _vertex(angle, RADIUS + 14)
    horizontal, vertical = math.cos(angle), math.sin(angle)
    anchor = "middle" if abs(horizontal) < 0.2 else ("start" if horizontal > 0 else "end")
    line_step = size * LINE_HEIGHT
    block_height = (len(lines) - 1) * line_step
    if vertical < -0.3:
        first_baseline = y - block_height - size * 0.3
    elif vertical > 0.3:
        first_baseline = y + size * 0.9
    else:
        first_baseline = y - block_height / 2 + size * 0.35
    width = max(text_width(line, size) for line in lines)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    box = Box(
        left, first_baseline - size, left + width, first_baseline + block_height + size * 0.35
    )
    spans = "".join(
        f'<tspan x="{number(x)}" y="{number(first_baseline + index * line_step)}">'
        f"{text(line)}</tspan>"
        for index, line in enumerate(lines)
    )
    return (
        f'<text class="radar-axis-label" text-anchor="{anchor}" '
        f'font-size="{number(size)}" fill="#1a1a1a">{spans}</text>'
    ), box


def _series_drawing(
    index: int,
    name: str,
    values: Sequence[float | None],
    axes: Sequence[str],
    angles: Sequence[float],
) -> str:
    colour, dashes = COLOURS[index % len(COLOURS)], DASH_PATTERNS[index % len(DASH_PATTERNS)]
    shape = MARKER_SHAPES[index % len(MARKER_SHAPES)]
    cleaned = [_clean_value(value) for value in values]
    points = [
        _vertex(angle, RADIUS * (value or 0.0) / 100.0)
        for angle, value in zip(angles, cleaned, strict=True)
    ]
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    outline = " ".join(f"{number(x)},{number(y)}" for x, y in points)
    parts = [
        f'<g class="radar-series radar-series-{index}">',
        f'<polygon class="radar-area" points="{outline}" fill="{colour}" fill-opacity="0.12" '
        f'stroke="{colour}" stroke-width="2" stroke-linejoin="round"{dash}/>',
    ]
    for (x, y), value, axis in zip(points, cleaned, axes, strict=True):
        if value is None:
            attributes = (
                f'class="radar-marker radar-marker-{shape} radar-marker-missing" '
                f'fill="#ffffff" stroke="{colour}" stroke-width="1.5"'
            )
            title = f"{name}, {axis}: no score"
        else:
            attributes = (
                f'class="radar-marker radar-marker-{shape}" '
                f'fill="{colour}" stroke="{colour}" stroke-width="1"'
            )
            title = f"{name}, {axis}: {score_text(value)}"
        parts.append(marker(shape, x, y, MARKER_RADIUS, attributes, title))
    parts.append("</g>")
    return "".join(parts)


def _legend(names: Sequence[str], left: float, top: float, size: float) -> tuple[str, Box]:
    """One row per series: a line sample in its dash pattern with its marker, then its name."""
    row_height = size * 1.8
    rows, widest = [], 0.0
    for index, name in enumerate(names):
        colour, dashes = COLOURS[index % len(COLOURS)], DASH_PATTERNS[index % len(DASH_PATTERNS)]
        middle = top + index * row_height + row_height / 2
        dash = f' stroke-dasharray="{dashes}"' if dashes else ""
        sample = marker(
            MARKER_SHAPES[index % len(MARKER_SHAPES)],
            left + 16,
            middle,
            MARKER_RADIUS,
            f'class="radar-legend-marker" fill="{colour}" stroke="{colour}" stroke-width="1"',
            name,
        )
        rows.append(
            f'<g class="radar-legend-item radar-legend-{index}">'
            f'<line x1="{number(left)}" y1="{number(middle)}" '
            f'x2="{number(left + 32)}" y2="{number(middle)}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>{sample}'
            f'<text x="{number(left + 40)}" y="{number(middle + size * 0.35)}" '
            f'font-size="{number(size)}" fill="#1a1a1a">{text(name)}</text></g>'
        )
        widest = max(widest, 40 + text_width(name, size))
    box = Box(left, top, left + widest, top + len(names) * row_height)
    return f'<g class="radar-legend">{"".join(rows)}</g>', box


def _grid(angles: Sequence[float], ring_size: float) -> str:
    """The rings at every 20 with their values, and a spoke for each axis."""
    parts = []
    for ring in RING_VALUES:
        corners = (_vertex(angle, RADIUS * ring / 100) for angle in angles)
        ring_points = " ".join(f"{number(x)},{number(y)}" for x, y in corners)
        parts.append(
            f'<polygon class="radar-grid radar-grid-{ring}" points="{ring_points}" fill="none" '
            f'stroke="#c8c8c8" stroke-width="{"1.5" if ring == 100 else "1"}"/>'
        )
    for angle in angles:
        x, y = _vertex(angle, RADIUS)
        parts.append(
            f'<line class="radar-axis" x1="0" y1="0" x2="{number(x)}" y2="{number(y)}" '
            f'stroke="#c8c8c8" stroke-width="1"/>'
        )
    for ring in RING_VALUES:
        parts.append(
            f'<text class="radar-ring-label" x="4" y="{number(-RADIUS * ring / 100 - 3)}" '
            f'font-size="{number(ring_size)}" fill="#595959">{ring}</text>'
        )
    return f'<g class="radar-grid-lines">{"".join(parts)}</g>'


def radar_svg(
    *,
    axes: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    size: int = 420,
    title: str,
    description: str,
    chart_id: str | None = None,
    compact: bool = False,
) -> str:
    """An accessible SVG radar chart of 0–100 values, with a legend.

    Each (name, values) series is one outlined polygon.

    `size` is the rendered width in pixels; the viewBox grows to fit the wrapped axis labels and the
    legend. Values outside 0–100 are clipped; None (or NaN) is drawn at 0 with a hollow marker.
    `chart_id` prefixes the ids of <title> and <desc> (default: derived from the title and axes), so
    several charts can share a page. `compact` draws the axes numbered 1, 2, 3… in the order given
    (the page shows which is which) and letters every text larger, for narrow screens; markers
    still name their axis in full. Raises ValueError for fewer than three axes, a series whose
    length differs from the axes', or an unusable chart_id.
    """
    if len(axes) < 3:
        raise ValueError("a radar chart needs at least three axes")
    for name, values in series:
        if len(values) != len(axes):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(axes)} axes")
    if chart_id is None:
        # A short stable name, not a secret.
        digest = hashlib.sha1(
            "\x1f".join([title, *axes, str(compact)]).encode(), usedforsecurity=False
        )
        chart_id = "radar-" + digest.hexdigest()[:10]
    if not CHART_ID.match(chart_id):
        raise ValueError(
            "chart_id must start with a letter and hold only letters, digits, '-' and '_'"
        )

    lettering = COMPACT if compact else WIDE
    angles = [-math.pi / 2 + 2 * math.pi * index / len(axes) for index in range(len(axes))]
    box = Box(-RADIUS, -RADIUS, RADIUS, RADIUS)
    labels = []
    for position, (axis, angle) in enumerate(zip(axes, angles, strict=True), start=1):
        label, label_box = _axis_label(str(position) if compact else axis, angle, lettering.label)
        labels.append(label)
        box = box.union(label_box)
    drawings = [
        _series_drawing(index, name, values, axes, angles)
        for index, (name, values) in enumerate(series)
    ]
    legend = ""
    if series:
        legend, legend_box = _legend(
            [name for name, _ in series], -RADIUS, box.bottom + 24, lettering.legend
        )
        box = box.union(legend_box)

    half_width = max(-box.left, box.right) + PADDING
    top, height = box.top - PADDING, box.bottom - box.top + 2 * PADDING
    rendered_height = size * height / (2 * half_width)
    title_id, description_id = f"{chart_id}-title", f"{chart_id}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar-chart" role="img" '
        f'aria-labelledby="{title_id} {description_id}" width="{size}" '
        f'height="{number(rendered_height)}" '
        f'viewBox="{number(-half_width)} {number(top)} {number(2 * half_width)} '
        f'{number(height)}" '
        f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
        f'<title id="{title_id}">{text(title)}</title>'
        f'<desc id="{description_id}">{text(description)}</desc>'
        f"{_grid(angles, lettering.ring)}"
        f'<g class="radar-axis-labels">{"".join(labels)}</g>'
        f"{''.join(drawings)}{legend}</svg>"
    )
