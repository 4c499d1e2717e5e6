"""Slot engine benchmark: 90 days of free slots against 2,000 existing bookings, and one guest
day in Asia/Kolkata.

Run: python -m bench.slots [--bookings 2000] [--days 90] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from bench.timing import timed
from consult.booking.slots import (
    Availability,
    Occupied,
    SlotRules,
    TimeRange,
    WeeklyHours,
    compute_free_slots,
    free_slots_for_guest_day,
)

NOW = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
WORKING_HOURS = (TimeRange(clock(9), clock(12)), TimeRange(clock(13), clock(17)))
AVAILABILITY = Availability(
    time_zone="America/Chicago",
    weekly=tuple(WeeklyHours(weekday, WORKING_HOURS) for weekday in range(5)),
    overrides=(),
    slot_step_minutes=15,
)


def random_occupied(count: int, days: int, seed: int = 7) -> list[Occupied]:
    """`count` spans of 30 to 120 minutes (buffers included) at random 5-minute marks over the next
    `days` days.
    """
    generator = random.Random(seed)
    spans = []
    for _ in range(count):
        start = NOW + timedelta(minutes=5 * generator.randrange(days * 24 * 12))
        spans.append(
            Occupied(start, start + timedelta(minutes=generator.choice((30, 60, 90, 120))))
        )
    return spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()

    rules = SlotRules(
        duration_minutes=60,
        buffer_before_minutes=15,
        buffer_after_minutes=15,
        minimum_notice_hours=0,
        booking_window_days=arguments.days + 1,
        max_per_day=None,
    )
    occupied = random_occupied(arguments.bookings, arguments.days)
    first_day = NOW.date()
    last_day = first_day + timedelta(days=arguments.days - 1)
    common = {
        "availability": AVAILABILITY,
        "rules": rules,
        "occupied": occupied,
        "bookings_per_day": {},
        "now": NOW,
    }

    slots = compute_free_slots(**common, first_day=first_day, last_day=last_day)
    guest_day = first_day + timedelta(days=8)
    guest_slots = free_slots_for_guest_day(
        **common, guest_day=guest_day, guest_time_zone="Asia/Kolkata"
    )
    print(
        f"{len(occupied)} occupied spans, {len(slots)} free slots over {arguments.days} days, "
        f"{len(guest_slots)} on {guest_day} in Asia/Kolkata"
    )
    timed(
        f"compute_free_slots, {arguments.days} days",
        lambda: compute_free_slots(**common, first_day=first_day, last_day=last_day),
        arguments.repeat,
    )
    timed(
        "free_slots_for_guest_day, Asia/Kolkata",
        lambda: free_slots_for_guest_day(
            **common, guest_day=guest_day, guest_time_zone="Asia/Kolkata"
        ),
        arguments.repeat,
    )


if __name__ == "__main__":
    main()
