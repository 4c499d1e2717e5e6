"""The SVG pieces the portal's charts are drawn from: safe text, numbers, boxes and markers.

Pure: plain values in, SVG text out. Presentation attributes only, never a style attribute, so the
site's Content-Security-Policy (no inline styles) holds and CSS can restyle by class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Series differ by colour (the Okabe–Ito palette, safe for colour-blind readers), dash and marker.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASH_PATTERNS = ("", "8 4", "2 3", "10 3 2 3", "4 4", "1 5", "12 6")
MARKER_SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "cross", "bar")
# A generous average glyph width, in ems, so estimated boxes over- rather than under-shoot.
CHARACTER_WIDTH = 0.62
NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Box:
    """A rectangle in the chart's coordinates, to grow the viewBox around what is drawn."""

    left: float
    top: float
    right: float
    bottom: float

    def union(self, other: Box) -> Box:
        """The smallest box holding both."""
        return Box(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )


def text(value: str) -> str:
    """`value` fit for XML text: escaped, without the characters XML 1.0 cannot hold at all."""
    return escape(NOT_XML_CHARACTERS.sub("", value))


def number(value: float) -> str:
    """A coordinate as short as it can be written: at most two decimals, no "-0"."""
    written = f"{value + 0.0:.2f}".rstrip("0").rstrip(".")
    return "0" if written in ("-0", "") else written


def text_width(value: str, font_size: float) -> float:
    """An estimate, on the generous side, of how wide `value` is drawn at `font_size`."""
    return len(value) * font_size * CHARACTER_WIDTH


def marker(shape: str, x: float, y: float, radius: float, attributes: str, title: str) -> str:
    """One of MARKER_SHAPES centred on (x, y), with a <title> naming what it marks."""
    r = radius
    inner = f"<title>{text(title)}</title>"
    if shape == "circle":
        return (
            f'<circle cx="{number(x)}" cy="{number(y)}" r="{number(r)}" {attributes}>'
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
    path = "M" + " L".join(f"{number(x + dx)} {number(y + dy)}" for dx, dy in outlines) + " Z"
    return f'<path d="{path}" {attributes}>{inner}</path>'
