"""The client portal end to end: starting, invitations, members, answering and saving answers."""

import re

import pytest
from sqlmodel import select

from consult.db import get_session
from consult.mail.models import OutboxEmail
from consult.portal.models import Membership, Response
from tests.conftest import Auth, csrf_token_from, signed_in_client, submit_form
from tests.web.portal_fixtures import (
    add_people,
    answer_everything,
    definition,
    make_organisation,
    open_round,
    user_by_email,
)


@pytest.fixture
def organisation(app, clock):
    return make_organisation(app, clock)


def test_a_visitor_starts_an_organisation_by_confirming_their_address(app, client):
    response = submit_form(
        client,
        "/portal/start",
        {
            "organisation": "Lakeside Hospital",
            "role_group": "clinical-leadership",
            "email": "Lead@Lakeside.example",
        },
        page="/portal/",
    )
    assert "Check your e-mail" in response.get_data(as_text=True)
    with app.app_context():
        invitation = get_session().exec(select(OutboxEmail)).one()
    accept_path = re.search(
        r"http://consult\.test(/accounts/invitation/\S+)", invitation.text_body
    ).group(1)
    assert "Lakeside Hospital" in invitation.text_body
    assert (
        submit_form(
            client,
            accept_path,
            {"name": "Lee Lead", "password": "steady shared care", "confirm": "steady shared care"},
        ).status_code
        == 302
    )
    page = client.get("/portal/").get_data(as_text=True)
    assert "Lakeside Hospital" in page and "(owner)" in page


def test_owners_invite_members_who_join_with_their_role_group(app, organisation, clock):
    owner = Auth(app.test_client())
    owner.sign_in("owner@clinic.example")
    members_path = f"/portal/o/{organisation.public_id}/members"
    response = submit_form(
        owner.client,
        members_path,
        {"email": "nurse@clinic.example", "role_group": "providers", "role": "member"},
    )
    assert response.status_code == 303
    with app.app_context():
        email = get_session().exec(select(OutboxEmail)).one()
    newcomer = app.test_client()
    accept_path = re.search(
        r"http://consult\.test(/accounts/invitation/\S+)", email.text_body
    ).group(1)
    submit_form(
        newcomer,
        accept_path,
        {
            "name": "Nia Nurse",
            "password": "listening first always",
            "confirm": "listening first always",
        },
    )
    page = newcomer.get(members_path).get_data(as_text=True)
    assert "Nia Nurse" in page and "Providers" in page
    assert "Send the invitation" not in page  # members do not invite
    assert (
        submit_form(
            newcomer,
            members_path,
            {"email": "x@clinic.example", "role_group": "staff", "role": "member"},
            page=members_path,
        ).status_code
        == 403
    )


def test_outsiders_get_404_for_every_page_of_an_organisation(app, organisation, make_user):
    outsider = signed_in_client(app, make_user(email="outsider@else.example"))
    for path in ["/", "/members", "/r/whatever/results", "/r/whatever/answer/1"]:
        assert outsider.get(f"/portal/o/{organisation.public_id}{path}").status_code == 404, path
    assert (
        app.test_client().get(f"/portal/o/{organisation.public_id}/").status_code == 302
    )  # sign in first


def test_the_last_owner_cannot_leave_and_ownership_can_be_handed_over(app, organisation, clock):
    [member] = add_people(app, clock, organisation, "staff", 1, "sam")
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    members_path = f"/portal/o/{organisation.public_id}/members"
    with app.app_context():
        owner_membership = (
            get_session().exec(select(Membership).where(Membership.role == "owner")).one()
        )
        member_membership = (
            get_session().exec(select(Membership).where(Membership.user_id == member.id)).one()
        )
    submit_form(
        owner,
        f"/portal/o/{organisation.public_id}/members/hand-ownership",
        {"membership": member_membership.id},
        page=members_path,
    )
    with app.app_context():
        roles = {row.user_id: row.role for row in get_session().exec(select(Membership)).all()}
    assert roles == {owner_membership.user_id: "member", member.id: "owner"}
    new_owner = signed_in_client(app, member)
    refused = submit_form(
        new_owner,
        f"/portal/o/{organisation.public_id}/members/remove",
        {"membership": member_membership.id},
        page=members_path,
    )
    assert refused.status_code == 303 and len(roles) == 2


def test_answers_are_saved_page_by_page_kept_on_return_and_locked_on_submit(
    app, organisation, clock
):
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    first = f"/portal/o/{organisation.public_id}/r/{round_id}/answer/1"
    section = definition(app).sections[0]
    scale = [question for question in section.questions if question.kind != "text"]
    submit_form(owner, first, {scale[0].key: "4", scale[-1].key: "not_sure", "go": "next"})
    other_device = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    html = other_device.get(first).get_data(as_text=True)
    assert re.search(rf'name="{scale[0].key}" value="4" checked', html) and re.search(
        rf'id="{scale[-1].key}-not-sure"[^>]*checked', html
    )
    review = other_device.get(f"/portal/o/{organisation.public_id}/r/{round_id}/review").get_data(
        as_text=True
    )
    assert "Not answered yet" in review and "Not sure" in review
    refused = submit_form(
        other_device, f"/portal/o/{organisation.public_id}/r/{round_id}/review", {}
    )
    assert refused.status_code == 422 and "still need an answer" in refused.get_data(as_text=True)
    answer_everything(owner, app, organisation, round_id, 3)
    token = csrf_token_from(
        owner.get(f"/portal/o/{organisation.public_id}/").get_data(as_text=True)
    )
    after = owner.post(first, data={scale[0].key: "1", "go": "next", "csrf_token": token})
    assert after.status_code == 302  # locked: sent to the review page
    with app.app_context():
        response = get_session().exec(select(Response)).one()
        assert response.submitted_at is not None and response.answers[scale[0].key] == 3


def test_a_bad_answer_value_is_refused_with_the_page_kept(app, organisation):
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    section = definition(app).sections[0]
    key = section.questions[0].key
    response = submit_form(
        owner,
        f"/portal/o/{organisation.public_id}/r/{round_id}/answer/1",
        {key: "9", section.questions[1].key: "2", "go": "next"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose one of the answers." in html
    assert re.search(rf'name="{section.questions[1].key}" value="2" checked', html)


def test_the_consultant_creates_an_organisation_and_invites_its_owner(app, make_user):
    consultant = signed_in_client(app, make_user(role="consultant"))
    response = submit_form(
        consultant,
        "/admin/organisations/",
        {
            "name": "Harbour Network",
            "owner_email": "chair@harbour.example",
            "role_group": "executive-leadership",
        },
    )
    assert response.status_code == 303
    page = consultant.get("/admin/organisations/").get_data(as_text=True)
    assert "Harbour Network" in page and "none yet" in page
    with app.app_context():
        email = get_session().exec(select(OutboxEmail)).one()
    assert email.to_address == "chair@harbour.example" and "Harbour Network" in email.text_body


def test_answers_are_saved_while_typing_without_leaving_the_page(app, organisation):
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    last = len(definition(app).sections)
    path = f"/portal/o/{organisation.public_id}/r/{round_id}/answer/{last}"
    text_question = [
        question for question in definition(app).sections[-1].questions if question.kind == "text"
    ][0]
    response = submit_form(owner, path, {text_question.key: "Half a thought", "go": "autosave"})
    assert response.status_code == 204
    assert "Half a thought" in owner.get(path).get_data(as_text=True)
