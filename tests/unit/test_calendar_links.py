"""The guest's "Add to Google Calendar" and "Add to Outlook" addresses: pure, without the app."""

from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from consult.booking.calendar_links import (
    CalendarEvent,
    google_calendar_link,
    outlook_calendar_link,
)

KOLKATA = ZoneInfo("Asia/Kolkata")
EVENT = CalendarEvent(
    title="Discovery call with Ms. Irons",
    starts_at=datetime(2026, 11, 26, 20, 30, tzinfo=KOLKATA),
    ends_at=datetime(2026, 11, 26, 21, 0, tzinfo=KOLKATA),
    details="Discovery call for Riverside & Co. #1",
    location="",
)


def query(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


def test_the_links_carry_the_times_in_utc_and_text_safely_encoded():
    google = query(google_calendar_link(EVENT))
    assert google["dates"] == ["20261126T150000Z/20261126T153000Z"]
    assert google["details"] == ["Discovery call for Riverside & Co. #1"]
    outlook = query(outlook_calendar_link(EVENT))
    assert outlook["startdt"] == ["2026-11-26T15:00:00Z"] and outlook["rru"] == ["addevent"]
    assert urlsplit(outlook_calendar_link(EVENT)).hostname == "outlook.office.com"
    assert urlsplit(outlook_calendar_link(EVENT, personal=True)).hostname == "outlook.live.com"


def test_a_place_appears_only_when_there_is_one():
    assert "location" not in query(google_calendar_link(EVENT))
    assert "location" not in query(outlook_calendar_link(EVENT))
    placed = CalendarEvent(**{**EVENT.__dict__, "location": "12 Harbour Road, Leith"})
    assert query(google_calendar_link(placed))["location"] == ["12 Harbour Road, Leith"]


def test_a_time_without_its_zone_is_refused():
    naive_start = datetime(2026, 11, 26, 15)  # noqa: DTZ001  naive on purpose: refused
    naive = CalendarEvent(**{**EVENT.__dict__, "starts_at": naive_start})
    with pytest.raises(ValueError, match="aware"):
        google_calendar_link(naive)
