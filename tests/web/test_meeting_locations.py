"""Where the meeting happens: set per type in the admin, fixed on each booking at confirmation,
shown to the guest only once confirmed (page, e-mails, invitation) and in the private feed.
"""

import re

import pytest
from icalendar import Calendar

from consult.booking.models import ConsultationType
from consult.db import get_session
from tests.conftest import signed_in_client, submit_form
from tests.web.booking_flow import GUEST, book, bookings, emails, free_slots, manage_path
from tests.web.test_calendar_private_feed import events, feed_path

LINK = re.compile(r"https://meet\.example\.org/irons-consulting-group-[0-9a-f]{16}")


@pytest.fixture
def consultant(booking_app, make_user):
    return signed_in_client(booking_app, make_user(role="consultant"))


def type_form(app, slug):
    with app.app_context():
        row = (
            get_session()
            .exec(ConsultationType.__table__.select().where(ConsultationType.slug == slug))
            .one()
        )
    return {
        "name": row.name,
        "duration_minutes": str(row.duration_minutes),
        "price": f"{row.price_minor / 100:.2f}",
        "currency": row.currency,
        "is_active": "y",
        "buffer_before_minutes": str(row.buffer_before_minutes),
        "buffer_after_minutes": str(row.buffer_after_minutes),
        "minimum_notice_hours": str(row.minimum_notice_hours),
        "booking_window_days": str(row.booking_window_days),
        "optional_questions": "What matters most to your organisation right now?",
        "location_kind": row.location_kind,
        "location": row.location,
    }, row.id


def test_a_video_link_is_made_per_booking_and_shown_only_once_confirmed(booking_app, guest):
    public_pages = [
        guest.get("/book/").get_data(as_text=True),
        guest.get("/book/discovery-call/").get_data(as_text=True),
    ]
    start = free_slots(guest, "discovery-call", "2026-11-26")[0]
    public_pages.append(
        guest.get(f"/book/discovery-call/details?start={start}&tz=America/Chicago").get_data(
            as_text=True
        )
    )
    for page in public_pages:
        assert "meet.example.org" not in page
    # A paid type's hold, before payment, shows no location either.
    held_start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    book(guest, "leadership-strategy-session", held_start)
    held = bookings(booking_app)[-1]
    assert held.status == "held" and held.meeting_location is None
    held_page = guest.get(f"/book/booking/{held.public_id}/").get_data(as_text=True)
    assert "meet.example.org" not in held_page

    response = book(guest, "discovery-call", start)
    confirmed = bookings(booking_app)[-1]
    assert confirmed.status == "confirmed" and confirmed.meeting_kind == "video"
    link = confirmed.meeting_location
    assert LINK.fullmatch(link)
    status_page = guest.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<a href="{link}">{link}</a>' in status_page
    email = next(e for e in emails(booking_app) if e.subject == "Confirmed: Discovery call")
    assert f"Where: Video call: {link}" in email.text_body and link in email.html_body
    [invite] = email.attachments
    event = Calendar.from_ical(invite["content"]).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == f"Video call: {link}" and str(event["URL"]) == link
    # Another booking gets a link of its own.
    book(
        guest,
        "discovery-call",
        free_slots(guest, "discovery-call", "2026-11-26")[-1],
        email="bo@clinic.example",
    )
    assert bookings(booking_app)[-1].meeting_location not in (None, link)


def test_editing_the_type_later_does_not_change_a_sent_link(booking_app, guest, consultant, runner):
    book(guest, "discovery-call", free_slots(guest, "discovery-call", "2026-11-26")[0])
    link = bookings(booking_app)[-1].meeting_location
    form, type_id = type_form(booking_app, "discovery-call")
    saved = submit_form(
        consultant,
        f"/admin/types/{type_id}/",
        {**form, "location": "https://video.example.net/{type}/{booking}"},
    )
    assert saved.status_code == 303
    manage = guest.get(manage_path(booking_app)).get_data(as_text=True)
    assert link in manage and "video.example.net" not in manage
    [event] = events(booking_app.test_client(), feed_path(runner)).values()
    assert str(event["URL"]) == link


@pytest.mark.parametrize(
    ("kind", "location", "message"),
    [
        ("video", "http://meet.example.org/{booking}", "Use an https:// address"),
        ("video", "https://meet.example.org/{guest}", "{guest} is not known"),
        ("phone", "+1 555 0100", "leave this empty"),
        ("place", "", "Enter the address"),
        ("skype", "x", "Not a valid choice"),
    ],
)
def test_a_bad_location_is_explained_next_to_the_field_with_the_answers_kept(
    booking_app, consultant, kind, location, message
):
    form, type_id = type_form(booking_app, "discovery-call")
    response = submit_form(
        consultant,
        f"/admin/types/{type_id}/",
        {**form, "name": "Renamed call", "location_kind": kind, "location": location},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert 'value="Renamed call"' in html


def test_a_phone_call_needs_the_guests_number_and_tells_them_we_call_it(
    booking_app, guest, consultant
):
    form, type_id = type_form(booking_app, "discovery-call")
    saved = submit_form(
        consultant, f"/admin/types/{type_id}/", {**form, "location_kind": "phone", "location": ""}
    )
    assert saved.status_code == 303
    start = free_slots(guest, "discovery-call", "2026-11-26")[0]
    refused = book(guest, "discovery-call", start)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Enter the number we should call you on." in html
    assert f'value="{GUEST["organisation"]}"' in html and bookings(booking_app) == []
    response = book(guest, "discovery-call", start, phone="+1 312 555 0100")
    assert response.status_code == 303
    booking = bookings(booking_app)[-1]
    assert (booking.meeting_kind, booking.meeting_location) == ("phone", "+1 312 555 0100")
    page = guest.get(response.headers["Location"]).get_data(as_text=True)
    assert "Phone call: we call you on +1 312 555 0100" in page
