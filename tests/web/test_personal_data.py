"""A signed-in person downloads everything the site holds about them, and deletes their account:
what the organisation needs stays without them, the rest goes.
"""

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from consult.accounts.models import Invitation, User
from consult.blog.models import Subscriber
from consult.blog.service import subscribe
from consult.booking.models import Booking
from consult.db import get_session
from consult.mail.models import OutboxEmail
from consult.portal import service
from consult.portal.models import AssessmentRound, Membership, Organisation, Response
from consult.portal.rounds import close_round, score_submitted
from tests.conftest import TEST_PASSWORD, Auth, csrf_token_from, signed_in_client
from tests.web.audit_fixtures import audit_entries, only_entry
from tests.web.booking_flow import book, bookings, free_slots, pay_with_test_provider
from tests.web.portal_fixtures import add_people, make_organisation, user_by_email
from tests.web.test_sign_out import replay, saved_cookies

JO = "jo@clinic.example"


@pytest.fixture
def world(booking_app, clock, guest):
    """Jo: a member of Riverside (answers submitted) and of Hillside (answers not submitted), a
    paid consultation booked with her address, a subscription. Ana, a guest, booked too.
    """
    app = booking_app
    riverside = make_organisation(app, clock)
    [jo] = add_people(app, clock, riverside, "staff", 1, "jo")
    [other] = add_people(app, clock, riverside, "staff", 1, "pat")
    with app.app_context():
        db = get_session()
        jo = db.get(User, jo.id)
        jo.email = JO
        hillside = service.create_organisation(session=db, name="Hillside", now=clock())
        boss = db.exec(select(User).where(User.email == "owner@clinic.example")).one()
        for person, role in ((boss, "owner"), (jo, "member")):
            service.add_member(
                session=db,
                organisation=hillside,
                user=person,
                role=role,
                role_group="staff",
                now=clock(),
            )
        assessment = app.extensions["consult.assessments"].current()
        rounds = {}
        for organisation in (db.get(Organisation, riverside.id), hillside):
            rounds[organisation.name] = service.open_round(
                session=db,
                organisation=organisation,
                definition=assessment,
                name=f"{organisation.name} round",
                closes_on=clock().date(),
                today=clock().date(),
                now=clock(),
            )
        answers = {q.key: 4 for q in assessment.questions if q.kind != "text"}
        for person in (boss, jo, other):
            db.add(
                Response(
                    round_id=rounds["Riverside Clinic"].id,
                    user_id=person.id,
                    role_group="staff",
                    answers=answers,
                    started_at=clock(),
                    updated_at=clock(),
                    submitted_at=clock(),
                )
            )
        db.add(
            Response(
                round_id=rounds["Hillside"].id,
                user_id=jo.id,
                role_group="staff",
                answers={"draft": 2},
                started_at=clock(),
                updated_at=clock(),
            )
        )
        subscribe(session=db, email=JO, now=clock())
        db.commit()
    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    pay_with_test_provider(
        guest, book(guest, "leadership-strategy-session", start, email=JO, name="Jo Clinic")
    )
    guest.get(f"/book/return?session_id={bookings(app)[-1].checkout_session_id}")
    ana_start = free_slots(guest, "discovery-call", "2026-12-01")[0]
    book(guest, "discovery-call", ana_start)
    return {"jo": user_by_email(app, JO), "other": other, "rounds": rounds}


def download(client):
    response = client.get("/accounts/data.json")
    assert response.status_code == 200
    return response, json.loads(response.get_data(as_text=True))


def test_a_person_downloads_everything_the_site_holds_about_them(booking_app, world):
    jo = world["jo"]
    client = signed_in_client(booking_app, jo)
    response, data = download(client)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    assert data["account"]["email"] == JO and data["account"]["role"] == "client"
    assert {m["organisation"] for m in data["memberships"]} == {"Riverside Clinic", "Hillside"}
    submitted = [a for a in data["answers"] if a["submitted_at"]]
    assert len(data["answers"]) == 2 and submitted[0]["organisation"] == "Riverside Clinic"
    [booked] = data["bookings"]
    assert booked["email"] == JO and booked["intake_answers"]["what_matters"]
    assert booked["payment"]["paid_minor"] == 45000
    assert data["subscriptions"][0]["status"] == "pending"
    assert any(email["subject"].startswith("Confirmed") for email in data["emails_sent"])
    events = [entry["event"] for entry in data["audit_entries"]]
    assert "sign_in.succeeded" in events and "personal_data.exported" in events
    assert only_entry(booking_app, "personal_data.exported").subject_user_id == jo.id

    text = response.get_data(as_text=True)
    with booking_app.app_context():
        stored = get_session().get(User, jo.id)
    assert stored.password_hash not in text and stored.session_token not in text
    assert "ana@clinic.example" not in text and "Ana Reyes" not in text  # someone else's
    assert "pat0@clinic.example" not in text


def test_the_download_needs_a_signed_in_person(booking_app):
    response = booking_app.test_client().get("/accounts/data.json")
    assert response.status_code == 302 and "/accounts/sign-in" in response.headers["Location"]


def delete_account(client, password=TEST_PASSWORD, confirm=True):
    token = csrf_token_from(client.get("/accounts/data").get_data(as_text=True))
    data = {"password": password, "csrf_token": token}
    if confirm:
        data["confirm"] = "y"
    return client.post("/accounts/delete", data=data)


