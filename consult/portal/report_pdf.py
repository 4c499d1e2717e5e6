"""The PDF report of an assessment round for the client portal: plain objects in, A4 PDF bytes out. No Flask, no database.

The document mirrors the portal's results page: a header with the round's facts, the overall score
and band, a radar chart of the dimensions, tables of dimensions and role groups (a group with too
few respondents shows no figures), leadership/front-line gaps in words and the 30/60/90-day plan.
A round with fewer respondents than the minimum group size shows no figures at all, as on the page.

Every piece of text from outside goes through `_text` before it meets reportlab's paragraph
mini-markup, so names such as "Smith & Jones <North>" print as written. Text drawn straight on the
canvas (footer, chart labels, metadata) is not markup and is left unescaped.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.spider import SpiderChart
from reportlab.graphics.shapes import Drawing, Polygon, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from consult.portal.charts import wrap_label

# The same wording as the portal's results page (consult/portal/results.py, which cannot be imported here: it loads Flask).
STATUS_NAMES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "not_doing": "Not doing",
}
INK, MUTED, ACCENT = (
    colors.HexColor("#1F2933"),
    colors.HexColor("#52606D"),
    colors.HexColor("#0072B2"),
)
RULE, SHADE = colors.HexColor("#CBD2D9"), colors.HexColor("#F0F4F8")
MARGIN = 20 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
RING_VALUES = (20, 40, 60, 80, 100)
NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
NO_FIGURE = "–"

_BASE = ParagraphStyle(
    "body", fontName="Helvetica", fontSize=10, leading=14, textColor=INK, spaceAfter=4
)
STYLES = {
    "body": _BASE,
    "muted": ParagraphStyle("muted", _BASE, textColor=MUTED, fontSize=9, leading=12),
    "lead": ParagraphStyle("lead", _BASE, textColor=MUTED, fontSize=9, leading=12, keepWithNext=1),
    "kicker": ParagraphStyle(
        "kicker", _BASE, fontName="Helvetica-Bold", fontSize=9, textColor=ACCENT, spaceAfter=2
    ),
    "title": ParagraphStyle(
        "title", _BASE, fontName="Helvetica-Bold", fontSize=22, leading=27, spaceAfter=6
    ),
    "h2": ParagraphStyle(
        "h2",
        _BASE,
        fontName="Helvetica-Bold",
        fontSize=14,
        leading=18,
        spaceBefore=12,
        spaceAfter=6,
        keepWithNext=1,
    ),
    "h3": ParagraphStyle(
        "h3",
        _BASE,
        fontName="Helvetica-Bold",
        fontSize=12,
        leading=15,
        spaceBefore=8,
        spaceAfter=4,
        keepWithNext=1,
    ),
    "action": ParagraphStyle(
        "action", _BASE, fontName="Helvetica-Bold", fontSize=10.5, spaceBefore=6, spaceAfter=2
    ),
    "cell": ParagraphStyle("cell", _BASE, fontSize=9, leading=11, spaceAfter=0),
    "head": ParagraphStyle(
        "head", _BASE, fontName="Helvetica-Bold", fontSize=8.5, leading=10, spaceAfter=0
    ),
    "score": ParagraphStyle(
        "score", _BASE, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceBefore=6
    ),
}


def _text(value: object) -> str:
    """`value` ready for reportlab's mini-markup: characters PDF text cannot hold removed, markup escaped, newlines kept."""
    return escape(NOT_PRINTABLE.sub("", str(value))).replace("\n", "<br/>")


def _paragraph(value: object, style: str = "body", *, bold_prefix: str = "") -> Paragraph:
    prefix = f"<b>{_text(bold_prefix)}</b> " if bold_prefix else ""
    return Paragraph(prefix + _text(value), STYLES[style])


def _figure(value: float | None, pattern: str = "%.0f") -> str:
    return NO_FIGURE if value is None else pattern % value


def _dimension_name(definition: Any, key: str) -> str:
    return next(
        (dimension.name for dimension in definition.dimensions if dimension.key == key), key
    )


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _plain(value: object) -> str:
    """`value` for text drawn straight on the canvas (no markup there, only unprintable characters to drop)."""
    return NOT_PRINTABLE.sub("", str(value))


