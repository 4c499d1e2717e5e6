"""The choose-a-time page's month calendar, through the test client: which days it marks, its
plain links (the whole page works without JavaScript), bad addresses, and the work it does.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import SQLModel

from consult.booking import slots
from consult.booking.models import Booking, DateOverride, TimeOff
from consult.db import ENGINE_KEY, get_session
from consult.site.caching import RENDERED_KEY
from tests.web.booking_flow import book, free_slots

TODAY = date(2026, 11, 25)  # the FakeClock's day, a Wednesday; the demo's hours are Mon–Thu
PAGE = "/book/discovery-call/"
DAY_LINK = re.compile(r'<a href="(/book/discovery-call/\?[^"]*date=(\d{4}-\d\d-\d\d)[^"]*)"')
CAPTION = re.compile(r"<caption>([^<]+)</caption>")
MONTH_LINK = re.compile(r'<a rel="(prev|next)" href="([^"]+)">')
# A guest day is computed with a consultant day of slack either side, and one more for clocks
# changed at midnight (slots._guest_slots); the month is asked with a day either side.
SLACK_DAYS = 5


def fill_days(client, days: list[str]) -> None:
    """Book the first free time of each day until the day's maximum (three) is reached."""
    for day in days:
        for _ in range(3):
            start = free_slots(client, "discovery-call", day)[0]
            assert book(client, "discovery-call", start).status_code == 303


def html_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def linked_days(html: str) -> list[date]:
    return [date.fromisoformat(day) for _, day in DAY_LINK.findall(html)]


def month_link(html: str, rel: str) -> str | None:
    links = dict(MONTH_LINK.findall(html))
    return links[rel].replace("&amp;", "&") if rel in links else None


def test_the_month_links_exactly_the_days_with_free_times(guest):
    html = html_of(guest, PAGE + "?tz=America/Chicago")
    assert CAPTION.search(html).group(1) == "November 2026"
    november = [TODAY + timedelta(days=offset) for offset in range(6)]  # 25 to 30 November
    with_times = [day for day in november if free_slots(guest, "discovery-call", day.isoformat())]
    assert with_times == [date(2026, 11, 26), date(2026, 11, 30)]  # Thursday, then Monday
    assert linked_days(html) == with_times
    # Days without times are not links: the 27th, a Friday, is a plain cell.
    assert re.search(r'<td class="day-closed">27</td>', html)
    # The first free day is chosen, marked, and its times are beside the month.
    assert re.search(r'date=2026-11-26[^"]*" data-date="2026-11-26" aria-current="date"', html)
    assert "Free times on Thursday 26 November 2026" in html and "9:00 AM" in html
    assert month_link(html, "prev") is None  # nothing before this month can be booked
    assert "December" in html[html.index('rel="next"') :].split("</a>")[0]
    assert "<dt>Length</dt><dd>30 minutes</dd>" in html and "Video call" in html


def test_the_plain_links_choose_a_day_and_turn_the_months(guest):
    html = html_of(guest, PAGE + "?tz=Europe/London")
    december = html_of(guest, month_link(html, "next"))
    assert CAPTION.search(december).group(1) == "December 2026"
    days = linked_days(december)
    assert days and all(day.month == 12 and day.weekday() < 4 for day in days)
    # The month opens on its first free day; another day is one link away, in the same zone.
    assert "Free times on Tuesday 1 December 2026" in december
    thursday = dict((day, link) for link, day in DAY_LINK.findall(december))["2026-12-10"]
    chosen = html_of(guest, thursday.replace("&amp;", "&"))
    assert "Free times on Thursday 10 December 2026" in chosen
    assert 'data-date="2026-12-10" aria-current="date"' in chosen
    assert "tz=Europe/London" in thursday and "3:00 PM" in chosen  # 09:00 in Chicago
    january = html_of(guest, month_link(december, "next"))
    assert CAPTION.search(january).group(1) == "January 2027"
    # The window (60 days) ends in January: there is no later month to go to.
    assert month_link(january, "next") is None
    assert max(linked_days(january)) <= TODAY + timedelta(days=60)
    assert CAPTION.search(html_of(guest, month_link(january, "prev"))).group(1) == "December 2026"


