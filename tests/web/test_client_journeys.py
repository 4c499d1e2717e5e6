"""Where a client lands and picks up: their organisation after signing in or accepting an
invitation, the assessment where they left it, booking a working session for the organisation
with its credit, and a role group they choose themselves.
"""

import re
from urllib.parse import urlencode

from sqlmodel import select

from consult.accounts.service import create_invitation
from consult.booking.models import ConsultationType
from consult.db import get_session
from consult.portal import service
from consult.portal.models import ActionItem, Organisation
from tests.conftest import Auth, csrf_token_from, signed_in_client, submit_form
from tests.web.booking_flow import free_slots
from tests.web.portal_fixtures import (
    add_people,
    definition,
    make_organisation,
    open_round,
    user_by_email,
)
from tests.web.programme_steps import (
    WORKING,
    calendar,
    grant,
    make_people,
    make_programme,
    type_id,
)
from tests.web.timeline_steps import closed_round


def test_a_client_lands_on_their_organisation_or_chooses_among_several(app, clock, make_user):
    organisation = make_organisation(app, clock)
    auth = Auth(app.test_client())
    landed = auth.sign_in("owner@clinic.example")
    assert landed.headers["Location"] == f"/portal/o/{organisation.public_id}/"
    auth.sign_out()
    # An explicit, safe `next` still wins; an unsafe one is ignored.
    to_data = submit_form(
        auth.client,
        "/accounts/sign-in?next=/accounts/data",
        {"email": "owner@clinic.example", "password": "a calm morning walk"},
    )
    assert to_data.headers["Location"] == "/accounts/data"
    auth.sign_out()
    with app.app_context():
        db = get_session()
        second = service.create_organisation(session=db, name="Hilltop", now=clock())
        owner = user_by_email(app, "owner@clinic.example")
        service.add_member(
            session=db, organisation=second, user=owner, role="member", role_group="x", now=clock()
        )
        db.commit()
    assert auth.sign_in("owner@clinic.example").headers["Location"] == "/portal/"
    chooser = auth.client.get("/portal/").get_data(as_text=True)
    assert "Riverside Clinic" in chooser and "Hilltop" in chooser
    loner = make_user(email="loner@example.org")
    assert Auth(app.test_client()).sign_in(loner.email).headers["Location"] == "/"


