"""Booking through the test client with the local test payment provider: times, details, holds."""

from urllib.parse import urlencode

import pytest

from consult.db import get_session
from tests.conftest import csrf_token_from
from tests.web.booking_flow import GUEST, book, bookings, emails, free_slots, pay_with_test_provider


def test_types_days_and_times_in_the_guests_zone(guest):
    page = guest.get("/book/").get_data(as_text=True)
    assert (
        "Discovery call" in page and "Leadership strategy session" in page and "USD 450.00" in page
    )
    chicago = free_slots(guest, "discovery-call", "2026-11-26")
    assert chicago[0] == "2026-11-26T09:00:00-06:00" and "2026-11-26T12:00:00-06:00" not in chicago
    kolkata = free_slots(guest, "discovery-call", "2026-11-26", "Asia/Kolkata")
    assert kolkata[0] == "2026-11-26T20:30:00+05:30"  # 09:00 in Chicago
    chatham = free_slots(guest, "discovery-call", "2026-11-27", "Pacific/Chatham")
    assert chatham[0] == "2026-11-27T04:45:00+13:45"
    times_page = guest.get("/book/discovery-call/?tz=Asia/Kolkata&date=2026-11-26").get_data(
        as_text=True
    )
    assert "8:30 PM" in times_page and "Asia/Kolkata" in times_page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date=2026-11-26&tz=Mars/Olympus", "Unknown time zone"),
        ("date=26/11/2026&tz=UTC", "YYYY-MM-DD"),
    ],
)
def test_slots_json_refuses_bad_input_with_400(guest, query, message):
    response = guest.get(f"/book/discovery-call/slots.json?{query}")
    assert response.status_code == 400 and message in response.get_json()["error"]


def test_a_free_booking_is_confirmed_with_an_invitation_and_a_note_to_the_consultant(
    booking_app, guest
):
    start = free_slots(guest, "discovery-call", "2026-11-26")[0]
    response = book(guest, "discovery-call", start)
    assert response.status_code == 303
    status = guest.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are booked" in status and "Video call" in status
    [booking] = bookings(booking_app)
    assert booking.status == "confirmed" and booking.payment_state == "not_required"
    assert booking.intake_answers == {"what_matters": "Hearing our night staff."}
    confirmation, for_consultant = emails(booking_app)
    assert (
        confirmation.to_address == "ana@clinic.example"
        and "/book/manage/" in confirmation.text_body
    )
    [invite] = confirmation.attachments
    assert (
        invite["filename"] == "consultation.ics"
        and "DTSTART;TZID=America/Chicago:20261126T090000" in invite["content"]
    )
    assert (
        for_consultant.to_address == "hello@consult.example"
        and "Hearing our night staff." in for_consultant.text_body
    )
    assert start not in free_slots(guest, "discovery-call", "2026-11-26")


def test_a_paid_booking_is_held_then_confirmed_once_however_often_the_return_page_is_hit(
    booking_app, guest
):
    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    held = book(guest, "leadership-strategy-session", start)
    assert held.status_code == 303 and held.headers["Location"].startswith("/payments/test/")
    [booking] = bookings(booking_app)
    assert (
        booking.status == "held" and booking.payment_state == "unpaid" and emails(booking_app) == []
    )
    paid = pay_with_test_provider(guest, held)
    return_path = paid.headers["Location"].removeprefix("http://consult.test")
    for _ in range(3):
        assert guest.get(return_path).status_code == 303
    [booking] = bookings(booking_app)
    assert (
        booking.status == "confirmed"
        and booking.payment_state == "paid"
        and booking.payment_reference
    )
    assert [email.subject for email in emails(booking_app)].count(
        "Confirmed: Leadership strategy session"
    ) == 1


def test_someone_who_loses_the_race_keeps_every_answer(booking_app, guest):
    start = free_slots(guest, "discovery-call", "2026-11-26")[0]
    other = booking_app.test_client()
    form_path = "/book/discovery-call/details?" + urlencode(
        {"start": start, "tz": "America/Chicago"}
    )
    token = csrf_token_from(other.get(form_path).get_data(as_text=True))
    assert book(guest, "discovery-call", start).status_code == 303
    late = other.post(
        form_path,
        data={
            **GUEST,
            "name": "Sam Late",
            "start": start,
            "tz": "America/Chicago",
            "csrf_token": token,
        },
    )
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and "That time was just taken — please choose another" in html
    assert 'value="Sam Late"' in html and "Hearing our night staff." in html
    assert len(bookings(booking_app)) == 1


def test_details_form_errors_are_shown_next_to_the_fields(guest):
    start = free_slots(guest, "discovery-call", "2026-11-26")[0]
    response = book(guest, "discovery-call", start, email="not-an-address", accept_policy="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "Enter a valid e-mail address." in html
        and "Please accept the cancellation policy" in html
        and 'value="Ana Reyes"' in html
    )


def test_with_smtp_down_the_booking_is_confirmed_and_the_email_arrives_later(make_app, clock):
    from consult.mail.service import deliver_outbox
    from tests.fakes.smtp import LoopbackSmtpServer

    smtp = LoopbackSmtpServer()  # not started: the mail server is down
    app = make_app(SMTP_URL=smtp.url)
    with app.app_context():
        from consult.demo import add_demo_booking_calendar

        add_demo_booking_calendar(get_session())
        get_session().commit()
    client = app.test_client()
    start = free_slots(client, "discovery-call", "2026-11-30")[0]
    assert book(client, "discovery-call", start).status_code == 303
    with app.app_context():
        assert deliver_outbox(now=clock()).retrying == 2
    assert bookings(app)[0].status == "confirmed"
    smtp.start()
    try:
        clock.advance(minutes=2)
        with app.app_context():
            assert deliver_outbox(now=clock()).sent == 2
        assert sorted(message["To"] for message in smtp.messages) == [
            "ana@clinic.example",
            "hello@consult.example",
        ]
        [confirmation] = [
            message for message in smtp.messages if message["To"] == "ana@clinic.example"
        ]
        assert any(
            part.get_content_type() == "text/calendar" for part in confirmation.iter_attachments()
        )
    finally:
        smtp.stop()


def test_a_time_zone_too_long_for_a_file_name_is_a_clear_400_not_a_500(guest):
    response = guest.get("/book/discovery-call/slots.json?date=2026-11-30&tz=" + "x" * 300)
    assert response.status_code == 400 and "Unknown time zone" in response.get_json()["error"]
    assert guest.get("/book/discovery-call/?tz=" + "x" * 300).status_code == 400
