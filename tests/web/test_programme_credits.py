"""Members book a programme's included sessions without paying; credits are taken, given back
by the policy, and never usable past the programme's end or after it is cancelled.
"""

import re
from types import SimpleNamespace

import pytest
from sqlmodel import select

from consult.db import get_session
from consult.engagements.models import ProgrammeCredit
from consult.payments.models import TestCheckout
from tests.conftest import Auth, csrf_token_from, signed_in_client
from tests.web.booking_flow import bookings, emails, free_slots, manage_path
from tests.web.programme_steps import (
    STRATEGY,
    WORKING,
    book_as,
    calendar,
    credits,
    details_path,
    grant,
    make_people,
    make_programme,
)

DAY = "2026-11-30"


@pytest.fixture
def setting(app, clock, consultant):
    """Riverside Clinic holds a granted programme of two working sessions, lasting 90 days."""
    calendar(app)
    programme = make_programme(app, clock, sessions={WORKING: 2})
    organisation, owner, members = make_people(app, clock)
    purchase = grant(app, clock, programme, organisation, consultant)
    return SimpleNamespace(
        app=app,
        programme=programme,
        organisation=organisation,
        owner=owner,
        members=members,
        purchase=purchase,
        member=signed_in_client(app, members[0]),
        credit=f"credit:{organisation.public_id}",
    )


def checked_choice(page):
    match = re.search(r'<input[^>]* checked [^>]*name="book_as"[^>]*value="([^"]+)"', page)
    return match.group(1) if match else None


def used_credits(app):
    return sum(1 for credit in credits(app) if credit.booking_id is not None)


def test_a_member_books_an_included_session_without_paying(setting, app):
    start = free_slots(setting.member, WORKING, DAY)[0]
    page = setting.member.get(details_path(WORKING, start)).get_data(as_text=True)
    assert "Who is this booking for?" in page
    assert checked_choice(page) == setting.credit, "the credit is the first choice"
    assert "(2 left), without paying" in page
    assert 'value="riverside1@clinic.example"' in page  # their own details to start from

    response = book_as(setting.member, WORKING, start, setting.credit)
    assert response.status_code == 303 and "/book/booking/" in response.headers["Location"]
    [booking] = bookings(app)
    assert (booking.status, booking.payment_state, booking.amount_minor) == (
        "confirmed",
        "not_required",
        0,
    )
    assert booking.organisation_id == setting.organisation.id
    assert booking.booked_by_id == setting.members[0].id
    assert booking.programme_purchase_id == setting.purchase.id
    assert [credit.booking_id for credit in credits(app)] == [booking.id, None]
    with app.app_context():
        assert get_session().exec(select(TestCheckout)).all() == []
    confirmation = [email for email in emails(app) if email.subject.startswith("Confirmed")][0]
    assert "included in your organisation's programme" in confirmation.text_body
    # Its cancellation terms are the credit's, not a refund's (site.yaml: 100% from 48 hours).
    terms = (
        "Cancelling: cancel 48 hours or more before the start and the session goes back to your "
        "organisation's programme; with less notice, it counts as used."
    )
    assert terms in confirmation.text_body
    assert "goes back to your organisation's programme" in confirmation.html_body
    assert "refunded in full" not in confirmation.text_body + confirmation.html_body
    again = setting.member.get(details_path(WORKING, free_slots(setting.member, WORKING, DAY)[0]))
    assert "(1 left), without paying" in again.get_data(as_text=True)


def test_with_no_credit_left_the_choice_is_gone_and_a_forced_one_is_refused_clearly(setting, app):
    for _ in range(2):
        start = free_slots(setting.member, WORKING, DAY)[0]
        assert book_as(setting.member, WORKING, start, setting.credit).status_code == 303
    start = free_slots(setting.member, WORKING, DAY)[0]
    page = setting.member.get(details_path(WORKING, start)).get_data(as_text=True)
    assert "without paying" not in page
    assert checked_choice(page) == f"org:{setting.organisation.public_id}"

    refused = book_as(setting.member, WORKING, start, setting.credit, name="Ana Q. Reyes")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "No session of this kind is left in your organisation&#39;s programme" in html
    assert 'value="Ana Q. Reyes"' in html  # their answers are kept
    assert checked_choice(html) == f"org:{setting.organisation.public_id}"
    assert len(bookings(app)) == 2 and used_credits(app) == 2


