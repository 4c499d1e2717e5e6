"""Portal pages: starting, an organisation and its rounds; who may see what.

Members, answering, results and tracking are pages of the same blueprint, in their own modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import select

from consult.accounts.models import User
from consult.audit.web import audit
from consult.clock import app_now
from consult.db import get_session, looks_like_identifier
from consult.extensions import limiter, login_manager
from consult.portal import service
from consult.portal.definition import AssessmentDefinition
from consult.portal.forms import (
    StartForm,
    role_group_choices,
    validated,
)
from consult.portal.library import AssessmentLibrary
from consult.portal.models import AssessmentRound, Membership, Organisation, stored_id
from consult.portal.responses import response_status
from consult.rate_limits import (
    PORTAL_START_PER_ADDRESS,
    PORTAL_START_PER_CLIENT,
    email_in_form,
    form_was_accepted,
    refusal_page,
)

blueprint = Blueprint("portal", __name__, url_prefix="/portal")
LIBRARY_KEY = "consult.assessments"


def assessments() -> AssessmentLibrary:
    library: AssessmentLibrary = current_app.extensions[LIBRARY_KEY]
    return library


def _current_assessment() -> AssessmentDefinition:
    """The assessment new rounds use.

    Without a valid one in content/assessments/ (`flask content check` says why) the portal cannot
    work: that is an error, not something a visitor can fix.
    """
    definition = assessments().current()
    if definition is None:
        raise LookupError("no current assessment definition in the library")
    return definition


def _definition_of(assessment_round: AssessmentRound) -> AssessmentDefinition:
    """The definition a round was opened with; one gone from content/ is a fault, not a 404."""
    definition = assessments().get(
        assessment_round.definition_key, assessment_round.definition_version
    )
    if definition is None:
        raise LookupError(
            f"round {assessment_round.public_id}: no assessment definition "
            f"{assessment_round.definition_key} version {assessment_round.definition_version}"
        )
    return definition


def _today() -> date:
    return app_now().astimezone(current_app.extensions["consult.site"].time_zone).date()


@dataclass(frozen=True)
class Access:
    organisation: Organisation
    membership: Membership | None  # None for the consultant, who sees every organisation
    is_owner: bool
    is_consultant: bool


def _access(organisation_id: str, *, owner: bool = False) -> Access:
    """Who is asking about this organisation: a member, an owner or the consultant.

    Anyone else gets 404.
    """
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not looks_like_identifier(organisation_id):
        abort(404)
    db = get_session()
    if current_user.is_consultant:
        organisation = db.exec(
            select(Organisation).where(Organisation.public_id == organisation_id)
        ).first()
        if organisation is None:
            abort(404)
        access = Access(organisation, None, is_owner=False, is_consultant=True)
    else:
        found = service.find_membership(
            db, user=current_user, organisation_public_id=organisation_id
        )
        if found is None:
            abort(404)
        membership, organisation = found
        access = Access(
            organisation, membership, is_owner=membership.role == "owner", is_consultant=False
        )
    if owner and not access.is_owner:
        abort(403)
    return access


@blueprint.get("/")
def index() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return render_template("portal/index.html", organisations=[], start_form=_start_form())
    if current_user.is_consultant:
        return redirect(url_for("admin.organisations"))
    return render_template(
        "portal/index.html",
        organisations=service.memberships_of(get_session(), current_user),
        start_form=_start_form(),
    )


def _start_form() -> StartForm:
    form = StartForm()
    form.role_group.choices = role_group_choices(_current_assessment())
    if current_user.is_authenticated:
        del form.email
    return form


def _start_refused(message: str) -> str:
    form = _start_form()
    form.organisation.errors = [message]
    return render_template("portal/index.html", organisations=[], start_form=form)


@blueprint.post("/start")
@limiter.limit(PORTAL_START_PER_CLIENT, on_breach=refusal_page(_start_refused))
@limiter.limit(
    PORTAL_START_PER_ADDRESS,
    key_func=email_in_form(),
    scope="portal-start-email",
    deduct_when=form_was_accepted,
    on_breach=refusal_page(_start_refused),
)
def start() -> ResponseReturnValue:
    """Start an organisation. A visitor's start waits until they follow the link e-mailed to them,
    which makes the organisation and their account; a signed-in client's is made at once.
    """
    form = _start_form()
    if not form.validate_on_submit():
        return render_template("portal/index.html", organisations=[], start_form=form), 422
    db = get_session()
    now = app_now()
    name = validated(form.organisation.data)
    if not current_user.is_authenticated:
        email = validated(form.email.data)
        service.start_by_email(
            session=db,
            organisation_name=name,
            email=email,
            role_group=form.role_group.data,
            now=now,
        )
        _audit_invitation(None, email, "owner", form.role_group.data)
        db.commit()
        return render_template("portal/check_email.html", email=email)
    organisation = service.create_organisation(session=db, name=name, now=now)
    audit(
        "organisation.created", organisation_id=organisation.id, details={"name": organisation.name}
    )
    service.add_member(
        session=db,
        organisation=organisation,
        user=current_user,
        role="owner",
        role_group=form.role_group.data,
        now=now,
    )
    db.commit()
    return redirect(url_for("portal.organisation", organisation_id=organisation.public_id), 303)


def _audit_invitation(organisation_id: int | None, email: str, role: str, role_group: str) -> None:
    details = {"role": role, "role_group": role_group}
    audit("invitation.sent", subject_email=email, organisation_id=organisation_id, details=details)


def _round_or_404(access: Access, round_id: str) -> AssessmentRound:
    assessment_round = service.find_round(get_session(), access.organisation, round_id)
    if assessment_round is None:
        abort(404)
    return assessment_round


def _members_by_id(access: Access) -> dict[int, User]:
    return {
        stored_id(user): user for _, user in service.members(get_session(), access.organisation)
    }


@blueprint.get("/o/<organisation_id>/r/<round_id>/progress")
def round_progress(organisation_id: str, round_id: str) -> ResponseReturnValue:
    """Who has responded — never what."""
    access = _access(organisation_id)
    if not (access.is_owner or access.is_consultant):
        abort(403)
    assessment_round = _round_or_404(access, round_id)
    progress = response_status(get_session(), assessment_round)
    return render_template(
        "portal/progress.html",
        access=access,
        assessment_round=assessment_round,
        progress=progress,
        people=_members_by_id(access),
    )


# These modules register their routes on this blueprint.
from consult.portal import activity as _activity_pages  # noqa: E402,F401
from consult.portal import answering as _answering_pages  # noqa: E402,F401
from consult.portal import members as _member_pages  # noqa: E402,F401
from consult.portal import overview as _overview_pages  # noqa: E402,F401
from consult.portal import results as _results_pages  # noqa: E402,F401
from consult.portal import tracking as _tracking_pages  # noqa: E402,F401
