"""An organisation's members: the list, invitations (sent, resent, revoked), removal and handing
over ownership.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from consult.accounts.models import Invitation, User
from consult.audit.web import audit
from consult.clock import app_now
from consult.db import get_session
from consult.extensions import limiter
from consult.portal import invitations, service
from consult.portal.forms import InviteForm, role_group_choices, validated
from consult.portal.models import Membership
from consult.portal.routes import (
    Access,
    _access,
    _audit_invitation,
    _current_assessment,
    blueprint,
)
from consult.rate_limits import (
    INVITATIONS_PER_ADDRESS,
    INVITATIONS_PER_CLIENT,
    INVITATIONS_PER_ORGANISATION,
    email_in_form,
    form_was_accepted,
    organisation_in_url,
    refusal_page,
)


def _members_page(access: Access, form: InviteForm) -> str:
    definition = _current_assessment()
    db = get_session()
    return render_template(
        "portal/members.html",
        access=access,
        members=service.members(db, access.organisation),
        invitations=invitations.pending_invitations(
            db, organisation=access.organisation, now=app_now()
        )
        if access.is_owner
        else [],
        form=form,
        groups={group.key: group.name for group in definition.role_groups},
    )


def _invitation_refused(message: str) -> str:
    access = _access(str((request.view_args or {}).get("organisation_id", "")), owner=True)
    form = InviteForm()
    form.role_group.choices = role_group_choices(_current_assessment())
    form.email.errors = [message]
    return _members_page(access, form)


_refuse_invitation = refusal_page(_invitation_refused)


@blueprint.route("/o/<organisation_id>/members", methods=["GET", "POST"])
@limiter.limit(INVITATIONS_PER_CLIENT, methods=["POST"], on_breach=_refuse_invitation)
@limiter.limit(
    INVITATIONS_PER_ORGANISATION,
    methods=["POST"],
    key_func=organisation_in_url,
    scope="invitations-organisation",
    deduct_when=form_was_accepted,
    on_breach=_refuse_invitation,
)
@limiter.limit(
    INVITATIONS_PER_ADDRESS,
    methods=["POST"],
    key_func=email_in_form(),
    scope="invitations-email",
    deduct_when=form_was_accepted,
    on_breach=_refuse_invitation,
)
def members(organisation_id: str) -> ResponseReturnValue:
    access = _access(organisation_id)
    db = get_session()
    definition = _current_assessment()
    form = InviteForm()
    form.role_group.choices = role_group_choices(definition)
    if request.method == "POST":
        if not access.is_owner:
            abort(403)
        if form.validate_on_submit():
            service.invite(
                session=db,
                organisation=access.organisation,
                email=validated(form.email.data),
                role=form.role.data,
                role_group=form.role_group.data,
                invited_by=current_user,
                now=app_now(),
            )
            email = validated(form.email.data)
            _audit_invitation(access.organisation.id, email, form.role.data, form.role_group.data)
            db.commit()
            flash(f"Invitation sent to {form.email.data}. The link works for 7 days.", "success")
            return redirect(url_for("portal.members", organisation_id=organisation_id), 303)
    return _members_page(access, form), 422 if form.errors else 200


def _other_membership(access: Access) -> Membership:
    membership = get_session().get(Membership, request.values.get("membership", type=int) or 0)
    if membership is None or membership.organisation_id != access.organisation.id:
        abort(404)
    return membership


def _confirmation(access: Access, change: str) -> str:
    """The page that asks the owner to confirm removing a member or handing over ownership."""
    membership = _other_membership(access)
    return render_template(
        "portal/member_change.html",
        access=access,
        change=change,
        membership=membership,
        person=get_session().get_one(User, membership.user_id),
    )


@blueprint.route("/o/<organisation_id>/members/remove", methods=["GET", "POST"])
def remove_member(organisation_id: str) -> ResponseReturnValue:
    """GET asks the owner to confirm; POST removes the member."""
    access = _access(organisation_id, owner=True)
    if request.method == "GET":
        return _confirmation(access, "remove")
    membership = _other_membership(access)
    try:
        withdrawn = service.remove_member(
            session=get_session(),
            organisation=access.organisation,
            membership=membership,
            now=app_now(),
        )
    except service.PortalError as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("portal.members", organisation_id=organisation_id), 303)
    _audit_about_member("membership.removed", access, membership, invitations_withdrawn=withdrawn)
    get_session().commit()
    flash("Removed from the organisation.", "success")
    return redirect(url_for("portal.members", organisation_id=organisation_id), 303)


@blueprint.route("/o/<organisation_id>/members/hand-ownership", methods=["GET", "POST"])
def hand_ownership(organisation_id: str) -> ResponseReturnValue:
    """GET asks the owner to confirm; POST makes the other member owner instead of them."""
    access = _access(organisation_id, owner=True)
    if access.membership is None:  # an owner always has one: only the consultant has none
        abort(403)
    if request.method == "GET":
        return _confirmation(access, "hand over")
    new_owner = _other_membership(access)
    try:
        service.hand_ownership(
            session=get_session(),
            organisation=access.organisation,
            from_membership=access.membership,
            to_membership=new_owner,
            now=app_now(),
        )
    except service.PortalError as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("portal.members", organisation_id=organisation_id), 303)
    _audit_about_member("ownership.handed_over", access, new_owner)
    get_session().commit()
    flash("Ownership handed over. You are now a member.", "success")
    return redirect(url_for("portal.organisation", organisation_id=organisation_id), 303)


def _audit_about_member(
    event_type: str, access: Access, membership: Membership, **more: object
) -> None:
    """Record a change to someone's place in the organisation, naming them."""
    audit(
        event_type,
        subject=get_session().get(User, membership.user_id),
        organisation_id=access.organisation.id,
        details={"role": membership.role, "role_group": membership.role_group, **more},
    )


