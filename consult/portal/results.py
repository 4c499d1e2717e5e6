"""Results of a closed round: the page with its chart and plan, the PDF report, and the answers.

Tracking the plan's actions and its CSV export are in `tracking`.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlmodel import col, select

from consult.accounts.models import User
from consult.audit.web import audit
from consult.booking.models import ConsultationType
from consult.clock import app_now
from consult.db import get_session
from consult.portal import service
from consult.portal.benchmarking import standing_among_peers
from consult.portal.comparison import compare_rounds
from consult.portal.definition import AssessmentDefinition
from consult.portal.figures import change_words, score_text, signed, urgency_text
from consult.portal.models import ActionItem, ActionNote, AssessmentRound, Response, stored_id
from consult.portal.plan import STATUS_NAMES, rank_dimensions
from consult.portal.report_pdf import build_report_pdf
from consult.portal.respondent_scoring import band_of
from consult.portal.responses import response_status
from consult.portal.rounds import close_round, closed_round_result
from consult.portal.routes import (
    Access,
    _access,
    _definition_of,
    _round_or_404,
    assessments,
    blueprint,
)
from consult.portal.score_chart import DrawnCharts, ScoreCharts, score_charts
from consult.portal.scoring import RoundResult
from consult.site.kept_pages import kept_for_the_visitor
from consult.urls import site_root

# Every figure a template shows goes through the one rounding rule of `figures`.
for name, rounding in (
    ("score", score_text),
    ("urgency", urgency_text),
    ("change_words", change_words),
    ("signed", signed),
):
    blueprint.add_app_template_filter(rounding, name)
blueprint.add_app_template_global(band_of, "band_of")


@blueprint.route("/o/<organisation_id>/r/<round_id>/close", methods=["GET", "POST"])
def close(organisation_id: str, round_id: str) -> ResponseReturnValue:
    """GET asks the owner to confirm, saying how many have answered; POST closes the round."""
    access = _access(organisation_id, owner=True)
    assessment_round = _round_or_404(access, round_id)
    if request.method == "GET":
        if assessment_round.status != "open":
            return redirect(url_for("portal.organisation", organisation_id=organisation_id))
        progress = response_status(get_session(), assessment_round)
        return render_template(
            "portal/close_round.html",
            access=access,
            assessment_round=assessment_round,
            submitted=list(progress.values()).count("submitted"),
            member_count=len(service.members(get_session(), access.organisation)),
        )
    close_round(
        session=get_session(),
        assessment_round=assessment_round,
        definition=_definition_of(assessment_round),
        now=app_now(),
    )
    get_session().commit()
    return redirect(
        url_for("portal.results", organisation_id=organisation_id, round_id=round_id), 303
    )


def _previous_round(assessment_round: AssessmentRound) -> AssessmentRound | None:
    return (
        get_session()
        .exec(
            select(AssessmentRound)
            .where(
                AssessmentRound.organisation_id == assessment_round.organisation_id,
                AssessmentRound.status == "closed",
                col(AssessmentRound.closed_at) < assessment_round.closed_at,
            )
            .order_by(col(AssessmentRound.closed_at).desc())
        )
        .first()
    )


def _change_since(
    previous: AssessmentRound | None, definition: AssessmentDefinition, result: RoundResult
) -> dict[str, int | None]:
    """Each dimension's change since `previous`, when it used the same version (else none)."""
    if previous is None or previous.definition_version != definition.version:
        return {}
    return compare_rounds(closed_round_result(get_session(), previous, definition), result)


def _closed_round(
    organisation_id: str, round_id: str
) -> tuple[Access, AssessmentRound, AssessmentDefinition, RoundResult]:
    """The asker's access, the closed round, its definition and its scored result.

    404 for an open round.
    """
    access = _access(organisation_id)
    assessment_round = _round_or_404(access, round_id)
    if assessment_round.status != "closed":
        abort(404)
    definition = _definition_of(assessment_round)
    return (
        access,
        assessment_round,
        definition,
        closed_round_result(get_session(), assessment_round, definition),
    )