def _footer(practice_name: str, site_url: str):
    """The page callback drawing the practice, the site and the page number under a thin rule."""

    def draw(canvas, document) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 15 * mm, A4[0] - MARGIN, 15 * mm)
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(MUTED)
        page = f"Page {document.page}"
        room = CONTENT_WIDTH - stringWidth(page, "Helvetica", 8) - 6 * mm
        left = f"{_plain(practice_name)} · {_plain(site_url)}"
        while (
            left and stringWidth(left, "Helvetica", 8) > room
        ):  # a very long name must not run into the page number
            left = left[:-2] + "…"
        canvas.drawString(MARGIN, 11 * mm, left)
        canvas.drawRightString(A4[0] - MARGIN, 11 * mm, page)
        canvas.restoreState()

    return draw


def _header(
    *,
    practice_name: str,
    organisation_name: str,
    round_name: str,
    closed_on: str,
    definition: Any,
    respondent_count: int,
) -> list:
    """The opening block: practice, assessment title, organisation and the round's facts."""
    people = "1 person" if respondent_count == 1 else f"{respondent_count} people"
    facts = Table(
        [
            [_paragraph(label, "head"), _paragraph(value, "cell")]
            for label, value in (
                ("Organisation", organisation_name),
                ("Round", round_name),
                ("Closed on", closed_on),
                ("Respondents", people),
            )
        ],
        colWidths=(35 * mm, CONTENT_WIDTH - 35 * mm),
        hAlign="LEFT",
    )
    facts.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return [
        _paragraph(practice_name, "kicker"),
        _paragraph(definition.title, "title"),
        _paragraph(f"Results for {organisation_name}", "h3"),
        facts,
        Spacer(1, 6 * mm),
    ]


class _FixedScaleSpiderChart(SpiderChart):
    """A spider chart whose outer edge is always 100, rather than the largest value plotted."""

    def normalizeData(self, outer: float = 0.0):
        self._norm = 100.0
        return [[min(100.0, max(0.0, value)) / 100.0 for value in row] for row in self.data]


def _radar(definition: Any, result: Any) -> Drawing:
    """A radar of the organisation's dimension means on 0–100, with rings at every 20; a missing mean sits at the centre."""
    width, height, radius = CONTENT_WIDTH, 88 * mm, 32 * mm
    centre_x, centre_y = width / 2, height / 2
    drawing = Drawing(width, height)
    count = len(result.dimensions)
    angles = [
        math.pi / 2 - 2 * math.pi * index / count for index in range(count)
    ]  # clockwise from the top, as the chart
    between = (
        angles[0] - math.pi / count
    )  # ring values sit midway between the first two spokes, clear of the labels
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
        along = reach * math.cos(
            math.pi / count
        )  # the distance from the centre to the middle of a ring's edge
        drawing.add(
            String(
                centre_x + math.cos(between) * along + 1.5,
                centre_y + math.sin(between) * along + 1.5,
                str(value),
                fontName="Helvetica",
                fontSize=6.5,
                fillColor=MUTED,
            )
        )
    chart = _FixedScaleSpiderChart()
    chart.x, chart.y, chart.width, chart.height = (
        centre_x - radius,
        centre_y - radius,
        2 * radius,
        2 * radius,
    )
    names = {dimension.key: dimension.name for dimension in definition.dimensions}
    chart.data = [[0.0 if item.mean is None else item.mean for item in result.dimensions]]
    chart.labels = [
        "\n".join(wrap_label(_plain(names.get(item.key, item.key)), 20))
        for item in result.dimensions
    ]
    chart.spokes.strokeColor, chart.spokes.labelRadius = RULE, 1.08
    chart.spokeLabels.fontName, chart.spokeLabels.fontSize, chart.spokeLabels.fillColor = (
        "Helvetica",
        8,
        INK,
    )
    chart.spokeLabels.leading = 9.5
    chart.strands[0].strokeColor, chart.strands[0].strokeWidth = ACCENT, 1.5
    chart.strands[0].fillColor = colors.Color(ACCENT.red, ACCENT.green, ACCENT.blue, alpha=0.18)
    chart.strands[0].symbol, chart.strands[0].symbolSize = "FilledCircle", 4
    drawing.add(chart)
    return drawing


