"""The PDF report of an assessment round for the client portal: plain objects in, A4 PDF bytes out.

No Flask, no database. The document mirrors the portal's results page: a header with the round's
facts, the overall score and band, a radar chart of the dimensions, tables of dimensions and role
groups (a group with too few respondents shows no figures), leadership/front-line gaps in words
and the 30/60/90-day plan. A round with fewer respondents than the minimum group size shows no
figures at all, as on the page. The figures are laid out by `report_results`, the chart drawn by
`report_chart`, and text is made safe and styled by `report_style`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Protocol

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from consult.portal.definition import AssessmentDefinition
from consult.portal.plan import STATUS_NAMES
from consult.portal.report_results import results_section
from consult.portal.report_style import (
    CONTENT_WIDTH,
    FONT,
    MARGIN,
    MUTED,
    RULE,
    day,
    dimension_name,
    paragraph,
    plain,
)
from consult.portal.scoring import RoundResult


class ReportAction(Protocol):
    """What the report reads of an action of the plan (the portal's ActionItem has it all)."""

    @property
    def title(self) -> str: ...
    @property
    def dimension(self) -> str: ...
    @property
    def phase_days(self) -> int: ...
    @property
    def why(self) -> str: ...
    @property
    def steps(self) -> Sequence[str]: ...
    @property
    def effort(self) -> str: ...
    @property
    def impact(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def status_reason(self) -> str | None: ...
    @property
    def due_on(self) -> date | None: ...


def _footer(practice_name: str, site_url: str) -> Callable[[Canvas, BaseDocTemplate], None]:
    """The page callback drawing the practice, the site and the page number under a thin rule."""

    def draw(canvas: Canvas, document: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 15 * mm, A4[0] - MARGIN, 15 * mm)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        page = f"Page {document.page}"
        room = CONTENT_WIDTH - stringWidth(page, FONT, 8) - 6 * mm
        left = f"{plain(practice_name)} · {plain(site_url)}"
        # A very long name must not run into the page number.
        while left and stringWidth(left, FONT, 8) > room:
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
    definition: AssessmentDefinition,
    respondent_count: int,
) -> list[Flowable]:
    """The opening block: practice, assessment title, organisation and the round's facts."""
    people = "1 person" if respondent_count == 1 else f"{respondent_count} people"
    facts = Table(
        [
            [paragraph(label, "head"), paragraph(value, "cell")]
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
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return [
        paragraph(practice_name, "kicker"),
        paragraph(definition.title, "title"),
        paragraph(f"Results for {organisation_name}", "h3"),
        facts,
        Spacer(1, 6 * mm),
    ]


def _action(definition: AssessmentDefinition, action: ReportAction) -> KeepTogether:
    """One action: title, what it concerns, where it stands, why it matters, its numbered steps."""
    facts = [
        dimension_name(definition, action.dimension),
        f"effort {action.effort}",
        f"impact {action.impact}",
        STATUS_NAMES.get(action.status, str(action.status)),
    ]
    if action.due_on is not None:
        facts[-1] += f", due {day(action.due_on)}"
    parts: list[Flowable] = [
        paragraph(action.title, "action"),
        paragraph(" · ".join(facts), "muted"),
        paragraph(action.why),
    ]
    if action.steps:
        parts.append(
            ListFlowable(
                # types-reportlab wants Flowables here, though ListFlowable takes ListItems too.
                [ListItem(paragraph(step), leftIndent=14) for step in action.steps],  # type: ignore[misc]
                bulletType="1",
                bulletFormat="%s.",
                bulletFontName=FONT,
                bulletFontSize=10,
                leftIndent=14,
            )
        )
    if action.status_reason:
        parts.append(paragraph(action.status_reason, bold_prefix="Why not:"))
    parts.append(Spacer(1, 2 * mm))
    return KeepTogether(parts)


def _plan(definition: AssessmentDefinition, actions: Sequence[ReportAction]) -> list[Flowable]:
    """The action plan, grouped by phase (30, 60, 90 days), in the given order within a phase."""
    done = sum(1 for action in actions if action.status == "done")
    flowables: list[Flowable] = [
        paragraph("Your action plan", "h2"),
        paragraph(f"{done} of {len(actions)} done.", "lead"),
    ]
    for days in sorted({action.phase_days for action in actions}):
        flowables.append(paragraph(f"The first {days} days", "h3"))
        flowables.extend(
            _action(definition, action) for action in actions if action.phase_days == days
        )
    return flowables


def build_report_pdf(
    *,
    organisation_name: str,
    round_name: str,
    closed_on: str,
    definition: AssessmentDefinition,
    result: RoundResult,
    actions: Sequence[ReportAction],
    practice_name: str,
    site_url: str,
    change: Mapping[str, int | None] | None = None,
) -> bytes:
    """The round's results and action plan as an A4 PDF.

    Every page carries the practice, the site and the page number. `result` is the RoundResult of
    `definition` and `actions` the round's action items, in plan order; `change` the change of
    each dimension since the previous round, as `compare_rounds` gives it, when there was one. A
    round nobody answered gives a one-page PDF saying so; a round with fewer respondents than the
    minimum group size shows its plan but no figures, as the portal does.
    """
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=25 * mm,
        initialFontName=FONT,  # else every page also lists Helvetica, which cannot print Unicode
        title=plain(f"{definition.title}: {organisation_name}, {round_name}"),
        author=plain(practice_name),
        subject=plain(f"Results and action plan for {organisation_name}"),
        creator=plain(practice_name),
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
            paragraph(
                "No answers were submitted in this round, "
                "so there are no results or plan to report."
            )
        )
    elif result.respondent_count < minimum:
        story.append(
            paragraph(
                f"Fewer than {minimum} people submitted answers in this round. To protect them, "
                "no figures are shown."
            )
        )
    else:
        story.extend(results_section(definition, result, change))
    if result.respondent_count and actions:
        story.extend(_plan(definition, list(actions)))
    footer = _footer(practice_name, site_url)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
