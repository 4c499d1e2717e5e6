"""The consultant moves a guest's booking and books someone in, under the guests' rules."""

import re

import pytest
from icalendar import Calendar
from sqlmodel import select

from consult.audit.models import AuditEntry
from consult.booking.models import Booking
from consult.db import get_session
from tests.conftest import csrf_token_from, signed_in_client, submit_form
from tests.web.booking_flow import book, bookings, emails, free_slots, manage_path

GUEST = {
    "name": "Sam Okafor",
    "email": "sam@hospital.example",
    "organisation": "Lakeside Hospital",
    "role": "Chief executive",
    "time_zone": "America/New_York",
}


@pytest.fixture
def consultant(booking_app, make_user):
    return signed_in_client(booking_app, make_user(role="consultant"))


def type_id(app, slug):
    with app.app_context():
        from consult.booking.models import ConsultationType

        return (
            get_session()
            .exec(select(ConsultationType.id).where(ConsultationType.slug == slug))
            .one()
        )


def audited(app, event_type):
    with app.app_context():
        return (
            get_session().exec(select(AuditEntry).where(AuditEntry.event_type == event_type)).all()
        )


def move_page(consultant, booking, day):
    return consultant.get(f"/admin/bookings/{booking.public_id}/move?date={day}")


def test_the_consultant_moves_a_booking_past_the_guests_limit_and_the_guest_is_told(
    booking_app, guest, consultant
):
    book(guest, "discovery-call", "2026-11-30T09:00:00-06:00")
    booking = bookings(booking_app)[-1]
    with booking_app.app_context():  # the guest has used every move the policy allows
        row = get_session().get(Booking, booking.id)
        row.reschedule_count = 2
        get_session().commit()
    page = move_page(consultant, booking, "2026-12-01")
    assert page.status_code == 200 and 'value="2026-12-01T09:00:00-06:00"' in page.get_data(
        as_text=True
    )
    response = consultant.post(
        f"/admin/bookings/{booking.public_id}/move?date=2026-12-01",
        data={
            "start": "2026-12-01T10:00:00-06:00",
            "moves_made": "2",
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 303
    moved = bookings(booking_app)[-1]
    assert moved.starts_at.isoformat() == "2026-12-01T16:00:00+00:00"
    assert moved.reschedule_count == 3
    assert "2026-11-30T09:00:00-06:00" in free_slots(guest, "discovery-call", "2026-11-30")
    notice = next(e for e in emails(booking_app) if e.subject == "Moved: Discovery call")
    assert notice.to_address == "ana@clinic.example"
    event = Calendar.from_ical(notice.attachments[0]["content"]).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 3 and str(event["URL"]) == moved.meeting_location
    # The link in the e-mail works for the guest.
    assert guest.get(manage_path(booking_app)).status_code == 200
    [entry] = audited(booking_app, "booking.moved_by_consultant")
    assert entry.details["booking"] == booking.public_id


def test_a_move_onto_a_taken_time_or_from_a_stale_page_is_refused(booking_app, guest, consultant):
    book(guest, "discovery-call", "2026-11-30T09:00:00-06:00")
    book(guest, "discovery-call", "2026-12-01T10:00:00-06:00", email="bo@clinic.example")
    first = bookings(booking_app)[0]
    page = move_page(consultant, first, "2026-12-01").get_data(as_text=True)
    token = csrf_token_from(page)
    path = f"/admin/bookings/{first.public_id}/move?date=2026-12-01"
    taken = consultant.post(
        path, data={"start": "2026-12-01T10:00:00-06:00", "moves_made": "0", "csrf_token": token}
    )
    assert taken.status_code == 409 and "just taken" in taken.get_data(as_text=True)
    stale = consultant.post(
        path, data={"start": "2026-12-01T13:00:00-06:00", "moves_made": "5", "csrf_token": token}
    )
    assert stale.status_code == 409 and "just changed" in stale.get_data(as_text=True)
    for hostile in ("", "not a time", "2026-12-01T13:00:00", "9999-12-31T23:59:59+14:00"):
        refused = consultant.post(
            path, data={"start": hostile, "moves_made": "0", "csrf_token": token}
        )
        assert refused.status_code == 409, hostile
    assert bookings(booking_app)[0].starts_at == first.starts_at
    assert consultant.get("/admin/bookings/nope/move").status_code == 404


def test_booking_someone_in_to_be_invoiced_later_confirms_and_invites_them(booking_app, consultant):
    strategy = type_id(booking_app, "leadership-strategy-session")
    response = submit_form(
        consultant,
        "/admin/bookings/new",
        {
            **GUEST,
            "consultation_type": str(strategy),
            "starts_at": "2026-12-01T09:00",
            "payment": "invoice_later",
        },
    )
    assert response.status_code == 303
    booking = bookings(booking_app)[-1]
    assert (booking.status, booking.payment_state, booking.amount_minor) == (
        "confirmed",
        "invoice_later",
        45000,
    )
    assert booking.guest_time_zone == "America/New_York"
    assert booking.starts_at.isoformat() == "2026-12-01T15:00:00+00:00"
    confirmation = next(e for e in emails(booking_app) if e.to_address == GUEST["email"])
    assert "Payment: to be invoiced later" in confirmation.text_body
    assert "10:00 AM" in confirmation.text_body  # in the guest's own zone
    assert re.search(r"/book/manage/\S+", confirmation.text_body)
    note = next(e for e in emails(booking_app) if e.subject.startswith("New booking"))
    assert "Payment: USD 450.00 to invoice" in note.text_body
    assert "Where: Video call: https://meet.example.org/irons-strategy" in note.text_body
    [entry] = audited(booking_app, "booking.booked_by_consultant")
    assert entry.details["payment"] == "invoice_later"
    admin_page = consultant.get(response.headers["Location"]).get_data(as_text=True)
    assert "invoice later" in admin_page


def test_booking_someone_in_free_of_charge_and_the_rules_still_hold(booking_app, consultant):
    strategy = type_id(booking_app, "leadership-strategy-session")
    form = {**GUEST, "consultation_type": str(strategy), "payment": "not_required"}
    first = submit_form(
        consultant, "/admin/bookings/new", {**form, "starts_at": "2026-12-01 09:00"}
    )
    assert first.status_code == 303
    booking = bookings(booking_app)[-1]
    assert (booking.payment_state, booking.amount_minor) == ("not_required", 0)
    # The strategy session allows one a day: the same day again is refused, with the free times.
    again = submit_form(
        consultant, "/admin/bookings/new", {**form, "starts_at": "2026-12-01T13:00"}
    )
    html = again.get_data(as_text=True)
    assert again.status_code == 422 and "That time is not free" in html
    assert "Nothing is free that day." in html and 'value="Sam Okafor"' in html
    # Outside the hours, too.
    sunday = submit_form(
        consultant, "/admin/bookings/new", {**form, "starts_at": "2026-12-06T10:00"}
    )
    assert sunday.status_code == 422 and len(bookings(booking_app)) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"consultation_type": "abc"}, "Invalid Choice"),
        ({"consultation_type": "99999"}, "Not a valid choice"),
        ({"starts_at": "soon"}, "Write a date and time like"),
        ({"payment": "paid"}, "Not a valid choice"),
        ({"time_zone": "Mars/Olympus"}, "Use a time zone name"),
        ({"time_zone": "x" * 300}, "Field cannot be longer than 64 characters."),
        ({"email": "sam@\r\nBcc: x@example.org"}, "Enter a valid e-mail address."),
        ({"name": "Sam\x00"}, "control"),
    ],
)
def test_hostile_input_to_book_someone_in_is_explained(booking_app, consultant, changes, message):
    form = {
        **GUEST,
        "consultation_type": str(type_id(booking_app, "discovery-call")),
        "starts_at": "2026-12-01T09:00",
        "payment": "not_required",
    }
    response = submit_form(consultant, "/admin/bookings/new", {**form, **changes})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert bookings(booking_app) == []
