"""The booking's own page once booked: its calendar links, the invitation to download and the
private link, for the browser that booked it only.
"""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from icalendar import Calendar

from tests.web.booking_flow import book, bookings, emails, free_slots, pay_with_test_provider


def link_named(html: str, name: str) -> str:
    match = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>{re.escape(name)}', html)
    assert match, name
    return unescape(match.group(1))


def fields_of(link: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}


def test_a_confirmed_booking_offers_the_calendars_the_invitation_and_the_private_link(
    booking_app, guest
):
    start = free_slots(guest, "discovery-call", "2026-11-26")[0]  # 09:00 in Chicago
    status = guest.get(book(guest, "discovery-call", start).headers["Location"])
    html = status.get_data(as_text=True)
    assert status.headers["Cache-Control"] == "no-store"
    [booking] = bookings(booking_app)
    video_link = booking.meeting_location
    assert video_link.startswith("https://meet.example.org/")

    google = link_named(html, "Add to Google Calendar")
    assert google.startswith("https://calendar.google.com/calendar/render?")
    assert fields_of(google) == {
        "action": "TEMPLATE",
        "text": "Discovery call with Ms. Irons",
        "dates": "20261126T150000Z/20261126T153000Z",  # in UTC
        "details": (
            f"Discovery call for Riverside Clinic. Video call: {video_link}. "
            "Manage this booking from your confirmation e-mail."
        ),
        "location": video_link,
    }
    outlook = fields_of(link_named(html, "Add to Outlook"))
    assert (
        outlook["startdt"] == "2026-11-26T15:00:00Z" and outlook["enddt"] == "2026-11-26T15:30:00Z"
    )
    assert outlook["subject"] == "Discovery call with Ms. Irons"
    assert outlook["location"] == video_link
    assert link_named(html, "Add to Outlook.com").startswith("https://outlook.live.com/")

    invite = guest.get(link_named(html, "Download the invitation (.ics)"))
    assert invite.status_code == 200 and invite.mimetype == "text/calendar"
    assert invite.headers["Cache-Control"] == "no-store"
    [event] = Calendar.from_ical(invite.get_data(as_text=True)).walk("VEVENT")
    [confirmation, _] = emails(booking_app)
    [emailed] = Calendar.from_ical(confirmation.attachments[0]["content"]).walk("VEVENT")
    assert event["UID"] == emailed["UID"] and event["SEQUENCE"] == emailed["SEQUENCE"]
    assert event["LOCATION"] == f"Video call: {video_link}"
    assert event.decoded("DTSTART").isoformat() == "2026-11-26T09:00:00-06:00"

    # The private link, shown to this browser only, opens the booking; it goes to no calendar.
    manage = re.search(r'<a href="(/book/manage/[^"]+)">http://consult\.test/book/manage/', html)
    token = manage.group(1).rsplit("/", 1)[1]
    assert token not in google and token not in str(outlook)
    page = guest.get(manage.group(1)).get_data(as_text=True)
    assert "Your booking" in page and "Ana Reyes, Riverside Clinic" in page
    elsewhere = booking_app.test_client().get(f"/book/booking/{booking.public_id}/")
    assert "Add to Google Calendar" in elsewhere.get_data(as_text=True)
    assert "/book/manage/" not in elsewhere.get_data(as_text=True)


def test_a_booking_waiting_for_payment_has_no_place_and_no_invitation_yet(booking_app, guest):
    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    to_pay = book(guest, "leadership-strategy-session", start)
    [booking] = bookings(booking_app)
    status = guest.get(f"/book/booking/{booking.public_id}/").get_data(as_text=True)
    assert "Waiting for your payment" in status and "Add to Google Calendar" not in status
    assert guest.get(f"/book/booking/{booking.public_id}/consultation.ics").status_code == 404

    pay_with_test_provider(guest, to_pay)
    guest.get(f"/book/return?session_id={bookings(booking_app)[-1].checkout_session_id}")
    paid = guest.get(f"/book/booking/{booking.public_id}/").get_data(as_text=True)
    assert "You are booked" in paid and "/book/manage/" in paid
    [booking] = bookings(booking_app)
    assert fields_of(link_named(paid, "Add to Google Calendar"))["location"] == (
        booking.meeting_location
    )
    assert guest.get(f"/book/booking/{booking.public_id}/consultation.ics").status_code == 200
    assert guest.get("/book/booking/not-a-booking/consultation.ics").status_code == 404