@blueprint.get("/o/<organisation_id>/r/<round_id>/results")
@kept_for_the_visitor
def results(organisation_id: str, round_id: str) -> ResponseReturnValue:
    access, assessment_round, definition, result = _closed_round(organisation_id, round_id)
    db = get_session()
    if result.respondent_count < definition.min_group_size:
        return render_template(
            "portal/results.html",
            access=access,
            assessment_round=assessment_round,
            definition=definition,
            result=result,
            actions=[],
            history=[],
            statuses=STATUS_NAMES,
        )
    previous = _previous_round(assessment_round)
    change = _change_since(previous, definition, result)
    standing = standing_among_peers(db, assessment_round, result.dimension_means())
    db.commit()  # the comparison's figures, when this page had to make them
    charts = _charts(assessment_round, definition, result, access.organisation.name)
    actions = db.exec(
        select(ActionItem)
        .where(ActionItem.round_id == assessment_round.id)
        .order_by(col(ActionItem.position))
    ).all()
    notes = _notes_by_action([stored_id(action) for action in actions])
    history = (
        db.exec(
            select(ActionItem)
            .join(AssessmentRound, col(AssessmentRound.id) == col(ActionItem.round_id))
            .where(
                AssessmentRound.organisation_id == access.organisation.id,
                ActionItem.round_id != assessment_round.id,
            )
        ).all()
        if previous
        else []
    )
    return render_template(
        "portal/results.html",
        access=access,
        assessment_round=assessment_round,
        definition=definition,
        result=result,
        # radar_svg escapes every text it draws
        chart=Markup(charts.wide),  # noqa: S704
        compact_chart=Markup(charts.compact),  # noqa: S704
        chart_axes=charts.axes,
        change=change,
        standing=standing,
        ranked=rank_dimensions(definition, result),
        actions=actions,
        notes=notes,
        history=history,
        statuses=STATUS_NAMES,
        people=service.members(db, access.organisation),
        public_tags=_public_tag_slugs(),
        bookable_types=_bookable_type_names(
            {action.consultation_type for action in actions if action.consultation_type}
        ),
    )


def _bookable_type_names(slugs: set[str]) -> dict[str, str]:
    """The names of the consultation types the plan recommends, by slug; one the consultant has
    withdrawn is left out, so the plan offers no link to a page that would turn the member away.
    """
    if not slugs:
        return {}
    rows = get_session().exec(
        select(ConsultationType.slug, ConsultationType.name).where(
            col(ConsultationType.slug).in_(slugs), col(ConsultationType.is_active)
        )
    )
    return dict(rows.all())


def _charts(
    assessment_round: AssessmentRound,
    definition: AssessmentDefinition,
    result: RoundResult,
    organisation_name: str,
) -> ScoreCharts:
    """The round's radar, drawn on its first view in this process (a closed round's figures
    never change; a renamed organisation or a changed definition draws it again).
    """
    drawn: DrawnCharts = current_app.extensions.setdefault("consult.portal.charts", DrawnCharts())
    return drawn.get(
        (assessment_round.public_id, definition, organisation_name),
        lambda: score_charts(definition, result, organisation_name=organisation_name),
    )


def _notes_by_action(action_ids: list[int]) -> dict[int, list[ActionNote]]:
    notes: dict[int, list[ActionNote]] = {}
    if action_ids:
        for note in (
            get_session()
            .exec(
                select(ActionNote)
                .where(col(ActionNote.action_item_id).in_(action_ids))
                .order_by(col(ActionNote.created_at))
            )
            .all()
        ):
            notes.setdefault(note.action_item_id, []).append(note)
    return notes


def _public_tag_slugs() -> set[str]:
    return set(current_app.extensions["consult.blog"].index().public_view(app_now()).tags)


@blueprint.get("/o/<organisation_id>/r/<round_id>/report.pdf")
def report_pdf(organisation_id: str, round_id: str) -> ResponseReturnValue:
    """The results and the plan as a printable PDF, with the chart."""
    access, assessment_round, definition, result = _closed_round(organisation_id, round_id)
    db = get_session()
    actions = db.exec(
        select(ActionItem)
        .where(ActionItem.round_id == assessment_round.id)
        .order_by(col(ActionItem.position))
    ).all()
    if assessment_round.closed_at is None:  # closing sets it with the status: never the case
        abort(404)
    site = current_app.extensions["consult.site"]
    pdf = build_report_pdf(
        organisation_name=access.organisation.name,
        round_name=assessment_round.name,
        closed_on=assessment_round.closed_at.astimezone(site.time_zone).strftime("%-d %B %Y"),
        definition=definition,
        result=result,
        change=_change_since(_previous_round(assessment_round), definition, result),
        actions=actions,
        practice_name=site.practice_name,
        site_url=site_root(),
    )
    return current_app.response_class(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="results-{assessment_round.public_id}.pdf"'
            )
        },
    )


@blueprint.get("/o/<organisation_id>/r/<round_id>/responses")
def individual_responses(organisation_id: str, round_id: str) -> ResponseReturnValue:
    """Each person's own answers: for the consultant's eyes only, never the organisation's."""
    access = _access(organisation_id)
    if not access.is_consultant:
        abort(404)
    assessment_round = _round_or_404(access, round_id)
    definition = assessments().get(
        assessment_round.definition_key, assessment_round.definition_version
    )
    # The organisation sees in its activity that the consultant read them, and when.
    audit(
        "answers.viewed",
        organisation_id=access.organisation.id,
        details={"round": assessment_round.name, "round_id": assessment_round.public_id},
    )
    rows = (
        get_session()
        .exec(
            select(Response, User)
            .join(User, col(User.id) == col(Response.user_id), isouter=True)
            .where(Response.round_id == assessment_round.id)
            .order_by(User.name)
        )
        .all()
    )
    get_session().commit()
    return render_template(
        "portal/responses.html",
        access=access,
        assessment_round=assessment_round,
        definition=definition,
        rows=rows,
    )
