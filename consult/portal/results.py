"""Results and the action plan of a closed round, its tracking, and its CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlmodel import select

from consult.accounts.models import User
from consult.clock import app_now
from consult.db import get_session
from consult.portal import service
from consult.portal.charts import radar_svg
from consult.portal.comparison import benchmark, compare_rounds
from consult.portal.models import (
    ACTION_STATUSES,
    ActionItem,
    ActionNote,
    AssessmentRound,
    Membership,
    Response,
)
from consult.portal.plan import rank_dimensions
from consult.portal.report_pdf import build_report_pdf
from consult.portal.rounds import close_round, score_submitted
from consult.portal.routes import _access, _round_or_404, assessments, blueprint

STATUS_NAMES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "not_doing": "Not doing",
}


@blueprint.post("/o/<organisation_id>/r/<round_id>/close")
def close(organisation_id: str, round_id: str):
    access = _access(organisation_id, owner=True)
    assessment_round = _round_or_404(access, round_id)
    definition = assessments().get(
        assessment_round.definition_key, assessment_round.definition_version
    )
    close_round(
        session=get_session(),
        assessment_round=assessment_round,
        definition=definition,
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
                AssessmentRound.closed_at < assessment_round.closed_at,
            )
            .order_by(AssessmentRound.closed_at.desc())
        )
        .first()
    )


def _others_for_benchmark(assessment_round: AssessmentRound) -> list[dict]:
    """The latest closed result of every other organisation on the same assessment version (one query)."""
    rows = (
        get_session()
        .exec(
            select(AssessmentRound)
            .where(
                AssessmentRound.status == "closed",
                AssessmentRound.organisation_id != assessment_round.organisation_id,
                AssessmentRound.definition_key == assessment_round.definition_key,
                AssessmentRound.definition_version == assessment_round.definition_version,
            )
            .order_by(AssessmentRound.closed_at)
        )
        .all()
    )
    latest = {row.organisation_id: row.result["dimension_means"] for row in rows if row.result}
    return list(latest.values())


def _closed_round(organisation_id: str, round_id: str):
    """The asker's access, the closed round, its definition and its scored result; 404 for an open round."""
    access = _access(organisation_id)
    assessment_round = _round_or_404(access, round_id)
    if assessment_round.status != "closed":
        abort(404)
    definition = assessments().get(
        assessment_round.definition_key, assessment_round.definition_version
    )
    return (
        access,
        assessment_round,
        definition,
        score_submitted(get_session(), assessment_round, definition),
    )


