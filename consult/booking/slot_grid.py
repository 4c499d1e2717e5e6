"""Start times on the grid of a range of local hours, reckoned in whole microseconds since the
epoch: exact, and quick to compare. A range in which the clocks do not change is walked as
integers; one in which they do, wall by wall. No Flask, no database.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

ONE_SECOND = timedelta(seconds=1)
ONE_MICROSECOND = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECONDS_PER_MINUTE = 60_000_000
NAIVE_EPOCH = EPOCH.replace(tzinfo=None)  # local walls minus their offset, in UTC


@dataclass(frozen=True)
class Occupied:
    """Time taken by a confirmed booking or live hold, its own buffers included (aware datetimes,
    half-open).
    """

    start: datetime
    end: datetime


@dataclass(frozen=True)
class OccupiedIndex:
    """Occupied time merged into sorted, disjoint spans of microseconds since the epoch, so an
    overlap test is one bisection over integers.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def build(cls, occupied: Sequence[Occupied]) -> OccupiedIndex:
        """Sort and merge the spans once; empty spans take no time and are dropped."""
        spans = sorted((microseconds(span.start), microseconds(span.end)) for span in occupied)
        starts: list[int] = []
        ends: list[int] = []  # ends stay sorted too, since merged spans are disjoint
        for start, end in spans:
            if end <= start:
                continue
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        return cls(tuple(starts), tuple(ends))

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) shares any instant with the occupied time; touching is not
        overlapping.
        """
        position = bisect_right(self.ends, start)  # the first span ending after `start`
        return position < len(self.starts) and self.starts[position] < end


def microseconds(moment: datetime) -> int:
    """An aware datetime as whole microseconds since the epoch: exact, and quick to compare."""
    return (as_utc(moment) - EPOCH) // ONE_MICROSECOND


def as_utc(moment: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is refused, since its zone would be a guess."""
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{moment.isoformat()} has no time zone; the slot engine only takes aware datetimes."
        )
    return moment.astimezone(UTC)


def _existing_instant(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant the naive local `wall` names (its first occurrence when ambiguous), None in a
    DST gap.
    """
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant


def _first_instant_reading(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the local clock reads `wall` or later: in a DST gap, the jump
    itself.
    """
    instant = _existing_instant(wall, zone)
    if instant is not None:
        return instant
    low, high = sorted(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    while high - low > ONE_SECOND:  # the clock reads < wall at `low` and > wall at `high`
        middle = low + ((high - low) // 2 // ONE_SECOND) * ONE_SECOND
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high


@dataclass(frozen=True)
class StartWindow:
    """What a start time must clear, in microseconds since the epoch."""

    index: OccupiedIndex
    earliest: int
    latest: int  # exclusive
    step: int
    duration: int
    before: int
    after: int

    def is_free(self, start: int) -> bool:
        return self.earliest <= start < self.latest and not self.index.overlaps(
            start - self.before, start + self.duration + self.after
        )

    def free_starts(self, range_start: int, range_end: int) -> list[int]:
        """The free starts on the grid from `range_start` whose meeting ends by `range_end`."""
        last_start = min(range_end - self.duration, self.latest - 1)
        first_start = range_start
        if first_start < self.earliest:  # skip the grid's starts before the notice, at once
            first_start += -((first_start - self.earliest) // self.step) * self.step
        return [
            start
            for start in range(first_start, last_start + 1, self.step)
            if not self.index.overlaps(start - self.before, start + self.duration + self.after)
        ]


def steady_offset(first: datetime, last: datetime, zone: ZoneInfo) -> timedelta | None:
    """The zone's UTC offset from the local `first` to `last` of one day, or None when its
    clocks change then (each end is checked in both folds; the tz database has no zone whose
    clocks change twice in one day and come back to the same offset).
    """
    offsets = {
        wall.replace(tzinfo=zone, fold=fold).utcoffset()
        for wall in (first, last)
        for fold in (0, 1)
    }
    offset = offsets.pop()
    return None if offsets else offset


def starts_across_a_clock_change(
    first: datetime, last: datetime, zone: ZoneInfo, window: StartWindow
) -> list[int]:
    """The free starts of a range of local hours in which the clocks change, wall by wall."""
    range_end = microseconds(_first_instant_reading(last, zone))
    step = timedelta(microseconds=window.step)
    starts = []
    wall = first
    while wall < last:
        instant = _existing_instant(wall, zone)
        wall += step
        if instant is None:
            continue
        start = microseconds(instant)
        if start >= window.latest or start + window.duration > range_end:
            break  # later starts on this grid are later instants: they fail too
        if window.is_free(start):
            starts.append(start)
    return starts
