"""The month calendar's grid and the time-zone list's names: pure, without the app."""

from datetime import UTC, date, datetime, timedelta

import pytest

from consult.booking.month import (
    following_month,
    month_calendar,
    month_from,
    months_between,
)
from consult.booking.time_zones import offset_text, place_name, zone_groups, zone_label

WINTER = datetime(2026, 11, 25, 15, tzinfo=UTC)
SUMMER = datetime(2027, 7, 1, 15, tzinfo=UTC)


def test_a_month_is_weeks_from_monday_padded_with_the_months_either_side():
    november = month_calendar(
        date(2026, 11, 25), earliest=date(2026, 11, 25), latest=date(2027, 1, 24)
    )
    assert november.first_day == date(2026, 11, 1) and november.last_day == date(2026, 11, 30)
    assert november.weeks[0] == (None,) * 6 + (date(2026, 11, 1),)  # the 1st was a Sunday
    assert november.weeks[-1] == (date(2026, 11, 30),) + (None,) * 6
    days = [day for week in november.weeks for day in week if day]
    assert days == [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]
    assert all(len(week) == 7 for week in november.weeks)
    assert november.previous_month is None and november.next_month == date(2026, 12, 1)


def test_the_months_shown_stay_within_the_bookable_span():
    span = {"earliest": date(2026, 11, 25), "latest": date(2027, 1, 24)}
    assert month_calendar(date(2020, 1, 1), **span).first_day == date(2026, 11, 1)
    january = month_calendar(date(8999, 12, 31), **span)
    assert january.first_day == date(2027, 1, 1) and january.next_month is None
    assert january.previous_month == date(2026, 12, 1)
    assert month_calendar(
        date(2028, 2, 10), earliest=date(2028, 2, 1), latest=date(2028, 3, 1)
    ).last_day == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2027-01", date(2027, 1, 1)),
        ("2026-12", date(2026, 12, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("0001-01", None),
        ("9999-12", None),  # far enough from the end of `date` that a next month exists
        ("2026-1", None),
        ("2026-01-01", None),
        ("", None),
        (None, None),
        ("２０２６-01", None),  # digits of another script
    ],
)
def test_a_month_in_an_address_is_read_strictly(text, month):
    assert month_from(text) == month


def test_months_follow_one_another_across_years():
    assert following_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert months_between(date(2026, 11, 25), date(2027, 1, 24)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]


def test_zones_have_readable_names_with_their_offset_now():
    assert zone_label("America/Chicago", now=WINTER) == "Central Time — Chicago (UTC−06:00)"
    assert zone_label("America/Chicago", now=SUMMER) == "Central Time — Chicago (UTC−05:00)"
    assert zone_label("Asia/Kolkata", now=WINTER) == "India Time — Kolkata (UTC+05:30)"
    assert zone_label("Asia/Shanghai", now=WINTER) == "China Time — Shanghai (UTC+08:00)"
    assert zone_label("America/Havana", now=WINTER) == "Cuba Time — Havana (UTC−05:00)"
    assert zone_label("Australia/Sydney", now=WINTER) == (
        "Australian Eastern Time — Sydney (UTC+11:00)"
    )
    assert zone_label("America/Lima", now=WINTER) == "Lima (UTC−05:00)"  # no everyday name known
    assert place_name("America/Argentina/Buenos_Aires") == "Buenos Aires, Argentina"
    assert offset_text(timedelta(hours=-9, minutes=-30)) == "UTC−09:30"


def test_the_zone_list_is_grouped_by_region_and_ordered_by_offset():
    groups = zone_groups(now=WINTER, including="Europe/London")
    labels = [group.label for group in groups]
    assert labels == sorted(labels) and "Americas" in labels and "Etc" not in labels
    americas = next(group for group in groups if group.label == "Americas").choices
    values = [choice.value for choice in americas]
    assert values.index("America/Los_Angeles") < values.index("America/Chicago")
    assert values.index("America/Chicago") < values.index("America/New_York")
    every_value = [choice.value for group in groups for choice in group.choices]
    assert "US/Central" not in every_value and len(every_value) == len(set(every_value))
    # A zone no region lists (UTC, or an old alias from a link) is offered first, as chosen.
    chosen = zone_groups(now=WINTER, including="UTC")[0]
    assert chosen.label == "Chosen" and chosen.choices[0].value == "UTC"
