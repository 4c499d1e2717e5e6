"""The booking page's month calendar: the weeks of the month shown and the months it links to.
No Flask, no database.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class MonthCalendar:
    """One month as a grid of weeks, Monday first; `None` pads the days of the weeks that belong
    to the months either side. `previous_month` and `next_month` are their first days, or None
    where the bookable span does not reach them.
    """

    first_day: date
    weeks: tuple[tuple[date | None, ...], ...]
    previous_month: date | None
    next_month: date | None

    @property
    def last_day(self) -> date:
        return self.first_day.replace(
            day=calendar.monthrange(self.first_day.year, self.first_day.month)[1]
        )


def month_from(text: str | None) -> date | None:
    """`2027-01` → 1 January 2027; None for anything else (years 1900 to 9000, as days are)."""
    match = _MONTH.fullmatch(text or "")
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 1900 <= year <= 9000 and 1 <= month <= 12 else None


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def following_month(first_day: date) -> date:
    """The first day of the month after the one `first_day` begins."""
    return (first_day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_calendar(month: date, *, earliest: date, latest: date) -> MonthCalendar:
    """The calendar of `month`'s month, kept within the months of [earliest, latest]: a month
    before the bookable span shows the first bookable month, one after it the last.
    """
    first_day = min(max(first_of_month(month), first_of_month(earliest)), first_of_month(latest))
    weeks = tuple(
        tuple(day if day.month == first_day.month else None for day in week)
        for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(
            first_day.year, first_day.month
        )
    )
    after = following_month(first_day)
    return MonthCalendar(
        first_day=first_day,
        weeks=weeks,
        previous_month=(
            first_of_month(first_day - timedelta(days=1)) if first_day > earliest else None
        ),
        next_month=after if after <= latest else None,
    )


def months_between(first: date, last: date) -> list[date]:
    """The first days of the months from `first`'s to `last`'s, in order."""
    months, month = [], first_of_month(first)
    while month <= last:
        months.append(month)
        month = following_month(month)
    return months
