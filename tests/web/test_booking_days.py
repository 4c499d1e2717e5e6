"""The booking pages compute the days they show, not the whole booking window (the month
calendar of the choose-a-time page: tests/web/test_booking_month.py).
"""

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from consult.booking import slots
from consult.booking.models import ConsultationType
from consult.booking.offered_times import DAYS_PER_STRETCH
from consult.db import get_session
from tests.web.booking_flow import manage_path, paid_booking

TODAY = date(2026, 11, 25)  # the FakeClock's day
MOVE_DAY_LINK = re.compile(r'href="/book/manage/[^"]+/move\?[^"]*date=(\d{4}-\d\d-\d\d)')
LATER = re.compile(r'<a rel="next" href="([^"]+)">Later days</a>')
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
