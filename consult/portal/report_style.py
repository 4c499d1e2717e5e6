"""The look of the portal's PDF report: colours, fonts, styles, safe text and the house table.

No Flask, no database. The fonts are DejaVu Sans, shipped in static/fonts/ and embedded in every
PDF, so names in Greek, Turkish, Vietnamese or Cyrillic print as written (the PDF's built-in
Helvetica holds Latin-1 only). Every piece of text from outside goes through `markup` before it
meets reportlab's paragraph mini-markup, so names such as "Smith & Jones <North>" print as written.
Text drawn straight on the canvas (footer, chart labels, metadata) is not markup: `plain` only
drops the characters a PDF cannot hold.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table, TableStyle

from consult.config import PROJECT_ROOT
from consult.portal.definition import AssessmentDefinition

INK, MUTED, ACCENT = (
    colors.HexColor("#1F2933"),
    colors.HexColor("#52606D"),
    colors.HexColor("#0072B2"),
)
RULE, SHADE = colors.HexColor("#CBD2D9"), colors.HexColor("#F0F4F8")
MARGIN = 20 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
FONT_DIR = PROJECT_ROOT / "static" / "fonts"
FONT, BOLD_FONT = "DejaVuSans", "DejaVuSans-Bold"
# Registered once per process; reportlab keeps them by name and embeds the glyphs each PDF uses.
pdfmetrics.registerFont(TTFont(FONT, FONT_DIR / "DejaVuSans.ttf"))
pdfmetrics.registerFont(TTFont(BOLD_FONT, FONT_DIR / "DejaVuSans-Bold.ttf"))
# So that <b> in a paragraph picks the bold face (there is no italic one: italics print upright).
pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD_FONT, italic=FONT, boldItalic=BOLD_FONT)

_BASE = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK, spaceAfter=4)
STYLES = {
    "body": _BASE,
    "muted": ParagraphStyle("muted", _BASE, textColor=MUTED, fontSize=9, leading=12),
    "lead": ParagraphStyle("lead", _BASE, textColor=MUTED, fontSize=9, leading=12, keepWithNext=1),
    "kicker": ParagraphStyle(
        "kicker", _BASE, fontName=BOLD_FONT, fontSize=9, textColor=ACCENT, spaceAfter=2
    ),
    "title": ParagraphStyle(
        "title", _BASE, fontName=BOLD_FONT, fontSize=22, leading=27, spaceAfter=6
    ),
    "h2": ParagraphStyle(
        "h2",
        _BASE,
        fontName=BOLD_FONT,
        fontSize=14,
        leading=18,
        spaceBefore=12,
        spaceAfter=6,
        keepWithNext=1,
    ),
    "h3": ParagraphStyle(
        "h3",
        _BASE,
        fontName=BOLD_FONT,
        fontSize=12,
        leading=15,
        spaceBefore=8,
        spaceAfter=4,
        keepWithNext=1,
    ),
    "action": ParagraphStyle(
        "action", _BASE, fontName=BOLD_FONT, fontSize=10.5, spaceBefore=6, spaceAfter=2
    ),
    "cell": ParagraphStyle("cell", _BASE, fontSize=9, leading=11, spaceAfter=0),
    "head": ParagraphStyle(
        "head", _BASE, fontName=BOLD_FONT, fontSize=8.5, leading=10, spaceAfter=0
    ),
    "score": ParagraphStyle(
        "score", _BASE, fontName=BOLD_FONT, fontSize=16, leading=20, spaceBefore=6
    ),
}


def markup(value: object) -> str:
    """`value` ready for reportlab's mini-markup.

    Characters PDF text cannot hold are removed, markup escaped, newlines kept.
    """
    return escape(NOT_PRINTABLE.sub("", str(value))).replace("\n", "<br/>")


def plain(value: object) -> str:
    """`value` for text drawn straight on the canvas: no markup there, only unprintables to drop."""
    return NOT_PRINTABLE.sub("", str(value))


def paragraph(value: object, style: str = "body", *, bold_prefix: str = "") -> Paragraph:
    """`value` as a paragraph in one of STYLES, after an optional bold lead-in."""
    prefix = f"<b>{markup(bold_prefix)}</b> " if bold_prefix else ""
    return Paragraph(prefix + markup(value), STYLES[style])


def dimension_name(definition: AssessmentDefinition, key: str) -> str:
    """The name of dimension `key`, or the key itself when the definition has no such dimension."""
    return next(
        (dimension.name for dimension in definition.dimensions if dimension.key == key), key
    )


def day(value: date) -> str:
    """A date as the report writes it: 1 April 2025."""
    return f"{value.day} {value:%B %Y}"


def table(rows: list[list[Paragraph]], widths: Sequence[float]) -> Table:
    """A data table in the house look: shaded header row repeated on every page, thin rules."""
    data = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    data.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return data