def test_a_wrong_password_or_no_confirmation_deletes_nothing(booking_app, world, clock):
    clock.now += timedelta(days=30)  # the consultation is over
    client = signed_in_client(booking_app, world["jo"])
    wrong = delete_account(client, password="not my password")
    assert wrong.status_code == 422 and "That is not your password." in wrong.get_data(as_text=True)
    unticked = delete_account(client, confirm=False)
    assert unticked.status_code == 422
    assert "Tick the box to confirm" in unticked.get_data(as_text=True)
    assert user_by_email(booking_app, JO).id == world["jo"].id


def test_deletion_waits_for_an_owner_to_hand_over_and_a_consultation_to_pass(
    booking_app, world, clock, make_user
):
    owner = signed_in_client(booking_app, user_by_email(booking_app, "owner@clinic.example"))
    page = owner.get("/accounts/data").get_data(as_text=True)
    assert "You are the only owner of Hillside" in page
    assert "You are the only owner of Riverside Clinic" in page
    assert 'action="/accounts/delete"' not in page
    refused = delete_account(owner)
    assert refused.status_code == 409 and "hand ownership to another member" in refused.get_data(
        as_text=True
    )

    jo = signed_in_client(booking_app, world["jo"])
    refused = delete_account(jo)
    assert refused.status_code == 409
    assert "Your consultation on 30 November 2026 is still to come" in refused.get_data(
        as_text=True
    )

    consultant = signed_in_client(booking_app, make_user(role="consultant"))
    refused = delete_account(consultant)
    assert refused.status_code == 409 and "You are the only consultant" in refused.get_data(
        as_text=True
    )
    with booking_app.app_context():
        assert len(get_session().exec(select(User)).all()) == 4  # no one was deleted


def test_deleting_an_account_keeps_submitted_answers_without_the_person(booking_app, world, clock):
    clock.now += timedelta(days=30)  # the consultation is over
    jo = world["jo"]
    client = booking_app.test_client()
    assert Auth(client).sign_in(JO, remember="y").status_code == 302
    cookies = saved_cookies(client)
    response = delete_account(client)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Your account is deleted" in client.get("/").get_data(as_text=True)
    assert client.get("/accounts/data").status_code == 302
    assert replay(booking_app, cookies).get("/accounts/data").status_code == 302

    with booking_app.app_context():
        db = get_session()
        assert db.get(User, jo.id) is None
        assert not db.exec(select(Membership).where(Membership.user_id == jo.id)).all()
        riverside_round = world["rounds"]["Riverside Clinic"]
        kept = db.exec(select(Response).where(Response.round_id == riverside_round.id)).all()
        assert sorted(r.user_id or 0 for r in kept) == sorted([0, *_others(db, world)])
        hillside_round = world["rounds"]["Hillside"]
        assert not db.exec(select(Response).where(Response.round_id == hillside_round.id)).all()
        paid = db.exec(select(Booking).where(Booking.paid_minor == 45000)).one()
        assert (paid.guest_name, paid.guest_email, paid.intake_answers) == ("", "", {})
        assert paid.payment_reference and paid.payment_state == "paid"
        assert paid.guest_data_erased_at == clock()
        ana = db.exec(select(Booking).where(Booking.guest_email == "ana@clinic.example")).one()
        assert ana.guest_name == "Ana Reyes"
        assert not db.exec(select(OutboxEmail).where(OutboxEmail.to_address == JO)).all()
        assert not db.exec(select(Invitation).where(Invitation.email == JO)).all()
        assert not db.exec(select(Subscriber).where(Subscriber.email == JO)).all()
        # The round still counts the answers: the results are the organisation's.
        assessment = booking_app.extensions["consult.assessments"].current()
        riverside_round = db.get(AssessmentRound, riverside_round.id)
        assert score_submitted(db, riverside_round, assessment).respondent_count == 3
        close_round(
            session=db, assessment_round=riverside_round, definition=assessment, now=clock()
        )
        db.commit()

    left = audit_entries(booking_app, "membership.removed")
    assert {entry.details["reason"] for entry in left} == {"account deleted"}
    assert sorted(entry.organisation_id for entry in left) == sorted(
        round_.organisation_id for round_ in world["rounds"].values()
    )
    deleted = only_entry(booking_app, "account.deleted")
    assert deleted.actor_email == JO and deleted.subject_user_id == jo.id
    assert deleted.details == {
        "answers_kept": 1,
        "answers_deleted": 1,
        "memberships_ended": 2,
        "bookings_erased": 1,
    }


def _others(db, world):
    owner = db.exec(select(User).where(User.email == "owner@clinic.example")).one()
    return [owner.id, world["other"].id]


def test_the_consultant_reads_kept_answers_as_those_of_a_former_member(
    booking_app, world, clock, make_user
):
    clock.now += timedelta(days=30)
    delete_account(signed_in_client(booking_app, world["jo"]))
    consultant = signed_in_client(booking_app, make_user(role="consultant"))
    with booking_app.app_context():
        riverside = (
            get_session()
            .exec(select(Organisation).where(Organisation.name == "Riverside Clinic"))
            .one()
        )
    round_id = world["rounds"]["Riverside Clinic"].public_id
    page = consultant.get(f"/portal/o/{riverside.public_id}/r/{round_id}/responses")
    assert page.status_code == 200
    assert "A former member (account deleted)" in page.get_data(as_text=True)


def test_an_account_page_links_to_the_data_page(booking_app, world):
    client = signed_in_client(booking_app, world["jo"])
    assert 'href="/accounts/data"' in client.get("/").get_data(as_text=True)
    assert Auth(client).sign_out().status_code == 302