@blueprint.get("/o/<organisation_id>/r/<round_id>/results")
def results(organisation_id: str, round_id: str):
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
    change = (
        compare_rounds(score_submitted(db, previous, definition), result)
        if previous and previous.definition_version == definition.version
        else {}
    )
    standing = benchmark(result.dimension_means(), _others_for_benchmark(assessment_round))
    names = [dimension.name for dimension in definition.dimensions]
    series = [
        (
            "Whole organisation",
            [result.dimension(dimension.key).mean for dimension in definition.dimensions],
        )
    ]
    if any(gap.gap is not None for gap in result.gaps):
        series.append(
            (
                "Leadership",
                [result.gap(dimension.key).leadership_mean for dimension in definition.dimensions],
            )
        )
        series.append(
            (
                "Front line",
                [result.gap(dimension.key).front_line_mean for dimension in definition.dimensions],
            )
        )
    chart = Markup(
        radar_svg(
            axes=names,
            series=series,
            title=f"{access.organisation.name}: scores by dimension",
            description="Each axis is a dimension scored 0 to 100; the table beside it gives the same figures.",
        )
    )
    actions = db.exec(
        select(ActionItem)
        .where(ActionItem.round_id == assessment_round.id)
        .order_by(ActionItem.position)
    ).all()
    notes = _notes_by_action([action.id for action in actions])
    history = (
        db.exec(
            select(ActionItem)
            .join(AssessmentRound, AssessmentRound.id == ActionItem.round_id)
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
        chart=chart,
        change=change,
        standing=standing,
        ranked=rank_dimensions(definition, result),
        actions=actions,
        notes=notes,
        history=history,
        statuses=STATUS_NAMES,
        people=service.members(db, access.organisation),
        public_tags=_public_tag_slugs(),
    )


def _notes_by_action(action_ids: list[int]) -> dict[int, list[ActionNote]]:
    notes: dict[int, list[ActionNote]] = {}
    if action_ids:
        for note in (
            get_session()
            .exec(
                select(ActionNote)
                .where(ActionNote.action_item_id.in_(action_ids))
                .order_by(ActionNote.created_at)
            )
            .all()
        ):
            notes.setdefault(note.action_item_id, []).append(note)
    return notes


def _public_tag_slugs() -> set[str]:
    return set(current_app.extensions["consult.blog"].index().public_view(app_now()).tags)


def _action_or_404(access, action_id: str) -> ActionItem:
    action = (
        get_session()
        .exec(
            select(ActionItem)
            .join(AssessmentRound, AssessmentRound.id == ActionItem.round_id)
            .where(
                ActionItem.public_id == action_id,
                AssessmentRound.organisation_id == access.organisation.id,
            )
        )
        .first()
    )
    if action is None:
        abort(404)
    return action


def _back_to_plan(organisation_id: str, action: ActionItem):
    round_id = get_session().get(AssessmentRound, action.round_id).public_id
    return redirect(
        url_for("portal.results", organisation_id=organisation_id, round_id=round_id)
        + f"#action-{action.public_id}",
        303,
    )


@blueprint.post("/o/<organisation_id>/actions/<action_id>")
def update_action(organisation_id: str, action_id: str):
    """The owner sets an action's status (a reason for "not doing"), who carries it and by when."""
    access = _access(organisation_id, owner=True)
    action = _action_or_404(access, action_id)
    status = request.form.get("status", action.status)
    reason = (request.form.get("reason") or "").strip()
    problem = None
    if status not in ACTION_STATUSES:
        problem = "Choose a status from the list."
    elif status == "not_doing" and not reason:
        problem = "Say briefly why this action is not being done: it helps the next round."
    assignee = request.form.get("assignee", type=int)
    if (
        assignee
        and get_session()
        .exec(
            select(Membership).where(
                Membership.organisation_id == access.organisation.id, Membership.user_id == assignee
            )
        )
        .first()
        is None
    ):
        problem = "Choose a member of this organisation."
    try:
        due_on = date.fromisoformat(request.form["due_on"]) if request.form.get("due_on") else None
    except ValueError:
        problem = "Write the due date as a date."
    if problem:
        flash(f"{action.title}: {problem}", "error")
        return _back_to_plan(organisation_id, action)
    action.status, action.status_reason, action.assignee_id, action.due_on = (
        status,
        reason or None,
        assignee or None,
        due_on,
    )
    action.updated_at = app_now()
    get_session().add(action)
    get_session().commit()
    flash(f"Saved: {action.title}.", "success")
    return _back_to_plan(organisation_id, action)


@blueprint.post("/o/<organisation_id>/actions/<action_id>/notes")
def add_note(organisation_id: str, action_id: str):
    access = _access(organisation_id)
    if not (access.is_owner or access.is_consultant):
        abort(403)
    action = _action_or_404(access, action_id)
    body = (request.form.get("body") or "").strip()
    if not body or len(body) > 4000:
        flash("Write a note of up to 4,000 characters.", "error")
        return _back_to_plan(organisation_id, action)
    get_session().add(
        ActionNote(
            action_item_id=action.id,
            author_id=current_user.id,
            by_consultant=access.is_consultant,
            body=body,
            created_at=app_now(),
        )
    )
    get_session().commit()
    return _back_to_plan(organisation_id, action)


@blueprint.get("/o/<organisation_id>/r/<round_id>/plan.csv")
def plan_csv(organisation_id: str, round_id: str):
    access = _access(organisation_id)
    assessment_round = _round_or_404(access, round_id)
    actions = (
        get_session()
        .exec(
            select(ActionItem)
            .where(ActionItem.round_id == assessment_round.id)
            .order_by(ActionItem.position)
        )
        .all()
    )
    people = {user.id: user.name for _, user in service.members(get_session(), access.organisation)}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "phase_days",
            "dimension",
            "action",
            "status",
            "reason",
            "assignee",
            "due_on",
            "effort",
            "impact",
        ]
    )
    for action in actions:
        writer.writerow(
            [
                action.phase_days,
                action.dimension,
                _csv_safe(action.title),
                STATUS_NAMES[action.status],
                _csv_safe(action.status_reason or ""),
                _csv_safe(people.get(action.assignee_id, "")),
                action.due_on.isoformat() if action.due_on else "",
                action.effort,
                action.impact,
            ]
        )
    return current_app.response_class(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="action-plan-{assessment_round.public_id}.csv"'
        },
    )


def _csv_safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@blueprint.get("/o/<organisation_id>/r/<round_id>/report.pdf")
def report_pdf(organisation_id: str, round_id: str):
    """The results and the plan as a printable PDF, with the chart."""
    access, assessment_round, definition, result = _closed_round(organisation_id, round_id)
    db = get_session()
    actions = db.exec(
        select(ActionItem)
        .where(ActionItem.round_id == assessment_round.id)
        .order_by(ActionItem.position)
    ).all()
    site = current_app.extensions["consult.site"]
    pdf = build_report_pdf(
        organisation_name=access.organisation.name,
        round_name=assessment_round.name,
        closed_on=assessment_round.closed_at.astimezone(site.time_zone).strftime("%-d %B %Y"),
        definition=definition,
        result=result,
        actions=actions,
        practice_name=site.practice_name,
        site_url=current_app.extensions["consult.settings"].site_url,
    )
    return current_app.response_class(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="results-{assessment_round.public_id}.pdf"'
        },
    )


@blueprint.get("/o/<organisation_id>/r/<round_id>/responses")
def individual_responses(organisation_id: str, round_id: str):
    """Each person's own answers: for the consultant's eyes only, never the organisation's."""
    access = _access(organisation_id)
    if not access.is_consultant:
        abort(404)
    assessment_round = _round_or_404(access, round_id)
    definition = assessments().get(
        assessment_round.definition_key, assessment_round.definition_version
    )
    rows = (
        get_session()
        .exec(
            select(Response, User)
            .join(User, User.id == Response.user_id)
            .where(Response.round_id == assessment_round.id)
            .order_by(User.name)
        )
        .all()
    )
    return render_template(
        "portal/responses.html",
        access=access,
        assessment_round=assessment_round,
        definition=definition,
        rows=rows,
    )
