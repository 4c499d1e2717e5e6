"""An organisation's open invitations: listed for the owner, sent again or revoked, and closed
when the person they name is removed or ownership changes hands.
"""

import re

import pytest
from sqlmodel import select

from consult.audit.models import AuditEntry
from consult.db import get_session
from consult.mail.models import OutboxEmail
from consult.portal import service
from consult.portal.models import Membership
from tests.conftest import csrf_token_from, signed_in_client, submit_form
from tests.web.portal_fixtures import add_people, make_organisation, user_by_email

INVITE_LINK = re.compile(r"http://consult\.test(/accounts/invitation/\S+)")


@pytest.fixture
def organisation(app, clock):
    return make_organisation(app, clock)


@pytest.fixture
def owner(app, organisation):
    return signed_in_client(app, user_by_email(app, "owner@clinic.example"))


def members_path(organisation):
    return f"/portal/o/{organisation.public_id}/members"


def invite(owner, organisation, email, role="member"):
    response = submit_form(
        owner, members_path(organisation), {"email": email, "role_group": "staff", "role": role}
    )
    assert response.status_code == 303


def invitation_links(app, email):
    with app.app_context():
        sent = get_session().exec(
            select(OutboxEmail).where(OutboxEmail.to_address == email).order_by(OutboxEmail.id)
        )
        return [INVITE_LINK.search(message.text_body).group(1) for message in sent]


def accept_signed_in(client, link):
    return submit_form(client, link, {})


def membership_of(app, organisation, email):
    with app.app_context():
        user = user_by_email(app, email)
        return (
            get_session()
            .exec(
                select(Membership).where(
                    Membership.user_id == user.id, Membership.organisation_id == organisation.id
                )
            )
            .first()
        )


def audit_types(app):
    with app.app_context():
        return [event.event_type for event in get_session().exec(select(AuditEntry)).all()]


def remove(owner, organisation, membership_id):
    path = f"/portal/o/{organisation.public_id}/members/remove?membership={membership_id}"
    page = owner.get(path).get_data(as_text=True)
    return owner.post(
        f"/portal/o/{organisation.public_id}/members/remove",
        data={"membership": membership_id, "csrf_token": csrf_token_from(page)},
    )


def test_a_removed_member_cannot_rejoin_through_an_old_invitation(app, organisation, owner, clock):
    [sam] = add_people(app, clock, organisation, "staff", 1, "sam")
    invite(owner, organisation, sam.email, role="owner")  # sent, say, before a change of mind
    [old_link] = invitation_links(app, sam.email)
    assert sam.email in owner.get(members_path(organisation)).get_data(as_text=True)
    assert (
        remove(owner, organisation, membership_of(app, organisation, sam.email).id).status_code
        == 303
    )
    assert sam.email not in owner.get(members_path(organisation)).get_data(as_text=True)
    removed = signed_in_client(app, sam)
    refused = accept_signed_in(removed, old_link)
    assert refused.status_code == 410 or "expired" in refused.get_data(as_text=True)
    assert membership_of(app, organisation, sam.email) is None
    assert removed.get(members_path(organisation)).status_code == 404
    with app.app_context():
        removal = (
            get_session()
            .exec(select(AuditEntry).where(AuditEntry.event_type == "membership.removed"))
            .one()
        )
        assert removal.details["invitations_withdrawn"] == 1


def test_handing_over_ownership_closes_the_invitations_of_both(app, organisation, owner, clock):
    [sam] = add_people(app, clock, organisation, "staff", 1, "sam")
    invite(owner, organisation, "owner@clinic.example", role="owner")  # to the owner's own address
    invite(owner, organisation, sam.email)
    sam_membership = membership_of(app, organisation, sam.email)
    submit_form(
        owner,
        f"/portal/o/{organisation.public_id}/members/hand-ownership",
        {"membership": sam_membership.id},
        page=members_path(organisation),
    )
    [old_link] = invitation_links(app, "owner@clinic.example")
    accept_signed_in(owner, old_link)
    assert membership_of(app, organisation, "owner@clinic.example").role == "member"
    new_owner = signed_in_client(app, sam)
    assert "Invitations not yet accepted" not in new_owner.get(members_path(organisation)).get_data(
        as_text=True
    )


def test_the_owner_sends_an_invitation_again_with_a_new_link(app, organisation, owner):
    invite(owner, organisation, "nia@clinic.example")
    page = owner.get(members_path(organisation)).get_data(as_text=True)
    assert "nia@clinic.example" in page and "Send again" in page
    invitation_id = re.search(r'name="invitation" value="(\d+)"', page).group(1)
    resent = owner.post(
        f"/portal/o/{organisation.public_id}/invitations/resend",
        data={"invitation": invitation_id, "csrf_token": csrf_token_from(page)},
    )
    assert resent.status_code == 303
    old_link, new_link = invitation_links(app, "nia@clinic.example")
    newcomer = app.test_client()
    assert newcomer.get(old_link).status_code == 410
    accepted = submit_form(
        newcomer,
        new_link,
        {
            "name": "Nia Nurse",
            "password": "listening first always",
            "confirm": "listening first always",
        },
    )
    assert accepted.status_code == 302
    assert membership_of(app, organisation, "nia@clinic.example").role == "member"
    assert "invitation.resent" in audit_types(app)


def test_the_owner_revokes_an_invitation_after_confirming(app, organisation, owner):
    invite(owner, organisation, "nia@clinic.example")
    [link] = invitation_links(app, "nia@clinic.example")
    page = owner.get(members_path(organisation)).get_data(as_text=True)
    revoke_path = re.search(r'href="([^"]*/invitations/revoke\?invitation=\d+)"', page).group(1)
    confirmation = owner.get(revoke_path).get_data(as_text=True)
    assert "Revoke the invitation to nia@clinic.example?" in confirmation
    invitation_id = re.search(r'name="invitation" value="(\d+)"', confirmation).group(1)
    response = owner.post(
        f"/portal/o/{organisation.public_id}/invitations/revoke",
        data={"invitation": invitation_id, "csrf_token": csrf_token_from(confirmation)},
    )
    assert response.status_code == 303
    assert app.test_client().get(link).status_code == 410
    owner.get(members_path(organisation))  # shows the flash message naming the address
    assert "nia@clinic.example" not in owner.get(members_path(organisation)).get_data(as_text=True)
    assert "invitation.revoked" in audit_types(app)
    again = owner.post(
        f"/portal/o/{organisation.public_id}/invitations/revoke",
        data={"invitation": invitation_id, "csrf_token": csrf_token_from(confirmation)},
    )
    assert again.status_code == 404  # no longer open


def test_another_organisations_invitation_is_not_found(app, organisation, owner, clock):
    with app.app_context():
        db = get_session()
        elsewhere = service.create_organisation(session=db, name="Elsewhere", now=clock())
        foreign = service.invite(
            session=db,
            organisation=elsewhere,
            email="elsewhere@clinic.example",
            role="member",
            role_group="staff",
            invited_by=None,
            now=clock(),
        )
        db.commit()
        foreign_id = foreign.id
    page = owner.get(members_path(organisation)).get_data(as_text=True)
    for action in ("resend", "revoke"):
        response = owner.post(
            f"/portal/o/{organisation.public_id}/invitations/{action}",
            data={"invitation": foreign_id, "csrf_token": csrf_token_from(page)},
        )
        assert response.status_code == 404
    assert len(invitation_links(app, "elsewhere@clinic.example")) == 1  # none sent again
