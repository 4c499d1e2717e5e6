"""An organisation's own page: the open round, and the engagement's timeline (consultations,
rounds with their index, the plan's progress, programmes and the consultant's shared notes).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import select

from consult.booking.models import Booking
from consult.booking.service import issue_access_token
from consult.clock import app_now
from consult.db import get_session, looks_like_identifier
from consult.portal import service
from consult.portal.forms import OpenRoundForm, validated
from consult.portal.models import AssessmentRound, Response
from consult.portal.responses import response_status
from consult.portal.routes import (
    Access,
    _access,
    _current_assessment,
    _definition_of,
    _today,
    assessments,
    blueprint,
)
from consult.portal.timeline_data import organisation_record
from consult.site.kept_pages import kept_for_the_visitor


def _resume_url(access: Access, open_round: AssessmentRound, user_id: int) -> str:
    """Where the member picks up their answers: the first section with an unanswered question
    (the first when they have not started), or the review when every question is answered.
    """
    answers = (
        get_session()
        .exec(
            select(Response.answers).where(
                Response.round_id == open_round.id, Response.user_id == user_id
            )
        )
        .first()
    )
    organisation_id, round_id = access.organisation.public_id, open_round.public_id
    number = _definition_of(open_round).first_unanswered_section(answers or {})
    if number is None:
        return url_for("portal.review", organisation_id=organisation_id, round_id=round_id)
    return url_for(
        "portal.answer_section", organisation_id=organisation_id, round_id=round_id, number=number
    )


def _page(access: Access, round_form: OpenRoundForm, *, status: int = 200) -> tuple[str, int]:
    db = get_session()
    site = current_app.extensions["consult.site"]
    record = organisation_record(
        db,
        organisation=access.organisation,
        definitions=assessments(),
        now=app_now(),
        time_zone=site.time_zone,
    )
    open_round = next((item for item in record.rounds if item.status == "open"), None)
    progress = response_status(db, open_round) if open_round else {}
    my_status = progress.get(access.membership.user_id) if access.membership else None
    return render_template(
        "portal/organisation.html",
        access=access,
        timeline=record.timeline,
        plan_round=record.plan_round,
        has_rounds=bool(record.rounds),
        open_round=open_round,
        progress=progress,
        my_status=my_status,
        resume_url=(
            _resume_url(access, open_round, access.membership.user_id)
            if open_round and access.membership
            else None
        ),
        member_count=len(service.members(db, access.organisation)),
        round_form=round_form,
        user_id=current_user.id,
    ), status


@blueprint.get("/o/<organisation_id>/")
@kept_for_the_visitor
def organisation(organisation_id: str) -> ResponseReturnValue:
    return _page(_access(organisation_id), OpenRoundForm(formdata=None))


@blueprint.post("/o/<organisation_id>/rounds")
def open_round(organisation_id: str) -> ResponseReturnValue:
    access = _access(organisation_id, owner=True)
    db = get_session()
    form = OpenRoundForm()
    if form.validate_on_submit():
        try:
            service.open_round(
                session=db,
                organisation=access.organisation,
                definition=_current_assessment(),
                name=validated(form.name.data),
                closes_on=validated(form.closes_on.data),
                today=_today(),
                now=app_now(),
            )
        except service.PortalError as refusal:
            form.closes_on.errors = [*form.closes_on.errors, str(refusal)]
        else:
            db.commit()
            flash("The round is open. Members can now answer.", "success")
            return redirect(url_for("portal.organisation", organisation_id=organisation_id), 303)
    return _page(access, form, status=422)


@blueprint.post("/o/<organisation_id>/bookings/<booking_id>/manage")
def manage_booking(organisation_id: str, booking_id: str) -> ResponseReturnValue:
    """The member who booked a consultation for the organisation opens its page to move or
    cancel it, through a fresh secret link as the one in their e-mail. Anyone else gets 404.
    """
    access = _access(organisation_id)
    if not looks_like_identifier(booking_id):
        abort(404)
    db = get_session()
    booking = db.exec(
        select(Booking).where(
            Booking.public_id == booking_id,
            Booking.organisation_id == access.organisation.id,
            Booking.booked_by_id == current_user.id,
        )
    ).first()
    if booking is None:
        abort(404)
    token = issue_access_token(session=db, booking=booking, now=app_now())
    db.commit()
    return redirect(url_for("booking.manage", token=token), 303)
