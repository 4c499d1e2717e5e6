"""Tracking a round's action plan: status, owner, due date and notes of each action; CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.wrappers import Response as WerkzeugResponse

from consult.clock import app_now
from consult.db import get_session
from consult.portal import service
from consult.portal.models import (
    ACTION_STATUSES,
    ActionItem,
    ActionNote,
    AssessmentRound,
    Membership,
    stored_id,
)
from consult.portal.plan import STATUS_NAMES
from consult.portal.routes import Access, _access, _round_or_404, blueprint

MAX_REASON_CHARACTERS = 500  # as the form's maxlength


def _action_or_404(access: Access, action_id: str) -> ActionItem:
    action = (
        get_session()
        .exec(
            select(ActionItem)
            .join(AssessmentRound, col(AssessmentRound.id) == col(ActionItem.round_id))
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


def _back_to_plan(organisation_id: str, action: ActionItem) -> WerkzeugResponse:
    round_id = get_session().get_one(AssessmentRound, action.round_id).public_id
    return redirect(
        url_for("portal.results", organisation_id=organisation_id, round_id=round_id)
        + f"#action-{action.public_id}",
        303,
    )


@blueprint.post("/o/<organisation_id>/actions/<action_id>")
def update_action(organisation_id: str, action_id: str) -> ResponseReturnValue:
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
    elif len(reason) > MAX_REASON_CHARACTERS:  # the form says so too; a hand-made post need not
        problem = f"Keep the reason to {MAX_REASON_CHARACTERS} characters."
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
def add_note(organisation_id: str, action_id: str) -> ResponseReturnValue:
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
            action_item_id=stored_id(action),
            author_id=current_user.id,
            by_consultant=access.is_consultant,
            body=body,
            created_at=app_now(),
        )
    )
    get_session().commit()
    return _back_to_plan(organisation_id, action)


@blueprint.get("/o/<organisation_id>/r/<round_id>/plan.csv")
def plan_csv(organisation_id: str, round_id: str) -> ResponseReturnValue:
    access = _access(organisation_id)
    assessment_round = _round_or_404(access, round_id)
    actions = (
        get_session()
        .exec(
            select(ActionItem)
            .where(ActionItem.round_id == assessment_round.id)
            .order_by(col(ActionItem.position))
        )
        .all()
    )
    people: dict[int | None, str] = {
        user.id: user.name for _, user in service.members(get_session(), access.organisation)
    }
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
            "Content-Disposition": (
                f'attachment; filename="action-plan-{assessment_round.public_id}.csv"'
            )
        },
    )


def _csv_safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