def _dimension_table(definition: Any, result: Any) -> Table:
    """One row per dimension: score, band, how far people agree and how urgent they rate it."""
    rows = [
        [
            _paragraph(label, "head")
            for label in ("Dimension", "Score", "Band", "Agreement", "Urgency (1–5)")
        ]
    ]
    for item in result.dimensions:
        agreement = _figure(item.agreement) + (" (low)" if item.low_agreement else "")
        band = NO_FIGURE if item.mean is None else definition.band_for(item.mean).name
        rows.append(
            [
                _paragraph(_dimension_name(definition, item.key), "cell"),
                _paragraph(_figure(item.mean), "cell"),
                _paragraph(band, "cell"),
                _paragraph(agreement, "cell"),
                _paragraph(_figure(item.importance, "%.1f"), "cell"),
            ]
        )
    return _table(rows, (62 * mm, 18 * mm, 35 * mm, 27 * mm, CONTENT_WIDTH - 142 * mm))


def _table(rows: list[list], widths: Sequence[float]) -> Table:
    """A data table in the house look: shaded header row repeated on every page, thin rules between rows."""
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _groups(definition: Any, result: Any) -> list:
    """Mean scores by role group for the groups large enough to show; the others named, without figures."""
    minimum = result.min_group_size or definition.min_group_size
    names = {group.key: group.name for group in definition.role_groups}
    shown = [group for group in result.groups if group.shown]
    hidden = [group for group in result.groups if not group.shown]
    small = [names.get(group.key, group.key) for group in hidden if group.respondents < minimum]
    # Groups large enough but hidden all the same, so that the small ones cannot be worked out from the rest.
    withheld = [names.get(group.key, group.key) for group in hidden if group.respondents >= minimum]
    flowables: list = [
        _paragraph("Role groups compared", "h2"),
        _paragraph(
            f"A group's figures appear only when at least {minimum} people in it answered, so no one can be singled out.",
            "lead",
        ),
    ]
    if shown:
        header = [_paragraph("Dimension", "head")] + [
            _paragraph(names.get(group.key, group.key), "head") for group in shown
        ]
        rows = [header] + [
            [_paragraph(dimension.name, "cell")]
            + [
                _paragraph(_figure(group.dimension_means.get(dimension.key)), "cell")
                for group in shown
            ]
            for dimension in definition.dimensions
        ]
        rows.append(
            [_paragraph("Overall", "head")]
            + [_paragraph(_figure(group.overall), "head") for group in shown]
        )
        rows.append(
            [_paragraph("Respondents", "cell")]
            + [_paragraph(group.respondents, "cell") for group in shown]
        )
        first = 60 * mm
        flowables.append(
            _table(rows, [first] + [(CONTENT_WIDTH - first) / len(shown)] * len(shown))
        )
    flowables.append(Spacer(1, 3 * mm))
    if small:
        flowables.append(
            _paragraph(f"{', '.join(small)}: fewer than {minimum} respondents, so not shown.")
        )
    if withheld:
        flowables.append(
            _paragraph(
                f"{', '.join(withheld)}: not shown either, so that the smaller groups' answers "
                "cannot be worked out from the others."
            )
        )
    return flowables


def _gaps(definition: Any, result: Any) -> list:
    """Leadership/front-line gaps and low agreement, in sentences."""
    lines = []
    for gap in result.gaps:
        if gap.flagged and gap.gap is not None:
            direction = "higher" if gap.gap > 0 else "lower"
            # Only the difference, as on the results page: the two sides' means could help single out a small group.
            lines.append(
                f"On {_dimension_name(definition, gap.dimension)}, leaders score {abs(gap.gap):.0f} points "
                f"{direction} than the front line."
            )
    if not lines:
        compared = any(gap.gap is not None for gap in result.gaps)
        lines.append(
            "Leaders and the front line see every dimension much alike."
            if compared
            else "Too few people answered on one side to compare leaders with the front line."
        )
    for item in result.dimensions:
        if item.low_agreement:
            lines.append(
                f"People disagree a lot on {_dimension_name(definition, item.key)}: "
                "that disagreement is worth a conversation of its own."
            )
    return [_paragraph("What stands out", "h2")] + [_paragraph("• " + line) for line in lines]


