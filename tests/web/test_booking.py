"""Booking through the test client with the local test payment provider."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from consult.booking.models import Booking, BookingTimeBlock
from consult.db import get_session
from consult.mail.models import OutboxEmail
from tests.conftest import csrf_token_from

GUEST = {
    "name": "Ana Reyes",
    "email": "ana@clinic.example",
    "organisation": "Riverside Clinic",
    "role": "Chief nursing officer",
    "accept_policy": "y",
    "intake_what_matters": "Hearing our night staff.",
}


def free_slots(client, slug, day, tz="America/Chicago"):
    response = client.get(f"/book/{slug}/slots.json?date={day}&tz={tz}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["slots"]


def book(client, slug, start, tz="America/Chicago", **answers):
    path = f"/book/{slug}/details?" + urlencode({"start": start, "tz": tz})
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(
        path, data={**GUEST, **answers, "start": start, "tz": tz, "csrf_token": token}
    )


def pay_with_test_provider(client, response):
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Test payment" in page
    action = re.search(r'action="([^"]+/pay)"', page).group(1)
    return client.post(action, data={"csrf_token": csrf_token_from(page)})


def bookings(app):
    with app.app_context():
        return list(get_session().exec(select(Booking).order_by(Booking.id)).all())


def emails(app):
    with app.app_context():
        return list(get_session().exec(select(OutboxEmail).order_by(OutboxEmail.id)).all())


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


def test_an_expired_hold_frees_its_slot_and_the_sweep_releases_it(booking_app, guest, clock):
    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    book(guest, "leadership-strategy-session", start)
    assert start not in free_slots(guest, "leadership-strategy-session", "2026-11-30")
    clock.advance(minutes=31)
    assert start in free_slots(guest, "leadership-strategy-session", "2026-11-30")
    result = booking_app.test_cli_runner().invoke(args=["bookings", "sweep"])
    assert "1 expired hold(s) released" in result.output
    [booking] = bookings(booking_app)
    assert booking.status == "expired"
    with booking_app.app_context():
        assert get_session().exec(select(BookingTimeBlock)).all() == []


def test_a_new_guest_can_take_a_lapsed_hold_before_any_sweep(booking_app, guest, clock):
    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    book(guest, "leadership-strategy-session", start)
    clock.advance(minutes=31)
    second = booking_app.test_client()
    assert (
        book(second, "leadership-strategy-session", start, name="Second Guest").status_code == 303
    )
    first, second_booking = bookings(booking_app)
    assert first.status == "expired" and second_booking.status == "held"


def test_the_test_checkout_cannot_be_paid_once_its_time_is_up(booking_app, guest, clock):
    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    checkout_path = book(guest, "leadership-strategy-session", start).headers["Location"]
    clock.advance(minutes=31)
    page = guest.get(checkout_path).get_data(as_text=True)
    assert "This checkout has expired" in page
    refused = guest.post(checkout_path + "/pay", data={"csrf_token": csrf_token_from(page)})
    assert refused.status_code == 410 and bookings(booking_app)[0].payment_state == "unpaid"


def test_a_late_payment_for_a_still_free_slot_confirms_it(booking_app, guest, clock):
    from consult.booking.fulfilment import fulfil_checkout
    from consult.payments.test_provider import LocalTestProvider

    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    book(guest, "leadership-strategy-session", start)
    clock.advance(minutes=31)
    booking_app.test_cli_runner().invoke(args=["bookings", "sweep"])
    with booking_app.app_context():
        session = get_session()
        booking = session.exec(select(Booking)).one()
        provider = LocalTestProvider(session)
        provider.pay(booking.checkout_session_id)
        fulfil_checkout(
            session=session,
            provider=provider,
            checkout_session_id=booking.checkout_session_id,
            now=clock(),
        )
        session.commit()
    [booking] = bookings(booking_app)
    assert booking.status == "confirmed" and booking.payment_state == "paid"


def test_a_late_payment_for_a_taken_slot_is_refunded_and_both_are_told(booking_app, guest, clock):
    from consult.booking.fulfilment import fulfil_checkout
    from consult.payments.test_provider import LocalTestProvider

    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    book(guest, "leadership-strategy-session", start)
    clock.advance(minutes=31)
    other = booking_app.test_client()
    pay_with_test_provider(
        other,
        book(
            other,
            "leadership-strategy-session",
            start,
            name="Quick Guest",
            email="quick@example.org",
        ),
    )
    with booking_app.app_context():
        session = get_session()
        late = session.exec(select(Booking).where(Booking.guest_name == "Ana Reyes")).one()
        provider = LocalTestProvider(session)
        provider.pay(late.checkout_session_id)
        fulfil_checkout(
            session=session,
            provider=provider,
            checkout_session_id=late.checkout_session_id,
            now=clock(),
        )
        fulfil_checkout(
            session=session,
            provider=provider,
            checkout_session_id=late.checkout_session_id,
            now=clock(),
        )
        session.commit()
    late, winner = bookings(booking_app)
    assert (
        late.status == "expired"
        and late.payment_state == "refunded"
        and late.refunded_minor == 45000
    )
    assert winner.status == "confirmed"
    subjects = [
        email.subject
        for email in emails(booking_app)
        if email.to_address in ("ana@clinic.example", "hello@consult.example")
    ]
    assert subjects.count("We are sorry: that time was taken, your payment is refunded") == 1
    assert any(subject.startswith("Refunded a late payment") for subject in subjects)
    assert not any(
        subject.startswith("Confirmed")
        for subject in [
            e.subject for e in emails(booking_app) if e.to_address == "ana@clinic.example"
        ]
    )


def manage_path(app, address="ana@clinic.example"):
    confirmation = [
        email
        for email in emails(app)
        if email.to_address == address and email.subject.startswith(("Confirmed", "Moved"))
    ][-1]
    return re.search(r"http://consult\.test(/book/manage/\S+)", confirmation.text_body).group(1)


def paid_booking(app, client, day="2026-11-30"):
    start = free_slots(client, "leadership-strategy-session", day)[0]
    pay_with_test_provider(client, book(client, "leadership-strategy-session", start))
    client.get(f"/book/return?session_id={bookings(app)[-1].checkout_session_id}")
    return start


@pytest.mark.parametrize(
    ("hours_before", "refunded", "words"),
    [
        (49, 45000, "USD 450.00 back (100%)"),
        (30, 22500, "USD 225.00 back (50%)"),
        (5, 0, "nothing is refunded"),
    ],
)
def test_a_guest_cancels_through_the_emailed_link_and_the_policy_sets_the_refund(
    booking_app, guest, clock, hours_before, refunded, words
):
    paid_booking(booking_app, guest)
    path = manage_path(booking_app)
    clock.now = bookings(booking_app)[0].starts_at - timedelta(hours=hours_before)
    page = guest.get(path).get_data(as_text=True)
    assert words in page
    response = guest.post(path + "/cancel", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    [booking] = bookings(booking_app)
    assert (
        booking.status == "cancelled"
        and booking.refunded_minor == refunded
        and booking.cancelled_by == "guest"
    )
    cancellation = [
        email
        for email in emails(booking_app)
        if email.subject == "Cancelled: Leadership strategy session"
    ][0]
    assert (f"Refund: USD {refunded / 100:.2f}" in cancellation.text_body) == bool(refunded)
    assert "METHOD:CANCEL" in cancellation.attachments[0]["content"]
    with booking_app.app_context():
        assert get_session().exec(select(BookingTimeBlock)).all() == []  # the time is free again
    again = guest.post(path + "/cancel", data={"csrf_token": csrf_token_from(page)})
    assert again.status_code == 409 and bookings(booking_app)[0].refunded_minor == refunded


def test_a_guest_moves_a_booking_twice_at_most_with_no_new_payment(booking_app, guest):
    first_start = paid_booking(booking_app, guest)
    path = manage_path(booking_app)
    for move_number, day in enumerate(["2026-12-01", "2026-12-02"], start=1):
        page = guest.get(path + f"/move?tz=America/Chicago&date={day}").get_data(as_text=True)
        new_start = re.search(r'name="start" value="([^"]+)"', page).group(1)
        response = guest.post(
            path + f"/move?tz=America/Chicago&date={day}",
            data={"start": new_start, "csrf_token": csrf_token_from(page)},
        )
        assert response.status_code == 303
        [booking] = bookings(booking_app)
        assert (
            booking.starts_at.isoformat().startswith(day)
            and booking.reschedule_count == move_number
        )
        assert booking.payment_state == "paid" and booking.status == "confirmed"
    moved = [
        email
        for email in emails(booking_app)
        if email.subject == "Moved: Leadership strategy session"
        and email.to_address == "ana@clinic.example"
    ]
    assert len(moved) == 2 and "SEQUENCE:2" in moved[-1].attachments[0]["content"]
    assert first_start in free_slots(guest, "leadership-strategy-session", "2026-11-30")
    assert "moved as often as the policy allows" in guest.get(path).get_data(as_text=True)
    page = guest.get(path + "/move?tz=America/Chicago&date=2026-12-03").get_data(as_text=True)
    refused = guest.post(
        path + "/move?tz=America/Chicago&date=2026-12-03",
        data={
            "start": re.search(r'name="start" value="([^"]+)"', page).group(1),
            "csrf_token": csrf_token_from(page),
        },
    )
    assert refused.status_code == 409 and "the most the policy allows" in refused.get_data(
        as_text=True
    )


def test_a_wrong_management_link_finds_nothing(guest):
    assert guest.get("/book/manage/not-a-real-token").status_code == 404


def test_each_booking_is_reminded_once_the_day_before(booking_app, guest, clock):
    start = free_slots(guest, "discovery-call", "2026-11-30")[0]
    book(guest, "discovery-call", start)
    runner = booking_app.test_cli_runner()
    assert (
        "0 reminder(s)" in runner.invoke(args=["bookings", "remind"]).output
    )  # more than 24 hours ahead
    clock.now = bookings(booking_app)[0].starts_at - timedelta(hours=23)
    assert "1 reminder(s)" in runner.invoke(args=["bookings", "remind"]).output
    assert "0 reminder(s)" in runner.invoke(args=["bookings", "remind"]).output
    [reminder] = [email for email in emails(booking_app) if email.subject.startswith("Tomorrow")]
    reminder_link = re.search(r"http://consult\.test(/book/manage/\S+)", reminder.text_body).group(
        1
    )
    assert (
        guest.get(reminder_link).status_code == 200
        and guest.get(manage_path(booking_app)).status_code == 200
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
