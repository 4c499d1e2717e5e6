"""Where a consultation happens: the admin's location checked, and each booking's link made."""

import pytest

from consult.booking.locations import (
    describe_meeting,
    invite_location,
    location_problems,
    meeting_link,
    meeting_location,
)


def test_a_template_makes_a_link_per_booking_with_its_values_made_safe():
    link = meeting_link(
        "https://meet.example.org/{practice}-{booking}?t={type}",
        practice="irons-consulting",
        consultation_type="discovery-call",
        booking="a1b2/c3 d4",
    )
    assert link == "https://meet.example.org/irons-consulting-a1b2%2Fc3%20d4?t=discovery-call"


def test_a_fixed_link_stays_as_it_is():
    assert (
        meeting_link(
            "https://meet.example.org/room", practice="p", consultation_type="t", booking="b"
        )
        == "https://meet.example.org/room"
    )


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("video", "https://meet.example.org/{practice}-{booking}"),
        ("video", "https://meet.example.org/fixed-room"),
        ("place", "12 Harbour Street, Suite 4"),
        ("phone", ""),
    ],
)
def test_usable_locations_have_no_problems(kind, value):
    assert location_problems(kind, value) == []


@pytest.mark.parametrize(
    ("kind", "value", "problem"),
    [
        ("video", "http://meet.example.org/room", "https://"),
        ("video", "javascript:alert(1)", "https://"),
        ("video", "https:///{booking}", "https://"),
        ("video", "https://meet.example.org/{guest_email}", "{guest_email} is not known"),
        ("video", "https://meet.example.org/{booking", "not closed"),
        ("video", "https://meet.example.org/{0.__class__}", "is not known"),
        ("video", "https://meet.example.org/a b", "no spaces"),
        ("video", "", "Enter the video link"),
        ("place", "", "Enter the address"),
        ("place", "Room {booking}", "no { }"),
        ("place", "Line one\r\nBcc: x@example.org", "one line"),
        ("phone", "+1 555 0100", "leave this empty"),
        ("carrier-pigeon", "x", "Choose a video call"),
    ],
)
def test_unusable_locations_are_explained(kind, value, problem):
    problems = location_problems(kind, value)
    assert len(problems) == 1 and problem in problems[0]


def test_what_a_booking_stores_for_each_kind():
    values = {"practice": "irons", "consultation_type": "call", "booking_code": "c0de"}
    assert (
        meeting_location("video", "https://m.example/{booking}", guest_phone=None, **values)
        == "https://m.example/c0de"
    )
    assert meeting_location("phone", "", guest_phone=" +1 555 0100 ", **values) == "+1 555 0100"
    assert (
        meeting_location("place", " 12 Harbour St ", guest_phone="1", **values) == "12 Harbour St"
    )


def test_the_invitation_gets_a_location_line_and_for_video_a_url():
    assert invite_location("video", "https://m.example/r") == (
        "Video call: https://m.example/r",
        "https://m.example/r",
    )
    assert invite_location("phone", "+1 555 0100") == ("Phone call: we call you on +1 555 0100", "")
    assert invite_location("place", "12 Harbour St") == ("In person: 12 Harbour St", "")
    assert invite_location(None, None) == ("", "")
    assert describe_meeting("phone", "") == "Phone call"
