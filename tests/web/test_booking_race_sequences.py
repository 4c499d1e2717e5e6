"""The rules the races test, one request after another: every way into a day keeps the type's
daily maximum (a hold, a late payment, a move), the guarantee does not rest on the page's
check, and a tab that shows an old state of a booking is told it changed.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from consult.booking.fulfilment import fulfil_checkout
from consult.booking.models import Booking
from consult.booking.occupying import DayFull, occupy
from consult.db import get_session
from consult.payments.test_provider import LocalTestProvider
from tests.conftest import csrf_token_from, hidden_fields
from tests.web.booking_flow import (
    book,
    bookings,
    emails,
    free_slots,
    manage_path,
    pay_with_test_provider,
)

CHICAGO = ZoneInfo("America/Chicago")
STRATEGY = "leadership-strategy-session"  # paid, at most one a day


def settle_late_payment(app, clock, booking_id):
    """An async payment settles after the hold lapsed, as the webhook handler runs it."""
    with app.app_context():
        session = get_session()
        booking = session.get(Booking, booking_id)
        provider = LocalTestProvider(session)
        provider.pay(booking.checkout_session_id)
        fulfil_checkout(
            session=session,
            provider=provider,
            checkout_session_id=booking.checkout_session_id,
            site_time_zone=CHICAGO,
            practice_name=app.extensions["consult.site"].practice_name,
            now=clock(),
        )
        session.commit()


def live_on(app, day):
    return [
        booking
        for booking in bookings(app)
        if booking.status in ("held", "confirmed")
        and booking.starts_at.astimezone(CHICAGO).date().isoformat() == day
    ]


def test_a_late_payment_into_a_day_another_guest_filled_is_refunded(booking_app, guest, clock):
    """A hold lapses; another guest takes a different time of that day (the day's one place);
    the first payment then settles: it is refunded in full, and the day keeps one booking.
    """
    morning, afternoon = (
        free_slots(guest, STRATEGY, "2026-11-30")[0],
        free_slots(guest, STRATEGY, "2026-11-30")[-1],
    )
    assert book(guest, STRATEGY, morning).status_code == 303
    clock.advance(minutes=32)
    other = booking_app.test_client()
    pay_with_test_provider(
        other, book(other, STRATEGY, afternoon, name="Quick", email="quick@example.org")
    )
    late, winner = bookings(booking_app)
    assert late.status == "expired"  # the new booking expired the lapsed hold before counting
    settle_late_payment(booking_app, clock, late.id)

    late, winner = bookings(booking_app)
    assert late.status == "expired" and late.payment_state == "refunded"
    assert late.refunded_minor == late.amount_minor == 45000
    assert winner.status == "confirmed"
    assert [booking.id for booking in live_on(booking_app, "2026-11-30")] == [winner.id]
    subjects = [email.subject for email in emails(booking_app)]
    assert subjects.count("We are sorry: that time was taken, your payment is refunded") == 1


def test_a_late_payment_keeps_its_time_when_the_day_still_has_room(booking_app, guest, clock):
    start = free_slots(guest, STRATEGY, "2026-11-30")[0]
    book(guest, STRATEGY, start)
    clock.advance(minutes=32)
    booking_app.test_cli_runner().invoke(args=["bookings", "sweep"])
    settle_late_payment(booking_app, clock, bookings(booking_app)[0].id)
    [booking] = bookings(booking_app)
    assert booking.status == "confirmed" and booking.payment_state == "paid"


def test_the_daily_maximum_does_not_rest_on_the_pages_check(booking_app, guest, clock):
    """Written past the slot check (as a race would be), a booking into a full day is refused
    by `occupy` itself, and its time stays free.
    """
    for start in free_slots(guest, "discovery-call", "2026-12-01")[:6:2]:
        assert book(guest, "discovery-call", start).status_code == 303
    assert free_slots(guest, "discovery-call", "2026-12-01") == []  # three a day
    first = bookings(booking_app)[0]
    with booking_app.app_context():
        session = get_session()
        extra = Booking(
            **first.model_dump(exclude={"id", "public_id", "starts_at", "ends_at"}),
            public_id="past-the-check",
            starts_at=datetime.fromisoformat("2026-12-01T15:00:00-06:00"),
            ends_at=datetime.fromisoformat("2026-12-01T15:30:00-06:00"),
        )
        extra.occupies_from, extra.occupies_until = extra.starts_at, extra.ends_at
        session.add(extra)
        session.flush()
        with pytest.raises(DayFull):
            occupy(session, extra, site_time_zone=CHICAGO, now=clock())
        session.rollback()
    assert len(live_on(booking_app, "2026-12-01")) == 3


def test_a_move_into_a_full_day_is_refused_and_the_booking_keeps_its_time(booking_app, guest):
    for start in free_slots(guest, "discovery-call", "2026-12-01")[:6:2]:
        book(guest, "discovery-call", start)
    mover = booking_app.test_client()
    original = free_slots(mover, "discovery-call", "2026-11-30")[0]
    book(mover, "discovery-call", original, email="mover@example.org")
    path = manage_path(booking_app, "mover@example.org")
    page = mover.get(path + "/move?tz=America/Chicago&date=2026-12-01").get_data(as_text=True)
    refused = mover.post(
        path + "/move?tz=America/Chicago&date=2026-12-01",
        data={
            "start": "2026-12-01T15:00:00-06:00",
            "moves_made": "0",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert refused.status_code == 409
    [moved] = [booking for booking in bookings(booking_app) if booking.guest_email.startswith("m")]
    assert moved.starts_at == datetime.fromisoformat(original)
    assert moved.reschedule_count == 0 and len(live_on(booking_app, "2026-12-01")) == 3


def move_form(client, path, day):
    page = client.get(f"{path}/move?tz=America/Chicago&date={day}").get_data(as_text=True)
    return hidden_fields(page), re.findall(r'name="start" value="([^"]+)"', page)


def test_a_move_from_a_tab_showing_an_older_time_is_told_the_booking_just_changed(
    booking_app, guest
):
    start = free_slots(guest, "discovery-call", "2026-11-30")[0]
    book(guest, "discovery-call", start)
    path = manage_path(booking_app)
    old_tab, times = move_form(guest, path, "2026-12-01")
    new_tab, _ = move_form(guest, path, "2026-12-01")
    assert old_tab["moves_made"] == new_tab["moves_made"] == "0"
    moved = guest.post(
        f"{path}/move?tz=America/Chicago&date=2026-12-01", data={**new_tab, "start": times[0]}
    )
    assert moved.status_code == 303

    stale = guest.post(
        f"{path}/move?tz=America/Chicago&date=2026-12-01", data={**old_tab, "start": times[2]}
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "This booking was just changed" in page
    assert "Tuesday 1 December 2026" in page  # the page now shows where it is
    [booking] = bookings(booking_app)
    assert booking.reschedule_count == 1 and booking.starts_at == datetime.fromisoformat(times[0])
    refreshed = hidden_fields(page)
    assert refreshed["moves_made"] == "1"  # choosing again from the answer works
    again = guest.post(
        f"{path}/move?tz=America/Chicago&date=2026-12-01", data={**refreshed, "start": times[2]}
    )
    assert again.status_code == 303 and bookings(booking_app)[0].reschedule_count == 2


def test_a_move_sent_without_the_pages_count_is_checked_against_what_the_browser_saw(
    booking_app, guest
):
    """A form without `moves_made` (say, cached from before it had one) still cannot move a
    booking that changed since this browser showed it.
    """
    start = free_slots(guest, "discovery-call", "2026-11-30")[0]
    book(guest, "discovery-call", start)
    path = manage_path(booking_app)
    fields, times = move_form(guest, path, "2026-12-01")
    other_browser = booking_app.test_client()
    other_fields, _ = move_form(other_browser, path, "2026-12-01")
    assert (
        other_browser.post(
            f"{path}/move?tz=America/Chicago&date=2026-12-01",
            data={**other_fields, "start": times[0]},
        ).status_code
        == 303
    )
    without_count = {"csrf_token": fields["csrf_token"], "start": times[2]}
    stale = guest.post(f"{path}/move?tz=America/Chicago&date=2026-12-01", data=without_count)
    assert stale.status_code == 409 and "This booking was just changed" in stale.get_data(
        as_text=True
    )
    assert bookings(booking_app)[0].reschedule_count == 1


def test_cancelling_twice_says_it_is_already_cancelled_and_refunds_once(booking_app, guest):
    start = free_slots(guest, STRATEGY, "2026-11-30")[0]
    pay_with_test_provider(guest, book(guest, STRATEGY, start))
    path = manage_path(booking_app)
    token = csrf_token_from(guest.get(path + "/cancel").get_data(as_text=True))
    assert guest.post(path + "/cancel", data={"csrf_token": token}).status_code == 303
    again = guest.post(path + "/cancel", data={"csrf_token": token})
    assert again.status_code == 409
    assert "This booking has already been cancelled" in again.get_data(as_text=True)
    [booking] = bookings(booking_app)
    assert booking.refunded_minor == booking.refund_requested_minor == 45000
    cancellations = [
        email
        for email in emails(booking_app)
        if email.subject.startswith("Cancelled") and email.to_address == booking.guest_email
    ]
    assert len(cancellations) == 1
