"""A hold that lapses: its slot is free again, the sweep releases it, a late payment is settled."""

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import select

from consult.booking.models import Booking, BookingTimeBlock
from consult.db import get_session
from tests.conftest import csrf_token_from
from tests.web.booking_flow import book, bookings, emails, free_slots, pay_with_test_provider


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
    token = csrf_token_from(guest.get(checkout_path).get_data(as_text=True))
    clock.advance(minutes=31)
    page = guest.get(checkout_path).get_data(as_text=True)
    assert "This checkout has expired" in page
    refused = guest.post(checkout_path + "/pay", data={"csrf_token": token})
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
            site_time_zone=ZoneInfo("America/Chicago"),
            practice_name=booking_app.extensions["consult.site"].practice_name,
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
            site_time_zone=ZoneInfo("America/Chicago"),
            practice_name=booking_app.extensions["consult.site"].practice_name,
            now=clock(),
        )
        fulfil_checkout(
            session=session,
            provider=provider,
            checkout_session_id=late.checkout_session_id,
            site_time_zone=ZoneInfo("America/Chicago"),
            practice_name=booking_app.extensions["consult.site"].practice_name,
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


def test_a_checkout_left_by_its_cancel_button_frees_the_time_and_can_no_longer_be_paid(
    booking_app, guest
):
    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    started = book(guest, "leadership-strategy-session", start)
    checkout = guest.get(started.headers["Location"]).get_data(as_text=True)
    cancel = re.search(r'action="([^"]+/cancel)"', checkout).group(1)
    left = guest.post(cancel, data={"csrf_token": csrf_token_from(checkout)})
    page = guest.get(urlsplit(left.headers["Location"]).path).get_data(as_text=True)
    assert "is free again for anyone to book" in page
    assert start in free_slots(guest, "leadership-strategy-session", "2026-11-30")

    pay = re.search(r'action="([^"]+/pay)"', checkout).group(1)
    late = guest.post(pay, data={"csrf_token": csrf_token_from(checkout)})
    assert late.status_code == 410 and "This checkout has expired" in late.get_data(as_text=True)
    [booking] = bookings(booking_app)
    assert (booking.status, booking.payment_state) == ("expired", "unpaid")
