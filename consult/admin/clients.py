"""The consultant's view of one client organisation: its engagement over time, money, people,
mail and her notes; renaming it, and changing its members' groups or accounts.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import select

from consult.accounts.models import User
from consult.accounts.service import end_sessions
from consult.admin.client_data import emails_to, invitations_of, money_totals
from consult.admin.client_forms import NoteForm, RenameForm, RoleGroupForm
from consult.admin.routes import blueprint
from consult.audit.web import audit
from consult.clock import app_now
from consult.db import get_session, looks_like_identifier
from consult.portal import notes, service
from consult.portal.definition import AssessmentDefinition
from consult.portal.forms import role_group_choices
from consult.portal.models import Membership, Organisation
from consult.portal.timeline_data import notes_of, organisation_record


def _organisation_or_404(public_id: str) -> Organisation:
    if not looks_like_identifier(public_id):
        abort(404)
    organisation = (
        get_session().exec(select(Organisation).where(Organisation.public_id == public_id)).first()
    )
    if organisation is None:
        abort(404)
    return organisation


def _assessment() -> AssessmentDefinition:
    definition: AssessmentDefinition | None = current_app.extensions[
        "consult.assessments"
    ].current()
    if definition is None:
        raise LookupError("no current assessment definition in the library")
    return definition


def _page(
    organisation: Organisation,
    *,
    note_form: NoteForm | None = None,
    rename_form: RenameForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    db = get_session()
    record = organisation_record(
        db,
        organisation=organisation,
        definitions=current_app.extensions["consult.assessments"],
        now=app_now(),
        time_zone=current_app.extensions["consult.site"].time_zone,
    )
    members = service.members(db, organisation)
    invitations = invitations_of(db, organisation)
    addresses = {user.email for _, user in members} | {item.email for item in invitations}
    definition = _assessment()
    return render_template(
        "admin/client.html",
        organisation=organisation,
        timeline=record.timeline,
        plan_round=record.plan_round,
        programmes=record.programmes,
        totals=money_totals(db, organisation),
        members=members,
        groups={group.key: group.name for group in definition.role_groups},
        invitations=invitations,
        emails=emails_to(db, addresses),
        notes=notes_of(db, organisation, visibility=None),
        note_form=note_form or NoteForm(formdata=None, visibility="private"),
        rename_form=rename_form or RenameForm(formdata=None, name=organisation.name),
        now=app_now(),
        user_id=current_user.id,
    ), status


@blueprint.get("/organisations/<organisation_id>/")
def client(organisation_id: str) -> ResponseReturnValue:
    return _page(_organisation_or_404(organisation_id))


@blueprint.post("/organisations/<organisation_id>/notes")
def add_note(organisation_id: str) -> ResponseReturnValue:
    organisation = _organisation_or_404(organisation_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _page(organisation, note_form=form, status=422)
    notes.add_note(
        session=get_session(),
        organisation=organisation,
        author=current_user._get_current_object(),
        visibility=form.visibility.data or "private",
        body=form.body.data or "",
        now=app_now(),
    )
    get_session().commit()
    shared = form.visibility.data == "shared"
    flash("Note shared on the organisation's timeline." if shared else "Note kept.", "success")
    return redirect(url_for("admin.client", organisation_id=organisation_id), 303)


@blueprint.post("/organisations/<organisation_id>/name")
def rename(organisation_id: str) -> ResponseReturnValue:
    organisation = _organisation_or_404(organisation_id)
    form = RenameForm()
    if not form.validate_on_submit():
        return _page(organisation, rename_form=form, status=422)
    before = organisation.name
    notes.rename_organisation(
        session=get_session(), organisation=organisation, name=form.name.data or ""
    )
    audit(
        "organisation.renamed",
        organisation_id=organisation.id,
        details={"from": before, "to": organisation.name},
    )
    get_session().commit()
    flash(f"Renamed {organisation.name}.", "success")
    return redirect(url_for("admin.client", organisation_id=organisation_id), 303)


def _membership_or_404(organisation: Organisation, membership_id: int) -> tuple[Membership, User]:
    db = get_session()
    membership = db.get(Membership, membership_id)
    if membership is None or membership.organisation_id != organisation.id:
        abort(404)
    return membership, db.get_one(User, membership.user_id)


@blueprint.post("/organisations/<organisation_id>/members/<int:membership_id>/group")
def change_group(organisation_id: str, membership_id: int) -> ResponseReturnValue:
    organisation = _organisation_or_404(organisation_id)
    membership, person = _membership_or_404(organisation, membership_id)
    form = RoleGroupForm()
    form.role_group.choices = role_group_choices(_assessment())
    if not form.validate_on_submit():
        flash(f"Choose one of the assessment's groups for {person.name}.", "error")
        return _page(organisation, status=422)
    notes.change_role_group(
        session=get_session(),
        membership=membership,
        role_group=form.role_group.data,
        definition=_assessment(),
    )
    audit(
        "membership.group_changed",
        subject=person,
        organisation_id=organisation.id,
        details={"role_group": membership.role_group},
    )
    get_session().commit()
    flash(f"{person.name} now answers as {form.role_group.data}.", "success")
    return redirect(url_for("admin.client", organisation_id=organisation_id), 303)


ACCOUNT_CHANGE = "<any(deactivate, reactivate):change>"


@blueprint.route(
    "/organisations/<organisation_id>/members/<int:membership_id>/" + ACCOUNT_CHANGE,
    methods=["GET", "POST"],
)
def change_account(organisation_id: str, membership_id: int, change: str) -> ResponseReturnValue:
    """Deactivate a member's account (signed out everywhere) or reactivate it; GET asks first."""
    organisation = _organisation_or_404(organisation_id)
    _, person = _membership_or_404(organisation, membership_id)
    if request.method == "GET":
        return _member_confirmation(organisation, membership_id, person, change)
    try:
        notes.set_account_active(session=get_session(), user=person, active=change == "reactivate")
    except service.PortalError as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("admin.client", organisation_id=organisation_id), 303)
    audit(f"account.{change}d", subject=person, organisation_id=organisation.id)
    get_session().commit()
    flash(f"{person.name}'s account is {change}d.", "success")
    return redirect(url_for("admin.client", organisation_id=organisation_id), 303)


@blueprint.route(
    "/organisations/<organisation_id>/members/<int:membership_id>/sign-out-everywhere",
    methods=["GET", "POST"],
)
def sign_out_member_everywhere(organisation_id: str, membership_id: int) -> ResponseReturnValue:
    """End every session and remember-me cookie of a member's account, in every browser; GET
    asks first.
    """
    organisation = _organisation_or_404(organisation_id)
    _, person = _membership_or_404(organisation, membership_id)
    if request.method == "GET":
        return _member_confirmation(organisation, membership_id, person, "sign-out-everywhere")
    end_sessions(session=get_session(), user=person)
    audit("sessions.ended_by_consultant", subject=person, organisation_id=organisation.id)
    get_session().commit()
    flash(f"{person.name} is signed out on every device.", "success")
    return redirect(url_for("admin.client", organisation_id=organisation_id), 303)


def _member_confirmation(
    organisation: Organisation, membership_id: int, person: User, change: str
) -> str:
    """The page that asks before a change to a member's account takes effect."""
    return render_template(
        "admin/member_account_change.html",
        organisation=organisation,
        membership_id=membership_id,
        person=person,
        change=change,
    )
