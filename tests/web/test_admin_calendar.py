"""The consultant edits consultation types, weekly hours and days that differ."""

import re

import pytest

from tests.conftest import signed_in_client, submit_form
from tests.web.booking_flow import free_slots

TYPE = {
    "name": "Board retreat",
    "description": "A **day** with your board.",
    "duration_minutes": "120",
    "price": "1,200.50",
    "currency": "usd",
    "is_active": "y",
    "buffer_before_minutes": "0",
    "buffer_after_minutes": "30",
    "minimum_notice_hours": "24",
    "booking_window_days": "60",
    "required_questions": "Who will attend?",
    "optional_questions": "Anything else?",
    "location_kind": "place",
    "location": "Your offices",
}


@pytest.fixture
def consultant(booking_app, make_user):
    return signed_in_client(booking_app, make_user(role="consultant"))


def test_a_type_with_mistakes_is_explained_field_by_field_then_saved(consultant, guest):
    wrong = submit_form(
        consultant, "/admin/types/new", {**TYPE, "duration_minutes": "7", "price": "lots"}
    )
    html = wrong.get_data(as_text=True)
    assert (
        wrong.status_code == 422
        and "Use a multiple of 5 minutes." in html
        and "Write the price as a number" in html
    )
    assert 'value="Board retreat"' in html and "Who will attend?" in html
    assert submit_form(consultant, "/admin/types/new", TYPE).status_code == 303
    page = guest.get("/book/").get_data(as_text=True)
    assert "Board retreat" in page and "USD 1200.50" in page and "<strong>day</strong>" in page
    details = guest.get(
        "/book/board-retreat/details?start=2026-11-30T09:00:00-06:00&tz=America/Chicago"
    ).get_data(as_text=True)
    assert "Who will attend?" in details and "Anything else?" in details


def test_a_slug_in_use_is_refused(consultant):
    response = submit_form(consultant, "/admin/types/new", {**TYPE, "slug": "discovery-call"})
    assert (
        response.status_code == 422
        and "Another consultation type uses this address." in response.get_data(as_text=True)
    )


@pytest.mark.parametrize(
    ("name", "slug", "message"),
    [
        ("!!! ???", "", "the name has none to make one from"),
        ("日本の相談", "", "the name has none to make one from"),
        ("Board retreat", "board-retreat\n", "Use lower-case letters, digits and single hyphens."),
        ("Board retreat", "-", "Use lower-case letters, digits and single hyphens."),
    ],
)
def test_a_type_without_a_usable_address_is_refused_at_the_field(
    booking_app, consultant, guest, name, slug, message
):
    response = submit_form(consultant, "/admin/types/new", {**TYPE, "name": name, "slug": slug})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert "Who will attend?" in html  # the other answers are kept
    assert name not in guest.get("/book/").get_data(as_text=True)


def test_a_long_name_makes_an_address_that_fits(consultant, guest):
    name = "Board " + "retreat " * 14  # 118 characters
    assert submit_form(consultant, "/admin/types/new", {**TYPE, "name": name}).status_code == 303
    [path] = {
        path
        for path in re.findall(
            r'href="(/book/board-retreat[^"/]*/)"', guest.get("/book/").get_data(as_text=True)
        )
    }
    assert len(path) <= len("/book//") + 80 and guest.get(path).status_code == 200


def test_an_inactive_type_cannot_be_booked(consultant, guest):
    submit_form(
        consultant,
        "/admin/types/1/",
        {**TYPE, "name": "Discovery call", "slug": "discovery-call", "is_active": ""},
    )
    assert guest.get("/book/discovery-call/").status_code == 404


def test_weekly_hours_are_checked_and_then_change_the_slots(consultant, guest):
    wrong = submit_form(
        consultant,
        "/admin/availability",
        {
            "slot_step_minutes": "30",
            "monday": "09:00-12:00, 11:00-13:00",
            "tuesday": "9am to 5",
            "friday": "10:00-11:00",
        },
    )
    html = wrong.get_data(as_text=True)
    assert (
        wrong.status_code == 422
        and "Two of these ranges overlap." in html
        and "is not a range" in html
    )
    assert 'value="10:00-11:00"' in html
    assert (
        submit_form(
            consultant, "/admin/availability", {"slot_step_minutes": "60", "monday": "10:00-12:00"}
        ).status_code
        == 303
    )
    assert free_slots(guest, "discovery-call", "2026-11-30") == [
        "2026-11-30T10:00:00-06:00",
        "2026-11-30T11:00:00-06:00",
    ]
    assert free_slots(guest, "discovery-call", "2026-12-01") == []


def test_a_day_off_and_different_hours_on_a_date(consultant, guest):
    assert (
        submit_form(
            consultant,
            "/admin/availability/overrides",
            {"day": "2026-11-30", "hours": ""},
            page="/admin/availability",
        ).status_code
        == 303
    )
    assert free_slots(guest, "discovery-call", "2026-11-30") == []
    submit_form(
        consultant,
        "/admin/availability/overrides",
        {"day": "2026-12-05", "hours": "10:00-11:00"},
        page="/admin/availability",
    )
    assert free_slots(guest, "discovery-call", "2026-12-05") == [
        "2026-12-05T10:00:00-06:00",
        "2026-12-05T10:30:00-06:00",
    ]
    page = consultant.get("/admin/availability").get_data(as_text=True)
    assert "Monday 30 November 2026: day off" in page
    remove = "/admin/availability/overrides/2026-11-30/delete"
    assert f'href="{remove}"' in page  # a link to a question, not a one-click button
    asked = consultant.get(remove).get_data(as_text=True)
    assert "Follow the weekly hours on Monday 30 November 2026?" in asked
    assert "That day is now a day off." in asked and f'action="{remove}"' in asked
    assert free_slots(guest, "discovery-call", "2026-11-30") == []  # asking changes nothing
    assert consultant.get("/admin/availability/overrides/2026-12-24/delete").status_code == 404
    submit_form(consultant, remove, {}, page=remove)
    assert free_slots(guest, "discovery-call", "2026-11-30") != []
