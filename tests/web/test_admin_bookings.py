"""The consultant's booking pages."""

from datetime import timedelta

import pytest

from tests.conftest import Auth, csrf_token_from, signed_in_client
from tests.web.booking_flow import bookings, emails, paid_booking


@pytest.fixture
def consultant_account(make_user):
    return make_user(role="consultant")


@pytest.fixture
def consultant(booking_app, consultant_account):
    return signed_in_client(booking_app, consultant_account)


def test_lists_filter_by_status_and_show_this_months_paid_total(booking_app, guest, consultant):
    paid_booking(booking_app, guest)
    page = consultant.get("/admin/bookings/").get_data(as_text=True)
    assert "Ana Reyes, Riverside Clinic" in page and "USD 450.00" in page
    assert "Ana Reyes" not in consultant.get("/admin/bookings/?view=cancelled").get_data(
        as_text=True
    )
    assert consultant.get("/admin/bookings/?view=nonsense").status_code == 404


def test_the_booking_page_shows_the_intake_answers(booking_app, guest, consultant):
    paid_booking(booking_app, guest)
    page = consultant.get(f"/admin/bookings/{bookings(booking_app)[0].public_id}/").get_data(
        as_text=True
    )
    assert (
        "What matters most to your organisation right now?" in page
        and "Hearing our night staff." in page
    )


@pytest.mark.parametrize(("choice", "refunded"), [("full", 45000), ("none", 0)])
def test_the_consultant_cancels_with_or_without_a_refund(
    booking_app, guest, consultant, consultant_account, clock, choice, refunded
):
    paid_booking(booking_app, guest)
    public_id = bookings(booking_app)[0].public_id
    clock.now = bookings(booking_app)[0].starts_at - timedelta(
        hours=2
    )  # the guest's policy would refund nothing now
    Auth(consultant).sign_in_all_steps(
        consultant_account.email
    )  # days later: her session has ended
    page = consultant.get(f"/admin/bookings/{public_id}/").get_data(as_text=True)
    response = consultant.post(
        f"/admin/bookings/{public_id}/cancel",
        data={"refund": choice, "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 303
    [booking] = bookings(booking_app)
    assert (
        booking.status == "cancelled"
        and booking.cancelled_by == "consultant"
        and booking.refunded_minor == refunded
    )
    assert any(
        "with our apologies" in email.text_body
        for email in emails(booking_app)
        if email.to_address == "ana@clinic.example"
    )


def test_an_outcome_is_recorded_once_the_time_has_come(
    booking_app, guest, consultant, consultant_account, clock
):
    paid_booking(booking_app, guest)
    public_id = bookings(booking_app)[0].public_id
    page = consultant.get(f"/admin/bookings/{public_id}/").get_data(as_text=True)
    consultant.post(
        f"/admin/bookings/{public_id}/outcome",
        data={"outcome": "completed", "csrf_token": csrf_token_from(page)},
    )
    assert bookings(booking_app)[0].status == "confirmed"  # too early
    clock.now = bookings(booking_app)[0].ends_at + timedelta(minutes=5)
    Auth(consultant).sign_in_all_steps(
        consultant_account.email
    )  # days later: her session has ended
    page = consultant.get(f"/admin/bookings/{public_id}/").get_data(as_text=True)
    consultant.post(
        f"/admin/bookings/{public_id}/outcome",
        data={"outcome": "no_show", "csrf_token": csrf_token_from(page)},
    )
    assert bookings(booking_app)[0].status == "no_show"


def test_clients_cannot_see_bookings(booking_app, make_user):
    assert (
        signed_in_client(booking_app, make_user(role="client")).get("/admin/bookings/").status_code
        == 403
    )
