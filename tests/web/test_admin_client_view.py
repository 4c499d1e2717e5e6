"""The consultant's page for one client organisation: everything about the engagement in one
place, her notes, and her edits of the organisation and its members.
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from consult.accounts.service import create_invitation
from consult.db import get_session
from consult.engagements.models import ProgrammePurchase
from consult.mail.models import OutboxEmail
from consult.portal.figures import score_text
from consult.portal.models import AssessmentRound, Membership, Organisation
from consult.portal.rounds import score_submitted
from tests.conftest import Auth, signed_in_client, submit_form
from tests.web.programme_steps import calendar, grant, make_people, make_programme
from tests.web.timeline_steps import booked_consultation, closed_round, current_definition


@pytest.fixture
def client_record(app, clock, consultant):
    """Riverside with a granted programme, two closed rounds three months apart, a consultation
    ahead, and an invitation waiting (whose e-mail is in the outbox).
    """
    calendar(app)
    organisation, owner, members = make_people(app, clock)
    programme = make_programme(app, clock)
    with app.app_context():
        db = get_session()
        home = db.get(Organisation, organisation.id)
        closed_round(db, clock, organisation=home, people=[owner, *members], value=2, name="Spring")
        clock.advance(days=90)
        closed_round(db, clock, organisation=home, people=[owner, *members], value=4, name="Summer")
        booked_consultation(
            db, clock, organisation=home, booker=owner, starts_at=clock() + timedelta(days=2)
        )
        create_invitation(
            session=db,
            email="waiting@clinic.example",
            role="client",
            invited_by=None,
            now=clock(),
            organisation_id=home.id,
            organisation_role="member",
            role_group="providers",
            organisation_name=home.name,
        )
        db.commit()
    grant(app, clock, programme, organisation, consultant)
    return organisation, owner, members, signed_in_client(app, consultant)


def test_one_page_holds_the_whole_engagement(app, client_record):
    organisation, owner, members, admin = client_record
    page = admin.get(f"/admin/organisations/{organisation.public_id}/").get_data(as_text=True)
    index = page.split('id="index-heading"')[1].split("</section>")[0]
    assert index.index("Spring") < index.index("Summer") and "up " in index
    with app.app_context():
        purchase = get_session().exec(select(ProgrammePurchase)).one()
    # Each programme leads to its purchase's page (the grant's note, cancelling, refunds).
    purchase_link = f'<a href="/admin/programmes/purchases/{purchase.public_id}/">'
    assert f"{purchase_link}Partnership quarter</a> (running until" in page
    assert "0 sessions used, 3 left of 3" in page
    assert "Paid USD 0.00, refunded USD 0.00" in page
    assert "booked by Riverside Person 0" in page.split('id="upcoming-heading"')[1]
    assert "waiting@clinic.example as member (Providers)" in page and "waiting, until" in page
    with app.app_context():
        invitation_email = get_session().exec(select(OutboxEmail)).one()
    assert invitation_email.to_address == "waiting@clinic.example"
    assert invitation_email.subject in page.split('id="emails-heading"')[1]
    for person in (owner, *members):
        assert person.name in page
    assert "Move or cancel" not in page  # she manages bookings from the bookings admin
    listing = admin.get("/admin/organisations/").get_data(as_text=True)
    assert f'href="/admin/organisations/{organisation.public_id}/"' in listing


def test_a_note_without_text_is_refused_with_the_choice_kept(app, client_record):
    organisation, _, _, admin = client_record
    page = f"/admin/organisations/{organisation.public_id}/"
    refused = submit_form(admin, f"{page}notes", {"body": "  ", "visibility": "shared"}, page=page)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Write the note first." in html
    assert (
        '<input checked id="visibility-1" name="visibility" required type="radio" value="shared"'
        in html
    )


def test_the_consultant_renames_the_organisation_and_edits_its_members(app, client_record):
    organisation, owner, members, admin = client_record
    page = f"/admin/organisations/{organisation.public_id}/"
    empty = submit_form(admin, f"{page}name", {"name": ""}, page=page)
    assert empty.status_code == 422 and "Enter the organisation&#39;s name." in empty.get_data(
        as_text=True
    )
    assert submit_form(admin, f"{page}name", {"name": "Riverside Health"}, page=page).status_code
    assert "<h1>Riverside Health</h1>" in admin.get(page).get_data(as_text=True)

    with app.app_context():
        membership = (
            get_session().exec(select(Membership).where(Membership.user_id == members[0].id)).one()
        )
    group = f"{page}members/{membership.id}/group"
    assert submit_form(admin, group, {"role_group": "providers"}, page=page).status_code == 303
    refused = submit_form(admin, group, {"role_group": "kings"}, page=page)
    assert refused.status_code == 422
    with app.app_context():
        assert get_session().get(Membership, membership.id).role_group == "providers"

    member_client = signed_in_client(app, members[0])
    deactivate = f"{page}members/{membership.id}/deactivate"
    assert f'href="{deactivate}"' in admin.get(page).get_data(as_text=True)
    asked = admin.get(deactivate).get_data(as_text=True)  # the button asks first
    assert "Deactivate Riverside Person 1&#39;s account?</h1>" in asked
    assert member_client.get(f"/portal/o/{organisation.public_id}/").status_code == 200
    deactivated = submit_form(admin, deactivate, {}, page=deactivate)
    assert deactivated.status_code == 303
    assert member_client.get(f"/portal/o/{organisation.public_id}/").status_code == 302
    assert Auth(app.test_client()).sign_in(members[0].email).status_code == 422
    reactivate = f"{page}members/{membership.id}/reactivate"
    assert f'href="{reactivate}"' in admin.get(page).get_data(as_text=True)
    submit_form(admin, reactivate, {}, page=reactivate)
    assert Auth(app.test_client()).sign_in(members[0].email).status_code == 302


def test_only_the_consultant_sees_or_edits_a_client(app, clock, client_record):
    organisation, owner, _, admin = client_record
    page = f"/admin/organisations/{organisation.public_id}/"
    owner_client = signed_in_client(app, owner)
    assert owner_client.get(page).status_code == 403
    assert app.test_client().get(page).status_code == 302
    assert admin.get("/admin/organisations/not-one-of-ours/").status_code == 404
    _, outsider, _ = make_people(app, clock, name="Hilltop", prefix="hilltop", members=0)
    with app.app_context():
        theirs = (
            get_session().exec(select(Membership).where(Membership.user_id == outsider.id)).one()
        )
    # Another organisation's member cannot be edited through this organisation's page.
    for change in ("deactivate", "group"):
        wrong = submit_form(admin, f"{page}members/{theirs.id}/{change}", {}, page=page)
        assert wrong.status_code == 404, change


def test_indexes_are_scored_from_the_answers_as_the_results_page_does(app, client_record):
    organisation, _, _, admin = client_record
    with app.app_context():
        db = get_session()
        latest = db.exec(select(AssessmentRound).where(AssessmentRound.name == "Summer")).one()
        shown = score_text(score_submitted(db, latest, current_definition()).overall)
        # A figure kept at closing that no longer agrees with the answers is not what is shown.
        latest.result = {**latest.result, "overall": 1.0}
        db.add(latest)
        db.commit()
    listing = admin.get("/admin/organisations/").get_data(as_text=True)
    assert f'<td data-label="Overall index">{shown}</td>' in listing
    page = admin.get(f"/admin/organisations/{organisation.public_id}/").get_data(as_text=True)
    assert "Summer (" in page and f"): {shown}, up " in page