def _action(definition: Any, action: Any) -> KeepTogether:
    """One action: title, what it concerns and where it stands, why it matters and its numbered steps."""
    facts = [
        _dimension_name(definition, action.dimension),
        f"effort {action.effort}",
        f"impact {action.impact}",
        STATUS_NAMES.get(action.status, str(action.status)),
    ]
    if action.due_on is not None:
        facts[-1] += f", due {_day(action.due_on)}"
    parts: list = [
        _paragraph(action.title, "action"),
        _paragraph(" · ".join(facts), "muted"),
        _paragraph(action.why),
    ]
    if action.steps:
        parts.append(
            ListFlowable(
                [ListItem(_paragraph(step), leftIndent=14) for step in action.steps],
                bulletType="1",
                bulletFormat="%s.",
                bulletFontName="Helvetica",
                bulletFontSize=10,
                leftIndent=14,
            )
        )
    if action.status_reason:
        parts.append(_paragraph(action.status_reason, bold_prefix="Why not:"))
    parts.append(Spacer(1, 2 * mm))
    return KeepTogether(parts)


def _plan(definition: Any, actions: Sequence[Any]) -> list:
    """The action plan, grouped by phase (30, 60, 90 days), keeping the given order within a phase."""
    done = sum(1 for action in actions if action.status == "done")
    flowables: list = [
        _paragraph("Your action plan", "h2"),
        _paragraph(f"{done} of {len(actions)} done.", "lead"),
    ]
    for days in sorted({action.phase_days for action in actions}):
        flowables.append(_paragraph(f"The first {days} days", "h3"))
        flowables.extend(
            _action(definition, action) for action in actions if action.phase_days == days
        )
    return flowables


def _results(definition: Any, result: Any) -> list:
    """The figures: overall score and band, the radar, the dimension table, role groups and gaps."""
    if result.overall is None:
        summary = [_paragraph("Too few questions were answered to give an overall score.")]
    else:
        band = definition.band_for(result.overall)
        summary = [
            _paragraph(f"Overall readiness: {result.overall:.0f} of 100 · {band.name}", "score"),
            _paragraph(band.description),
        ]
    missing = any(item.mean is None for item in result.dimensions)
    caption = "Scores out of 100 for the whole organisation." + (
        " A dimension without enough answers sits at the centre." if missing else ""
    )
    legend = "Agreement: 100 when everyone answered alike. Urgency: how pressing people rated it, from 1 to 5."
    chart = KeepTogether([_radar(definition, result), _paragraph(caption, "muted")])
    return [
        *summary,
        _paragraph("Scores by dimension", "h2"),
        chart,
        _paragraph(legend, "lead"),
        _dimension_table(definition, result),
        *_groups(definition, result),
        *_gaps(definition, result),
    ]


def build_report_pdf(
    *,
    organisation_name: str,
    round_name: str,
    closed_on: str,
    definition: Any,
    result: Any,
    actions: Sequence[Any],
    practice_name: str,
    site_url: str,
) -> bytes:
    """The round's results and action plan as an A4 PDF, with the practice, site and page number on every page.

    `definition` is an AssessmentDefinition, `result` a RoundResult of it and `actions` the round's
    action items (anything with their attributes), in plan order. A round nobody answered gives a
    one-page PDF saying so; a round with fewer respondents than the minimum group size shows its plan
    but no figures, as the portal does.
    """
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=25 * mm,
        title=_plain(f"{definition.title}: {organisation_name}, {round_name}"),
        author=_plain(practice_name),
        subject=_plain(f"Results and action plan for {organisation_name}"),
        creator=_plain(practice_name),
    )
    story = _header(
        practice_name=practice_name,
        organisation_name=organisation_name,
        round_name=round_name,
        closed_on=closed_on,
        definition=definition,
        respondent_count=result.respondent_count,
    )
    minimum = result.min_group_size or definition.min_group_size
    if result.respondent_count == 0:
        story.append(
            _paragraph(
                "No answers were submitted in this round, so there are no results or plan to report."
            )
        )
    elif result.respondent_count < minimum:
        story.append(
            _paragraph(
                f"Fewer than {minimum} people submitted answers in this round. To protect them, "
                "no figures are shown."
            )
        )
    else:
        story.extend(_results(definition, result))
    if result.respondent_count and actions:
        story.extend(_plan(definition, list(actions)))
    footer = _footer(practice_name, site_url)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