def test_paying_for_the_organisation_ties_the_booking_and_takes_no_credit(setting, app):
    start = free_slots(setting.member, WORKING, DAY)[0]
    response = book_as(setting.member, WORKING, start, f"org:{setting.organisation.public_id}")
    assert response.status_code == 303 and "/payments/test/" in response.headers["Location"]
    [booking] = bookings(app)
    assert booking.status == "held" and booking.payment_state == "unpaid"
    assert booking.organisation_id == setting.organisation.id and used_credits(app) == 0


def test_booking_for_oneself_ties_nothing(setting, app):
    start = free_slots(setting.member, WORKING, DAY)[0]
    assert book_as(setting.member, WORKING, start, "self").status_code == 303
    [booking] = bookings(app)
    assert booking.organisation_id is None and booking.programme_purchase_id is None


@pytest.mark.parametrize("forged", ["credit:someone-elses", "org:", "", "credit", "nonsense:x"])
def test_a_choice_naming_an_organisation_one_is_not_in_is_refused_at_the_field(
    setting, app, clock, forged
):
    other, *_ = make_people(app, clock, name="Hilltop Hospice", prefix="hilltop", members=0)
    value = forged.replace("someone-elses", other.public_id)
    start = free_slots(setting.member, WORKING, DAY)[0]
    response = book_as(setting.member, WORKING, start, value)
    assert response.status_code == 422
    assert "Choose who this booking is for." in response.get_data(as_text=True)
    assert bookings(app) == [] and used_credits(app) == 0


def test_guests_and_the_consultant_are_not_offered_a_choice(setting, app, consultant):
    start = free_slots(setting.member, WORKING, DAY)[0]
    assert "Who is this booking for?" not in app.test_client().get(
        details_path(WORKING, start)
    ).get_data(as_text=True)
    consultant_page = signed_in_client(app, consultant).get(details_path(WORKING, start))
    assert "Who is this booking for?" not in consultant_page.get_data(as_text=True)


def test_a_type_the_programme_does_not_include_offers_no_credit(setting, app):
    start = free_slots(setting.member, STRATEGY, DAY)[0]
    page = setting.member.get(details_path(STRATEGY, start)).get_data(as_text=True)
    assert "without paying" not in page
    assert book_as(setting.member, STRATEGY, start, setting.credit).status_code == 409
    assert bookings(app) == []


def cancel_through_link(client, app):
    path = manage_path(app)
    page = client.get(path).get_data(as_text=True)
    return page, client.post(path + "/cancel", data={"csrf_token": csrf_token_from(page)})


def test_cancelling_with_the_policys_notice_gives_the_credit_back(setting, app):
    start = free_slots(setting.member, WORKING, DAY)[0]
    book_as(setting.member, WORKING, start, setting.credit)
    page, response = cancel_through_link(setting.member, app)
    assert "If you cancel now, the session goes back to the programme." in page
    assert response.status_code == 303
    [booking] = bookings(app)
    assert booking.status == "cancelled" and used_credits(app) == 0
    assert booking.programme_purchase_id == setting.purchase.id  # what paid for it stays known


def test_cancelling_late_counts_the_session_as_used(setting, app, clock):
    start = free_slots(setting.member, WORKING, DAY)[0]
    book_as(setting.member, WORKING, start, setting.credit)
    clock.advance(days=4, hours=12)  # less than the 48 hours a full refund needs
    Auth(setting.member).sign_in(setting.members[0].email)  # days later: signed in again
    page, response = cancel_through_link(setting.member, app)
    assert "If you cancel now, it counts as used." in page and response.status_code == 303
    [booking] = bookings(app)
    assert booking.status == "cancelled" and used_credits(app) == 1


@pytest.mark.parametrize(("refund", "given_back"), [("full", True), ("none", False)])
def test_the_consultants_cancellation_gives_it_back_unless_without_refund(
    setting, app, consultant, refund, given_back
):
    start = free_slots(setting.member, WORKING, DAY)[0]
    book_as(setting.member, WORKING, start, setting.credit)
    [booking] = bookings(app)
    admin = signed_in_client(app, consultant)
    page = admin.get(f"/admin/bookings/{booking.public_id}/").get_data(as_text=True)
    assert "(a programme's session)" in page
    admin.post(
        f"/admin/bookings/{booking.public_id}/cancel",
        data={"refund": refund, "csrf_token": csrf_token_from(page)},
    )
    assert used_credits(app) == (0 if given_back else 1)


