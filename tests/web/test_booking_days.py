"""The booking pages compute the days they show, not the whole booking window."""

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from consult.booking import slots
from consult.booking.models import ConsultationType, DateOverride
from consult.booking.service import DAYS_PER_STRETCH
from consult.db import get_session
from tests.web.booking_flow import manage_path, paid_booking

TODAY = date(2026, 11, 25)  # the FakeClock's day
DAY_LINK = re.compile(r'href="/book/discovery-call/\?[^"]*date=(\d{4}-\d\d-\d\d)')
MOVE_DAY_LINK = re.compile(r'href="/book/manage/[^"]+/move\?[^"]*date=(\d{4}-\d\d-\d\d)')
LATER = re.compile(r'<a rel="next" href="([^"]+)">Later days</a>')
EARLIER = re.compile(r'<a rel="prev" href="([^"]+)">Earlier days</a>')
# A guest day is computed with a consultant day of slack either side, and one more for clocks
# changed at midnight (slots._guest_slots).
SLACK_DAYS = 3


@pytest.fixture
def days_computed(monkeypatch) -> list[int]:
    """How many consultant days each run of the slot engine computed (a spy on it)."""
    runs: list[int] = []
    real_engine = slots._free_slots_utc

    def counting_engine(availability, rules, occupied, per_day, now, first_day, last_day):
        runs.append((last_day - first_day).days + 1)
        return real_engine(availability, rules, occupied, per_day, now, first_day, last_day)

    monkeypatch.setattr(slots, "_free_slots_utc", counting_engine)
    return runs


@pytest.fixture
def year_long_window(booking_app):
    """Discovery calls bookable a whole year ahead: a window far longer than a page shows."""
    with booking_app.app_context():
        db = get_session()
        kind = db.exec(
            select(ConsultationType).where(ConsultationType.slug == "discovery-call")
        ).one()
        kind.booking_window_days = 365
        db.add(kind)
        db.commit()
    return booking_app


def listed_days(html: str) -> list[date]:
    return [date.fromisoformat(day) for day in DAY_LINK.findall(html)]


def test_the_page_computes_one_stretch_of_days_and_links_to_the_next(
    year_long_window, guest, days_computed
):
    html = guest.get("/book/discovery-call/").get_data(as_text=True)
    first_stretch = listed_days(html)
    assert first_stretch and all(
        TODAY <= day < TODAY + timedelta(days=DAYS_PER_STRETCH) for day in first_stretch
    )
    # The stretch's days, and the chosen day's times: nothing of the other eleven months.
    assert sum(days_computed) <= DAYS_PER_STRETCH + 1 + 2 * SLACK_DAYS
    assert EARLIER.search(html) is None

    days_computed.clear()
    later = guest.get(LATER.search(html).group(1).replace("&amp;", "&")).get_data(as_text=True)
    second_stretch = listed_days(later)
    assert second_stretch and min(second_stretch) >= TODAY + timedelta(days=DAYS_PER_STRETCH)
    assert max(second_stretch) < TODAY + timedelta(days=2 * DAYS_PER_STRETCH)
    assert sum(days_computed) <= DAYS_PER_STRETCH + 1 + 2 * SLACK_DAYS
    back = guest.get(EARLIER.search(later).group(1).replace("&amp;", "&"))
    assert listed_days(back.get_data(as_text=True)) == first_stretch


def test_a_wholly_booked_stretch_is_passed_over_to_the_next_free_day(
    year_long_window, guest, days_computed
):
    with year_long_window.app_context():
        db = get_session()
        for offset in range(DAYS_PER_STRETCH + 10):  # the consultant is away for five weeks
            db.add(DateOverride(day=TODAY + timedelta(days=offset)))
        db.commit()
    html = guest.get("/book/discovery-call/").get_data(as_text=True)
    days = listed_days(html)
    assert days and min(days) >= TODAY + timedelta(days=DAYS_PER_STRETCH + 10)
    assert sum(days_computed) <= 2 * DAYS_PER_STRETCH + 1 + 3 * SLACK_DAYS


def test_slots_json_computes_only_its_day(year_long_window, guest, days_computed):
    day = (TODAY + timedelta(days=300)).isoformat()
    while date.fromisoformat(day).weekday() >= 4:  # the demo's hours: Monday to Thursday
        day = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    answer = guest.get(f"/book/discovery-call/slots.json?date={day}&tz=Europe/London")
    assert answer.status_code == 200 and answer.get_json()["slots"]
    assert sum(days_computed) <= 1 + SLACK_DAYS


def test_the_move_page_lists_one_stretch_and_links_to_later_days(
    year_long_window, guest, days_computed
):
    paid_booking(year_long_window, guest)
    move = manage_path(year_long_window) + "/move?tz=America/Chicago"
    days_computed.clear()
    html = guest.get(move).get_data(as_text=True)
    assert sum(days_computed) <= DAYS_PER_STRETCH + 1 + 2 * SLACK_DAYS
    later = guest.get(LATER.search(html).group(1).replace("&amp;", "&")).get_data(as_text=True)
    later_days = [date.fromisoformat(day) for day in MOVE_DAY_LINK.findall(later)]
    assert later_days and min(later_days) >= TODAY + timedelta(days=DAYS_PER_STRETCH)