def test_accepting_an_invitation_lands_on_the_organisation_joined(app, clock, make_user):
    make_organisation(app, clock)
    with app.app_context():
        db = get_session()
        hilltop = service.create_organisation(session=db, name="Hilltop", now=clock())
        _, token = create_invitation(
            session=db,
            email="new@clinic.example",
            role="client",
            invited_by=None,
            now=clock(),
            organisation_id=hilltop.id,
            organisation_role="member",
            role_group="providers",
            organisation_name=hilltop.name,
        )
        db.commit()
    client = app.test_client()
    accepted = submit_form(
        client,
        f"/accounts/invitation/{token}",
        {"name": "Nia New", "password": "a calm morning walk", "confirm": "a calm morning walk"},
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    assert accepted.headers["Location"] == f"/portal/o/{hilltop.public_id}/"


def test_continue_the_assessment_resumes_at_the_first_unanswered_section(app, clock):
    organisation = make_organisation(app, clock)
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    base = f"/portal/o/{organisation.public_id}/r/{round_id}"
    sections = definition(app).sections

    def resume_link():
        html = owner.get(f"/portal/o/{organisation.public_id}/").get_data(as_text=True)
        return re.search(r'<a class="button" href="([^"]+)">(Take|Continue) the assessment', html)

    assert resume_link().group(1) == f"{base}/answer/1"
    for number in (1, 2):
        section = sections[number - 1]
        answers = {
            question.key: "A thought." if question.kind == "text" else "3"
            for question in section.questions
        }
        submit_form(owner, f"{base}/answer/{number}", {**answers, "go": "next"})
    # Section 3 half answered: that is where to pick up, not at 1 and not at 4.
    third = [question for question in sections[2].questions if question.kind != "text"]
    submit_form(owner, f"{base}/answer/3", {third[0].key: "4", "go": "next"})
    link = resume_link()
    assert link.group(2) == "Continue" and link.group(1) == f"{base}/answer/3"
    for number, section in enumerate(sections[2:], start=3):
        answers = {
            question.key: "A thought." if question.kind == "text" else "3"
            for question in section.questions
        }
        submit_form(owner, f"{base}/answer/{number}", {**answers, "go": "next"})
    assert resume_link().group(1) == f"{base}/review"


def test_book_a_working_session_books_as_the_member_with_the_organisations_credit(
    app, clock, consultant
):
    calendar(app)
    organisation, owner, members = make_people(app, clock)
    grant(app, clock, make_programme(app, clock), organisation, consultant)
    with app.app_context():
        db = get_session()
        assessment_round = closed_round(
            db,
            clock,
            organisation=db.get(Organisation, organisation.id),
            people=[owner, *members],
            value=2,
        )
        db.commit()
        results = f"/portal/o/{organisation.public_id}/r/{assessment_round.public_id}/results"
    member = signed_in_client(app, members[0])
    page = member.get(results).get_data(as_text=True)
    link = f"/book/{WORKING}/?org={organisation.public_id}"
    assert f'href="{link}">Book a working session' in page
    day = free_slots(member, WORKING, "2026-11-30")[0][:10]
    times = member.get(f"{link}&date={day}").get_data(as_text=True)
    details = re.search(r'href="(/book/working-session/details\?[^"]+)"', times).group(1)
    assert f"org={organisation.public_id}" in details.replace("&amp;", "&")
    form = member.get(details.replace("&amp;", "&")).get_data(as_text=True)
    checked = re.search(r'<input[^>]* checked [^>]*name="book_as"[^>]*value="([^"]+)"', form)
    assert checked.group(1) == f"credit:{organisation.public_id}"
    # Choosing another time keeps the organisation; only paying holds the time.
    assert f"org={organisation.public_id}" in re.search(
        r'href="([^"]+)">Choose another time', form
    ).group(1)
    assert "If you pay, your time is held for 30 minutes while you do." in form
    assert "while you pay." not in form
    # The consultant reading the plan books for no one in particular.
    consultants = signed_in_client(app, consultant).get(results).get_data(as_text=True)
    assert f'href="/book/{WORKING}/">Book a working session' in consultants
    # A malformed organisation is dropped, never echoed into the links.
    odd = member.get(f"/book/{WORKING}/?" + urlencode({"org": "<x>", "date": day}))
    assert odd.status_code == 200 and "org=" not in odd.get_data(as_text=True)


def test_role_groups_are_chosen_never_preselected(app, clock, make_user):
    client = app.test_client()
    start = client.get("/portal/").get_data(as_text=True)
    picker = re.search(r'<select[^>]*name="role_group".*?</select>', start, re.S).group(0)
    assert "selected" not in picker and '<option value="">Choose a group</option>' in picker
    refused = client.post(
        "/portal/start",
        data={
            "organisation": "Lakeside",
            "email": "l@example.org",
            "role_group": "",
            "csrf_token": csrf_token_from(start),
        },
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Choose your group." in page and "Lakeside" in page
    organisation = make_organisation(app, clock)
    add_people(app, clock, organisation, "providers", 1, "nurse")
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    members = f"/portal/o/{organisation.public_id}/members"
    invite = submit_form(owner, members, {"email": "x@clinic.example", "role": "member"})
    assert invite.status_code == 422 and "Choose their group." in invite.get_data(as_text=True)


def test_the_plan_names_the_session_it_recommends_and_offers_none_withdrawn(app, clock):
    calendar(app)
    organisation, owner, members = make_people(app, clock)
    with app.app_context():
        db = get_session()
        assessment_round = closed_round(
            db,
            clock,
            organisation=db.get(Organisation, organisation.id),
            people=[owner, *members],
            value=2,
        )
        actions = db.exec(
            select(ActionItem).where(ActionItem.round_id == assessment_round.id)
        ).all()
        assert len(actions) >= 2
        actions[0].consultation_type = "leadership-strategy-session"
        actions[1].consultation_type = WORKING
        for action in actions[2:]:
            action.consultation_type = None
        db.get(ConsultationType, type_id(app, WORKING)).is_active = False
        db.commit()
        results = f"/portal/o/{organisation.public_id}/r/{assessment_round.public_id}/results"
    page = signed_in_client(app, members[0]).get(results).get_data(as_text=True)
    strategy = f"/book/leadership-strategy-session/?org={organisation.public_id}"
    assert f'href="{strategy}">Book a leadership strategy session</a>' in page
    assert f"/book/{WORKING}/" not in page  # withdrawn: no link to a page that turns them away
    assert "Book a working session" not in page