def test_credits_are_not_usable_for_sessions_after_the_programme_ends(app, clock, consultant):
    calendar(app)
    short = make_programme(app, clock, sessions={WORKING: 2}, duration_days=3)  # ends 28 Nov
    organisation, _, members = make_people(app, clock)
    grant(app, clock, short, organisation, consultant)
    member = signed_in_client(app, members[0])
    late = free_slots(member, WORKING, DAY)[0]
    assert "without paying" not in member.get(details_path(WORKING, late)).get_data(as_text=True)
    refused = book_as(member, WORKING, late, f"credit:{organisation.public_id}")
    assert refused.status_code == 409 and bookings(app) == []
    early = free_slots(member, WORKING, "2026-11-26")[0]
    assert book_as(member, WORKING, early, f"credit:{organisation.public_id}").status_code == 303
    clock.advance(days=3)  # the programme has ended: its last credit is gone with it
    later = free_slots(member, WORKING, DAY)[0]
    assert "without paying" not in member.get(details_path(WORKING, later)).get_data(as_text=True)


def test_a_session_paid_with_a_credit_cannot_move_past_the_programmes_end(app, clock, consultant):
    calendar(app)
    week = make_programme(app, clock, sessions={WORKING: 1}, duration_days=7)  # ends 2 Dec 9:00
    organisation, _, members = make_people(app, clock)
    grant(app, clock, week, organisation, consultant)
    member = signed_in_client(app, members[0])
    start = free_slots(member, WORKING, DAY)[0]
    assert book_as(member, WORKING, start, f"credit:{organisation.public_id}").status_code == 303
    path = manage_path(app)
    for day, allowed in (("2026-12-02", False), ("2026-12-01", True)):
        page = member.get(path + f"/move?tz=America/Chicago&date={day}").get_data(as_text=True)
        new_start = re.search(r'name="start" value="([^"]+)"', page).group(1)
        response = member.post(
            path + f"/move?tz=America/Chicago&date={day}",
            data={"start": new_start, "csrf_token": csrf_token_from(page)},
        )
        if allowed:
            assert response.status_code == 303
        else:
            assert response.status_code == 409
            assert "which ends on 2 December 2026" in response.get_data(as_text=True)
    [booking] = bookings(app)
    assert booking.starts_at.isoformat().startswith("2026-12-01")


def test_a_cancelled_programmes_credits_are_not_usable(setting, app, consultant):
    admin = signed_in_client(app, consultant)
    page = admin.get(f"/admin/programmes/purchases/{setting.purchase.public_id}/")
    admin.post(
        f"/admin/programmes/purchases/{setting.purchase.public_id}/cancel",
        data={"refund": "none", "csrf_token": csrf_token_from(page.get_data(as_text=True))},
    )
    start = free_slots(setting.member, WORKING, DAY)[0]
    assert "without paying" not in setting.member.get(details_path(WORKING, start)).get_data(
        as_text=True
    )
    assert book_as(setting.member, WORKING, start, setting.credit).status_code == 409


def test_the_database_lets_one_booking_hold_one_credit_only(setting, app):
    """The unique booking column is the last guard: no code path can give two credits to one
    booking.
    """
    from sqlalchemy.exc import IntegrityError

    start = free_slots(setting.member, WORKING, DAY)[0]
    book_as(setting.member, WORKING, start, setting.credit)
    [booking] = bookings(app)
    with app.app_context():
        db = get_session()
        spare = db.exec(select(ProgrammeCredit).where(ProgrammeCredit.booking_id.is_(None))).one()
        spare.booking_id = booking.id
        db.add(spare)
        with pytest.raises(IntegrityError):
            db.commit()


def test_a_late_move_does_not_give_the_credit_back_on_cancelling(setting, app, clock):
    start = free_slots(setting.member, WORKING, DAY)[0]
    book_as(setting.member, WORKING, start, setting.credit)
    clock.advance(days=4, hours=12)  # less than the 48 hours a full refund needs
    Auth(setting.member).sign_in(setting.members[0].email)  # days later: signed in again
    path = manage_path(app)
    page = setting.member.get(path + "/move?tz=America/Chicago&date=2026-12-07")
    page = page.get_data(as_text=True)
    moved = setting.member.post(
        path + "/move?tz=America/Chicago&date=2026-12-07",
        data={
            "start": re.search(r'name="start" value="([^"]+)"', page).group(1),
            "csrf_token": csrf_token_from(page),
        },
    )
    assert moved.status_code == 303
    page, response = cancel_through_link(setting.member, app)
    assert "If you cancel now, it counts as used." in page and response.status_code == 303
    assert used_credits(app) == 1
