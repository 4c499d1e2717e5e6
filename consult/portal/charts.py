"""Server-made SVG charts for the portal: a radar of 0–100 dimension scores, accessible, no script.

Series differ by colour (the Okabe–Ito palette, safe for colour-blind readers), by dash pattern and
by marker shape, so no one has to tell them apart by colour alone. A missing value (None) is drawn
at the centre with a hollow marker. There are no style attributes and no scripts: presentation
attributes draw the chart and class names (`radar-series-0`, `radar-grid`…) let CSS restyle it.
"""

from __future__ import annotations

import hashlib
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASH_PATTERNS = ("", "8 4", "2 3", "10 3 2 3", "4 4", "1 5", "12 6")
MARKER_SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "cross", "bar")
RING_VALUES = (20, 40, 60, 80, 100)
LABEL_FONT_SIZE, RING_FONT_SIZE, LEGEND_FONT_SIZE = 13.0, 10.0, 13.0
LINE_HEIGHT = 1.25
# A generous average glyph width, in ems, so estimated boxes over- rather than under-shoot.
CHARACTER_WIDTH = 0.62
LABEL_CHARACTERS_PER_LINE = 16
MARKER_RADIUS = 4.5
PADDING = 12.0
CHART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class _Box:
    left: float
    top: float
    right: float
    bottom: float

    def union(self, other: _Box) -> _Box:
        return _Box(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )


def _text(value: str) -> str:
    """`value` fit for XML text: escaped, without the characters XML 1.0 cannot hold at all."""
    return escape(NOT_XML_CHARACTERS.sub("", value))


def _number(value: float) -> str:
    text = f"{value + 0.0:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text_width(text: str, font_size: float) -> float:
    return len(text) * font_size * CHARACTER_WIDTH


def wrap_label(label: str, width: int = LABEL_CHARACTERS_PER_LINE) -> list[str]:
    """`label` broken into lines of at most `width` characters, long words split; at least one."""
    return textwrap.wrap(label, width=width, break_long_words=True, break_on_hyphens=True) or [""]


