"""After booking: the guest's emailed link to cancel or move, and the reminder the day before."""

import re
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from consult.booking.models import BookingTimeBlock, ConsultationType
from consult.db import get_session
from tests.conftest import csrf_token_from
from tests.web.booking_flow import book, bookings, emails, free_slots, manage_path, paid_booking


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
    page = guest.get(path + "/cancel").get_data(as_text=True)  # the confirmation step
    assert words.lower() in page.lower()
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


def move_to_first_time_on(client, path, day):
    page = client.get(path + f"/move?tz=America/Chicago&date={day}").get_data(as_text=True)
    return client.post(
        path + f"/move?tz=America/Chicago&date={day}",
        data={
            "start": re.search(r'name="start" value="([^"]+)"', page).group(1),
            "csrf_token": csrf_token_from(page),
        },
    )


@pytest.mark.parametrize(("hours_before", "refunded"), [(30, 22500), (5, 0)])
def test_moving_a_booking_out_of_the_refund_window_does_not_buy_the_refund_back(
    booking_app, guest, clock, hours_before, refunded
):
    paid_booking(booking_app, guest)
    path = manage_path(booking_app)
    first_start = bookings(booking_app)[0].starts_at
    clock.now = first_start - timedelta(hours=hours_before)
    assert move_to_first_time_on(guest, path, "2026-12-03").status_code == 303
    [moved] = bookings(booking_app)
    assert moved.starts_at - clock.now > timedelta(hours=48)  # a full refund, were it new
    assert moved.earliest_starts_at == first_start
    page = guest.get(path + "/cancel").get_data(as_text=True)
    assert "This booking was first made for Monday 30 November 2026" in page
    guest.post(path + "/cancel", data={"csrf_token": csrf_token_from(page)})
    [cancelled] = bookings(booking_app)
    assert cancelled.status == "cancelled" and cancelled.refunded_minor == refunded


def test_moving_a_booking_earlier_counts_the_notice_to_the_earlier_time(booking_app, guest, clock):
    paid_booking(booking_app, guest, day="2026-12-03")
    path = manage_path(booking_app)
    assert move_to_first_time_on(guest, path, "2026-11-30").status_code == 303
    assert move_to_first_time_on(guest, path, "2026-12-02").status_code == 303
    [booking] = bookings(booking_app)
    assert booking.earliest_starts_at.isoformat().startswith("2026-11-30")
    clock.now = booking.earliest_starts_at - timedelta(hours=5)
    assert "If you cancel now, nothing is refunded." in guest.get(path).get_data(as_text=True)


def test_a_booking_moves_within_its_own_day_when_the_type_allows_one_a_day(booking_app, guest):
    with booking_app.app_context():
        session = get_session()
        discovery = session.exec(
            select(ConsultationType).where(ConsultationType.slug == "discovery-call")
        ).one()
        discovery.max_per_day = 1
        session.commit()
    first, later = free_slots(guest, "discovery-call", "2026-11-30")[:2]
    book(guest, "discovery-call", first)
    assert free_slots(guest, "discovery-call", "2026-11-30") == []  # the day is full for others
    path = manage_path(booking_app)
    page = guest.get(path + "/move?tz=America/Chicago&date=2026-11-30").get_data(as_text=True)
    assert f'value="{later}"' in page  # its own day still offers the booking's other times
    response = guest.post(
        path + "/move?tz=America/Chicago&date=2026-11-30",
        data={"start": later, "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 303
    [booking] = bookings(booking_app)
    assert booking.starts_at == datetime.fromisoformat(later) and booking.reschedule_count == 1
    with booking_app.app_context():
        blocks = get_session().exec(select(BookingTimeBlock)).all()
        assert {block.booking_id for block in blocks} == {booking.id}
