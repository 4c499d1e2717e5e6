"""The consultant's view of client organisations: create one and invite its first owner."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import Session, col, select

from consult.admin.routes import blueprint
from consult.audit.web import PER_PAGE, audit, page_links, page_number
from consult.clock import app_now
from consult.db import get_session
from consult.portal import service
from consult.portal.forms import OrganisationForm, role_group_choices
from consult.portal.models import AssessmentRound, Membership, Organisation, Response
from consult.portal.rounds import shown_overall_indexes
from consult.site.kept_pages import kept_for_the_visitor


@blueprint.route("/organisations/", methods=["GET", "POST"])
@kept_for_the_visitor
def organisations() -> ResponseReturnValue:
    db = get_session()
    form = OrganisationForm()
    form.role_group.choices = role_group_choices(
        current_app.extensions["consult.assessments"].current()
    )
    if form.validate_on_submit():
        now = app_now()
        organisation = service.create_organisation(session=db, name=form.name.data or "", now=now)
        service.invite(
            session=db,
            organisation=organisation,
            email=form.owner_email.data or "",
            role="owner",
            role_group=form.role_group.data,
            invited_by=current_user,
            now=now,
        )
        audit(
            "organisation.created",
            organisation_id=organisation.id,
            details={"name": form.name.data},
        )
        details = {"role": "owner", "role_group": form.role_group.data}
        audit(
            "invitation.sent",
            subject_email=form.owner_email.data,
            organisation_id=organisation.id,
            details=details,
        )
        db.commit()
        flash(
            f"{organisation.name} created; {form.owner_email.data} is invited as its owner.",
            "success",
        )
        return redirect(url_for("admin.organisations"), 303)
    page = page_number()
    return render_template(
        "admin/organisations.html", form=form, **_organisations_page(db, page)
    ), 422 if form.errors else 200


def _organisations_page(db: Session, page: int) -> dict[str, Any]:
    """One page of organisations by name, with their member counts and latest rounds.

    Every count and round is read for the organisations on the page only, in one statement
    each, so the page costs the same however many organisations there are.
    """
    rows = db.exec(
        select(Organisation)
        .order_by(col(Organisation.name), col(Organisation.id))
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    ).all()
    shown = rows[:PER_PAGE]
    ids = [organisation.id for organisation in shown]
    member_counts = dict(
        db.exec(
            select(Membership.organisation_id, func.count())
            .where(col(Membership.organisation_id).in_(ids))
            .group_by(col(Membership.organisation_id))
        ).all()
    )
    latest_rounds: dict[int, AssessmentRound] = {}
    for assessment_round in db.exec(
        select(AssessmentRound)
        .where(col(AssessmentRound.organisation_id).in_(ids))
        .order_by(col(AssessmentRound.opened_at), col(AssessmentRound.id))
    ).all():
        latest_rounds[assessment_round.organisation_id] = assessment_round
    submitted = dict(
        db.exec(
            select(Response.round_id, func.count())
            .where(
                col(Response.round_id).in_(
                    [assessment_round.id for assessment_round in latest_rounds.values()]
                ),
                col(Response.submitted_at).is_not(None),
            )
            .group_by(col(Response.round_id))
        ).all()
    )
    return {
        "organisations": shown,
        "member_counts": member_counts,
        "latest_rounds": latest_rounds,
        # As each round's results page shows it.
        "overall": shown_overall_indexes(
            db, list(latest_rounds.values()), current_app.extensions["consult.assessments"]
        ),
        "submitted": submitted,
        "page": page,
        "links": page_links(page, has_next=len(rows) > PER_PAGE),
    }