def _pending_invitation(access: Access) -> Invitation:
    invitation = invitations.find_pending_invitation(
        get_session(),
        organisation=access.organisation,
        invitation_id=request.values.get("invitation", type=int) or 0,
        now=app_now(),
    )
    if invitation is None:
        abort(404)
    return invitation


def _audit_about_invitation(event_type: str, access: Access, invitation: Invitation) -> None:
    audit(
        event_type,
        subject_email=invitation.email,
        organisation_id=access.organisation.id,
        details={"role": invitation.organisation_role, "role_group": invitation.role_group},
    )


def _address_invited_in_form() -> str:
    """The address of the invitation the form names (each sending again makes a new one)."""
    invitation = get_session().get(Invitation, request.form.get("invitation", type=int) or 0)
    return invitation.email if invitation else ""


# Sending again mails as inviting does: it counts against the same allowances, and each
# invitation may be sent again only a few times a day.
@blueprint.post("/o/<organisation_id>/invitations/resend")
@limiter.limit(INVITATIONS_PER_CLIENT, on_breach=_refuse_invitation)
@limiter.limit(
    INVITATIONS_PER_ORGANISATION,
    key_func=organisation_in_url,
    scope="invitations-organisation",
    deduct_when=form_was_accepted,
    on_breach=_refuse_invitation,
)
@limiter.limit(
    INVITATIONS_PER_ADDRESS,
    key_func=_address_invited_in_form,
    scope="invitations-email",
    deduct_when=form_was_accepted,
    on_breach=_refuse_invitation,
)
def resend_invitation(organisation_id: str) -> ResponseReturnValue:
    """E-mail a fresh link for an open invitation; the old link stops working."""
    access = _access(organisation_id, owner=True)
    invitation = _pending_invitation(access)
    invitations.resend_invitation(
        session=get_session(),
        organisation=access.organisation,
        invitation=invitation,
        invited_by=current_user,
        now=app_now(),
    )
    _audit_about_invitation("invitation.resent", access, invitation)
    get_session().commit()
    flash(f"A new invitation was sent to {invitation.email}. It works for 7 days.", "success")
    return redirect(url_for("portal.members", organisation_id=organisation_id), 303)


@blueprint.route("/o/<organisation_id>/invitations/revoke", methods=["GET", "POST"])
def revoke_invitation(organisation_id: str) -> ResponseReturnValue:
    """GET asks the owner to confirm; POST makes the invitation's link stop working."""
    access = _access(organisation_id, owner=True)
    invitation = _pending_invitation(access)
    if request.method == "GET":
        return render_template(
            "portal/invitation_revoke.html", access=access, invitation=invitation
        )
    invitations.revoke_invitation(session=get_session(), invitation=invitation, now=app_now())
    _audit_about_invitation("invitation.revoked", access, invitation)
    get_session().commit()
    flash(f"The invitation to {invitation.email} was revoked.", "success")
    return redirect(url_for("portal.members", organisation_id=organisation_id), 303)