def _clean_value(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return min(100.0, max(0.0, float(value)))


def _vertex(angle: float, radius: float) -> tuple[float, float]:
    return math.cos(angle) * radius, math.sin(angle) * radius


def _marker(shape: str, x: float, y: float, attributes: str, title: str) -> str:
    r = MARKER_RADIUS
    inner = f"<title>{_text(title)}</title>"
    if shape == "circle":
        return (
            f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{_number(r)}" {attributes}>'
            f"{inner}</circle>"
        )
    outlines = {
        "square": [(-r, -r), (r, -r), (r, r), (-r, r)],
        "triangle": [(0, -r * 1.2), (r * 1.1, r * 0.8), (-r * 1.1, r * 0.8)],
        "diamond": [(0, -r * 1.3), (r * 1.3, 0), (0, r * 1.3), (-r * 1.3, 0)],
        "triangle-down": [(0, r * 1.2), (r * 1.1, -r * 0.8), (-r * 1.1, -r * 0.8)],
        # A plus sign on a grid of thirds of the radius, clockwise from the left arm's top.
        "cross": [
            (column * r / 3, row * r / 3)
            for column, row in (
                *((-3, -1), (-1, -1), (-1, -3), (1, -3), (1, -1), (3, -1)),
                *((3, 1), (1, 1), (1, 3), (-1, 3), (-1, 1), (-3, 1)),
            )
        ],
        "bar": [(-r * 1.3, -r / 2), (r * 1.3, -r / 2), (r * 1.3, r / 2), (-r * 1.3, r / 2)],
    }[shape]
    path = "M" + " L".join(f"{_number(x + dx)} {_number(y + dy)}" for dx, dy in outlines) + " Z"
    return f'<path d="{path}" {attributes}>{inner}</path>'


def _axis_label(label: str, angle: float, radius: float) -> tuple[str, _Box]:
    """A wrapped axis label outside the rim, anchored away from the chart, and the box it covers."""
    lines = wrap_label(label)
    x, y = _vertex(angle, radius + 14)
    horizontal, vertical = math.cos(angle), math.sin(angle)
    anchor = "middle" if abs(horizontal) < 0.2 else ("start" if horizontal > 0 else "end")
    line_step = LABEL_FONT_SIZE * LINE_HEIGHT
    block_height = (len(lines) - 1) * line_step
    if vertical < -0.3:
        first_baseline = y - block_height - LABEL_FONT_SIZE * 0.3
    elif vertical > 0.3:
        first_baseline = y + LABEL_FONT_SIZE * 0.9
    else:
        first_baseline = y - block_height / 2 + LABEL_FONT_SIZE * 0.35
    width = max(_text_width(line, LABEL_FONT_SIZE) for line in lines)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    box = _Box(
        left,
        first_baseline - LABEL_FONT_SIZE,
        left + width,
        first_baseline + block_height + LABEL_FONT_SIZE * 0.35,
    )
    spans = "".join(
        f'<tspan x="{_number(x)}" y="{_number(first_baseline + index * line_step)}">'
        f"{_text(line)}</tspan>"
        for index, line in enumerate(lines)
    )
    return (
        f'<text class="radar-axis-label" text-anchor="{anchor}" '
        f'font-size="{_number(LABEL_FONT_SIZE)}" fill="#1a1a1a">{spans}</text>'
    ), box


def _series_drawing(
    index: int,
    name: str,
    values: Sequence[float | None],
    axes: Sequence[str],
    angles: Sequence[float],
    radius: float,
) -> str:
    colour, dashes = COLOURS[index % len(COLOURS)], DASH_PATTERNS[index % len(DASH_PATTERNS)]
    shape = MARKER_SHAPES[index % len(MARKER_SHAPES)]
    cleaned = [_clean_value(value) for value in values]
    points = [
        _vertex(angle, radius * (value or 0.0) / 100.0)
        for angle, value in zip(angles, cleaned, strict=True)
    ]
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    outline = " ".join(f"{_number(x)},{_number(y)}" for x, y in points)
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
            title = f"{name}, {axis}: {value:.0f}"
        parts.append(_marker(shape, x, y, attributes, title))
    parts.append("</g>")
    return "".join(parts)


def _legend(names: Sequence[str], left: float, top: float) -> tuple[str, _Box]:
    """One row per series: a line sample in its dash pattern with its marker, then its name."""
    row_height = LEGEND_FONT_SIZE * 1.8
    rows, widest = [], 0.0
    for index, name in enumerate(names):
        colour, dashes = COLOURS[index % len(COLOURS)], DASH_PATTERNS[index % len(DASH_PATTERNS)]
        middle = top + index * row_height + row_height / 2
        dash = f' stroke-dasharray="{dashes}"' if dashes else ""
        marker = _marker(
            MARKER_SHAPES[index % len(MARKER_SHAPES)],
            left + 16,
            middle,
            f'class="radar-legend-marker" fill="{colour}" stroke="{colour}" stroke-width="1"',
            name,
        )
        rows.append(
            f'<g class="radar-legend-item radar-legend-{index}">'
            f'<line x1="{_number(left)}" y1="{_number(middle)}" '
            f'x2="{_number(left + 32)}" y2="{_number(middle)}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>{marker}'
            f'<text x="{_number(left + 40)}" y="{_number(middle + LEGEND_FONT_SIZE * 0.35)}" '
            f'font-size="{_number(LEGEND_FONT_SIZE)}" fill="#1a1a1a">{_text(name)}</text></g>'
        )
        widest = max(widest, 40 + _text_width(name, LEGEND_FONT_SIZE))
    box = _Box(left, top, left + widest, top + len(names) * row_height)
    return f'<g class="radar-legend">{"".join(rows)}</g>', box


def radar_svg(
    *,
    axes: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    size: int = 420,
    title: str,
    description: str,
    chart_id: str | None = None,
) -> str:
    """An accessible SVG radar chart of 0–100 values, with a legend.

    Each (name, values) series is one outlined polygon.

    `size` is the rendered width in pixels; the viewBox grows to fit the wrapped axis labels and the
    legend. Values outside 0–100 are clipped; None (or NaN) is drawn at 0 with a hollow marker.
    `chart_id` prefixes the ids of <title> and <desc> (default: derived from the title and axes), so
    several charts can share a page. Raises ValueError for fewer than three axes, a series whose
    length differs from the axes', or an unusable chart_id.
    """
    if len(axes) < 3:
        raise ValueError("a radar chart needs at least three axes")
    for name, values in series:
        if len(values) != len(axes):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(axes)} axes")
    if chart_id is None:
        # A short stable name, not a secret.
        digest = hashlib.sha1("\x1f".join([title, *axes]).encode(), usedforsecurity=False)
        chart_id = "radar-" + digest.hexdigest()[:10]
    if not CHART_ID.match(chart_id):
        raise ValueError(
            "chart_id must start with a letter and hold only letters, digits, '-' and '_'"
        )

    radius = 150.0
    angles = [-math.pi / 2 + 2 * math.pi * index / len(axes) for index in range(len(axes))]
    box = _Box(-radius, -radius, radius, radius)
    grid = []
    for ring in RING_VALUES:
        corners = (_vertex(angle, radius * ring / 100) for angle in angles)
        ring_points = " ".join(f"{_number(x)},{_number(y)}" for x, y in corners)
        grid.append(
            f'<polygon class="radar-grid radar-grid-{ring}" points="{ring_points}" fill="none" '
            f'stroke="#c8c8c8" stroke-width="{"1.5" if ring == 100 else "1"}"/>'
        )
    for angle in angles:
        x, y = _vertex(angle, radius)
        grid.append(
            f'<line class="radar-axis" x1="0" y1="0" x2="{_number(x)}" y2="{_number(y)}" '
            f'stroke="#c8c8c8" stroke-width="1"/>'
        )
    for ring in RING_VALUES:
        grid.append(
            f'<text class="radar-ring-label" x="4" y="{_number(-radius * ring / 100 - 3)}" '
            f'font-size="{_number(RING_FONT_SIZE)}" fill="#595959">{ring}</text>'
        )
    labels = []
    for axis, angle in zip(axes, angles, strict=True):
        label, label_box = _axis_label(axis, angle, radius)
        labels.append(label)
        box = box.union(label_box)
    drawings = [
        _series_drawing(index, name, values, axes, angles, radius)
        for index, (name, values) in enumerate(series)
    ]
    legend, legend_box = (
        ("", None)
        if not series
        else _legend([name for name, _ in series], -radius, box.bottom + 24)
    )
    if legend_box is not None:
        box = box.union(legend_box)

    half_width = max(-box.left, box.right) + PADDING
    top, height = box.top - PADDING, box.bottom - box.top + 2 * PADDING
    rendered_height = size * height / (2 * half_width)
    title_id, description_id = f"{chart_id}-title", f"{chart_id}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar-chart" role="img" '
        f'aria-labelledby="{title_id} {description_id}" width="{size}" '
        f'height="{_number(rendered_height)}" '
        f'viewBox="{_number(-half_width)} {_number(top)} {_number(2 * half_width)} '
        f'{_number(height)}" '
        f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
        f'<title id="{title_id}">{_text(title)}</title>'
        f'<desc id="{description_id}">{_text(description)}</desc>'
        f'<g class="radar-grid-lines">{"".join(grid)}</g>'
        f'<g class="radar-axis-labels">{"".join(labels)}</g>'
        f"{''.join(drawings)}{legend}</svg>"
    )
