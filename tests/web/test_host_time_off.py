"""Time off the consultant blocks: gone from the offered times, refused at booking time by the
database itself, never over an existing booking, and bad input explained on the form.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from consult.audit.models import AuditEntry
from consult.booking.models import Booking, ConsultationType, TimeOff
from consult.booking.occupying import SlotTaken, occupy
from consult.booking.time_off import block_time_off
from consult.db import get_session
from tests.conftest import csrf_token_from, signed_in_client, submit_form
from tests.web.booking_flow import book, bookings, free_slots

MONDAY = "2026-11-30"


@pytest.fixture
def consultant(booking_app, make_user):
    return signed_in_client(booking_app, make_user(role="consultant"))


def block(consultant, starts="2026-11-30T09:00", ends="2026-11-30T11:00", reason="Dentist"):
    return submit_form(
        consultant, "/admin/time-off/", {"starts_at": starts, "ends_at": ends, "reason": reason}
    )


def test_blocked_time_is_not_offered_nor_bookable_and_can_be_given_back(
    booking_app, guest, consultant
):
    before = free_slots(guest, "discovery-call", MONDAY)
    assert "2026-11-30T09:00:00-06:00" in before
    assert block(consultant).status_code == 303
    page = consultant.get("/admin/time-off/").get_data(as_text=True)
    assert "Dentist" in page and "30 November 2026 at 9:00 AM CST" in page
    after = free_slots(guest, "discovery-call", MONDAY)
    assert [slot for slot in after if "T09:" in slot or "T10:" in slot] == []
    assert "2026-11-30T11:00:00-06:00" in after
    # A page opened before the block still posts the old time: refused.
    refused = book(guest, "discovery-call", "2026-11-30T09:30:00-06:00")
    assert refused.status_code == 409 and bookings(booking_app) == []

    with booking_app.app_context():
        span = get_session().exec(select(TimeOff)).one()
        assert (
            get_session()
            .exec(select(AuditEntry).where(AuditEntry.event_type == "settings.time_off"))
            .first()
        )
    confirm_page = consultant.get(f"/admin/time-off/{span.id}/remove")
    assert "Yes, make it bookable" in confirm_page.get_data(as_text=True)
    removed = consultant.post(
        f"/admin/time-off/{span.id}/remove",
        data={"csrf_token": csrf_token_from(confirm_page.get_data(as_text=True))},
    )
    assert removed.status_code == 303
    assert free_slots(guest, "discovery-call", MONDAY) == before


def test_the_database_refuses_a_booking_over_time_off_whatever_the_slot_check_saw(
    booking_app, clock
):
    """The unique time blocks, not only the offered times, keep a booking out of time off."""
    now = clock()
    start = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    with booking_app.app_context():
        session = get_session()
        block_time_off(
            session=session, starts_at=start, ends_at=start + timedelta(hours=1), reason="", now=now
        )
        call = session.exec(
            select(ConsultationType).where(ConsultationType.slug == "discovery-call")
        ).one()
        booking = Booking(
            public_id="over-time-off",
            consultation_type_id=call.id,
            starts_at=start + timedelta(minutes=30),
            ends_at=start + timedelta(minutes=60),
            earliest_starts_at=start + timedelta(minutes=30),
            occupies_from=start + timedelta(minutes=30),
            occupies_until=start + timedelta(minutes=75),
            status="held",
            hold_expires_at=now + timedelta(minutes=31),
            guest_name="G",
            guest_email="g@example.org",
            organisation="O",
            role="R",
            guest_time_zone="UTC",
            policy_accepted_at=now,
            created_at=now,
        )
        session.add(booking)
        session.flush()
        with pytest.raises(SlotTaken):
            occupy(session, booking, site_time_zone=call_zone(booking_app), now=now)


def call_zone(app):
    return app.extensions["consult.site"].time_zone


def test_time_off_over_a_booking_is_refused_naming_it(booking_app, guest, consultant):
    book(guest, "discovery-call", "2026-11-30T10:00:00-06:00")
    response = block(consultant, reason="Board meeting")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "That overlaps a booking (Ana Reyes): move or cancel it first." in html
    assert 'value="Board meeting"' in html and 'value="2026-11-30T09:00"' in html
    with booking_app.app_context():
        assert get_session().exec(select(TimeOff)).all() == []


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("2026-11-30T11:00", "2026-11-30T09:00", "must end after it starts"),
        ("tomorrow", "2026-11-30T09:00", "Write a date and time like"),
        ("9999-12-31T23:55", "9999-12-31T23:59", "Choose a date from this century."),
        ("2026-11-20T09:00", "2026-11-21T09:00", "already passed"),
        ("2026-11-30T09:00", "2027-01-30T09:00", "at most 14 days"),
        ("2026-11-30T09:02", "2026-11-30T10:00", "5-minute mark"),
        ("", "", "Enter when it starts."),
    ],
)
def test_bad_spans_are_explained_with_the_answers_kept(consultant, starts, ends, message):
    response = block(consultant, starts, ends, reason="Note\u00e9")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and 'value="Noteé"' in html


def test_blocking_needs_the_forms_token(consultant):
    response = consultant.post(
        "/admin/time-off/", data={"starts_at": "2026-11-30T09:00", "ends_at": "2026-11-30T10:00"}
    )
    assert response.status_code == 400
