"""The figures of the portal's PDF report: overall score, radar, dimensions, role groups and gaps.

No Flask, no database. Only for a round with enough respondents: the caller shows none of this
otherwise. A role group with too few respondents is named without figures, as on the results page.
"""

from __future__ import annotations

from collections.abc import Mapping

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from consult.portal.definition import AssessmentDefinition
from consult.portal.figures import NO_FIGURE, change_words, score_text, urgency_text
from consult.portal.report_chart import radar
from consult.portal.report_style import CONTENT_WIDTH, dimension_name, paragraph, table
from consult.portal.respondent_scoring import band_of
from consult.portal.scoring import RoundResult


def results_section(
    definition: AssessmentDefinition,
    result: RoundResult,
    change: Mapping[str, int | None] | None = None,
) -> list[Flowable]:
    """The figures: overall score and band, the radar, the dimension table, role groups and gaps.

    `change` maps dimensions to their change since the previous round (as `compare_rounds` gives
    it); without one the table has no column for it.
    """
    band = band_of(definition, result.overall)
    if band is None:
        summary = [paragraph("Too few questions were answered to give an overall score.")]
    else:
        summary = [
            paragraph(
                f"Overall readiness: {score_text(result.overall)} of 100 · {band.name}", "score"
            ),
            paragraph(band.description),
        ]
    missing = any(item.mean is None for item in result.dimensions)
    caption = "Scores out of 100 for the whole organisation." + (
        " A dimension without enough answers sits at the centre." if missing else ""
    )
    legend = (
        "Agreement: 100 when everyone answered alike. "
        "Urgency: how pressing people rated it, from 1 to 5."
    )
    chart = KeepTogether([radar(definition, result), paragraph(caption, "muted")])
    return [
        *summary,
        paragraph("Scores by dimension", "h2"),
        chart,
        paragraph(legend, "lead"),
        _dimension_table(definition, result, change or {}),
        *_groups(definition, result),
        *_gaps(definition, result),
    ]


def _dimension_table(
    definition: AssessmentDefinition, result: RoundResult, change: Mapping[str, int | None]
) -> Table:
    """One row per dimension: score, band, agreement, urgency and, if any, the change."""
    labels = ["Dimension", "Score", "Band", "Agreement", "Urgency (1–5)"]
    widths = [56 * mm, 15 * mm, 30 * mm, 25 * mm, 22 * mm]
    if change:
        labels.append("Change")
        widths.append(CONTENT_WIDTH - sum(widths))
    else:
        widths[0] += CONTENT_WIDTH - sum(widths)
    rows = [[paragraph(label, "head") for label in labels]]
    for item in result.dimensions:
        band = band_of(definition, item.mean)
        cells = [
            dimension_name(definition, item.key),
            score_text(item.mean),
            NO_FIGURE if band is None else band.name,
            score_text(item.agreement) + (" (low)" if item.low_agreement else ""),
            urgency_text(item.importance),
        ]
        if change:
            cells.append(change_words(change.get(item.key)))
        rows.append([paragraph(cell, "cell") for cell in cells])
    return table(rows, widths)


def _groups(definition: AssessmentDefinition, result: RoundResult) -> list[Flowable]:
    """Mean scores of the role groups large enough to show; the others named, without figures."""
    minimum = result.min_group_size or definition.min_group_size
    names = {group.key: group.name for group in definition.role_groups}
    shown = [group for group in result.groups if group.shown]
    hidden = [group for group in result.groups if not group.shown]
    small = [names.get(group.key, group.key) for group in hidden if group.respondents < minimum]
    # Groups large enough but hidden all the same, so that the small ones cannot be worked out
    # from the rest.
    withheld = [names.get(group.key, group.key) for group in hidden if group.respondents >= minimum]
    flowables: list[Flowable] = [
        paragraph("Role groups compared", "h2"),
        paragraph(
            f"A group's figures appear only when at least {minimum} people in it answered, "
            "so no one can be singled out.",
            "lead",
        ),
    ]
    if shown:
        header = [paragraph("Dimension", "head")] + [
            paragraph(names.get(group.key, group.key), "head") for group in shown
        ]
        rows = [header] + [
            [paragraph(dimension.name, "cell")]
            + [
                paragraph(score_text(group.dimension_means.get(dimension.key)), "cell")
                for group in shown
            ]
            for dimension in definition.dimensions
        ]
        rows.append(
            [paragraph("Overall", "head")]
            + [paragraph(score_text(group.overall), "head") for group in shown]
        )
        rows.append(
            [paragraph("Respondents", "cell")]
            + [paragraph(group.respondents, "cell") for group in shown]
        )
        first = 60 * mm
        flowables.append(table(rows, [first] + [(CONTENT_WIDTH - first) / len(shown)] * len(shown)))
    flowables.append(Spacer(1, 3 * mm))
    if small:
        flowables.append(
            paragraph(f"{', '.join(small)}: fewer than {minimum} respondents, so not shown.")
        )
    if withheld:
        flowables.append(
            paragraph(
                f"{', '.join(withheld)}: not shown either, so that the smaller groups' answers "
                "cannot be worked out from the others."
            )
        )
    return flowables


def _gaps(definition: AssessmentDefinition, result: RoundResult) -> list[Paragraph]:
    """Leadership/front-line gaps and low agreement, in sentences."""
    lines = []
    for gap in result.gaps:
        if gap.flagged and gap.shown_gap is not None:
            direction = "higher" if gap.shown_gap > 0 else "lower"
            # Only the difference, as on the results page: the two sides' means could help single
            # out a small group.
            lines.append(
                f"On {dimension_name(definition, gap.dimension)}, leaders score "
                f"{abs(gap.shown_gap)} points {direction} than the front line."
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
                f"People disagree a lot on {dimension_name(definition, item.key)}: "
                "that disagreement is worth a conversation of its own."
            )
    return [paragraph("What stands out", "h2")] + [paragraph("• " + line) for line in lines]