def test_links_of_the_four_week_pages_still_work(guest):
    """`from=` began a page of four weeks before the month calendar: it shows that day's month."""
    html = html_of(guest, PAGE + "?tz=America/Chicago&from=2026-12-20")
    assert CAPTION.search(html).group(1) == "December 2026"
    html = html_of(guest, PAGE + "?tz=America/Chicago&from=2026-12-20&date=2026-12-22")
    assert "Free times on Tuesday 22 December 2026" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("month=2026-13", "That month could not be read"),
        ("month=December", "That month could not be read"),
        ("date=2026-02-30", "That date could not be read"),
        ("tz=Mars/Olympus", "That time zone is not one we know"),
    ],
)
def test_an_address_that_cannot_be_read_is_a_400_that_says_why(guest, query, message):
    response = guest.get(f"{PAGE}?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "caption"),
    [
        ("month=2020-01", "November 2026"),  # before the window: its first month
        ("month=8999-12", "January 2027"),  # after it: its last
        ("date=8999-12-31", "January 2027"),
        ("date=2026-11-01", "November 2026"),
    ],
)
def test_a_month_or_day_outside_the_window_shows_the_nearest_month(guest, query, caption):
    html = html_of(guest, f"{PAGE}?tz=America/Chicago&{query}")
    assert CAPTION.search(html).group(1) == caption
    if "date=" in query:
        assert "That day has no free times" in html


def test_a_month_wholly_booked_is_passed_over_and_a_full_month_says_so(booking_app, guest):
    fill_days(guest, ["2026-11-26", "2026-11-30"])  # November's free days
    html = html_of(guest, PAGE + "?tz=America/Chicago")
    assert CAPTION.search(html).group(1) == "December 2026"
    november = html_of(guest, PAGE + "?tz=America/Chicago&month=2026-11")
    assert linked_days(november) == []
    assert "No free times in November 2026: try December" in november


@pytest.fixture
def work_done(booking_app, monkeypatch):
    """What each request computes: consultant days per run of the slot engine, and the bookings,
    days off and time off it loads from the database.
    """
    days: list[int] = []
    bookings_loaded: list[Booking] = []
    real_engine = slots._free_slots_utc

    def counting_engine(availability, rules, occupied, per_day, now, first_day, last_day):
        days.append((last_day - first_day).days + 1)
        return real_engine(availability, rules, occupied, per_day, now, first_day, last_day)

    def record_load(target, context):
        if isinstance(target, Booking | DateOverride | TimeOff):
            bookings_loaded.append(target)

    monkeypatch.setattr(slots, "_free_slots_utc", counting_engine)
    event.listen(SQLModel, "load", record_load, propagate=True)
    yield days, bookings_loaded
    event.remove(SQLModel, "load", record_load)
    booking_app.extensions[ENGINE_KEY].dispose()


def test_a_month_computes_its_own_days_only_whatever_is_booked(
    booking_app, guest, work_done, monkeypatch
):
    days, bookings_loaded = work_done
    # Every request renders, so that its work is seen: none is sent from a kept copy.
    guest.set_cookie("any", "cookie")  # past the finished pages in front of Flask
    monkeypatch.setattr(booking_app.extensions[RENDERED_KEY], "get", lambda _etag: None)
    january = PAGE + "?tz=America/Chicago&month=2027-01"
    html_of(guest, january)
    days.clear()
    before = html_of(guest, january)
    work_before = sum(days)
    # The month, a day either side, its slack; and the chosen day's times.
    assert work_before <= 31 + 2 + SLACK_DAYS + 1 + SLACK_DAYS
    fill_days(guest, ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-07"])
    days.clear()
    bookings_loaded.clear()
    after = html_of(guest, january)
    assert sum(days) == work_before and bookings_loaded == []  # December's bookings: not read
    assert linked_days(after) == linked_days(before)


def test_the_current_month_reads_nothing_of_the_past(booking_app, guest, work_done):
    """Days off and time off that ended before yesterday cannot block a free time: they are not
    read (yesterday's are, as a span may run past midnight).
    """
    days, loaded = work_done
    with booking_app.app_context():
        db = get_session()
        two_days_ago = datetime(2026, 11, 23, 15, tzinfo=UTC)
        db.add(DateOverride(day=date(2026, 11, 23)))
        db.add(
            TimeOff(
                starts_at=two_days_ago,
                ends_at=two_days_ago + timedelta(hours=2),
                created_at=two_days_ago,
            )
        )
        db.commit()
    html_of(guest, PAGE + "?tz=Asia/Kolkata")
    loaded.clear()
    november = html_of(guest, PAGE + "?tz=Asia/Kolkata")
    assert CAPTION.search(november).group(1) == "November 2026" and loaded == []
