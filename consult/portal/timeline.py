"""An organisation's engagement in one timeline: consultations, rounds, programmes and shared
notes in time order, with the plan's progress beside them. No Flask, no database.

The route gathers plain facts (`*Fact`); `build_timeline` decides what is upcoming and what is
past, each round's change since the round before it, and which actions are overdue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal

from consult.portal.figures import difference

UPCOMING_BOOKING_STATUSES = frozenset({"held", "confirmed"})
FINISHED_ACTION_STATUSES = frozenset({"done", "not_doing"})


@dataclass(frozen=True)
class ConsultationFact:
    """A consultation booked for the organisation."""

    public_id: str
    type_name: str
    starts_at: datetime
    status: str
    booked_by_id: int | None
    booked_by_name: str | None
    paid_with_credit: bool


@dataclass(frozen=True)
class RoundFact:
    """An assessment round; `overall` is its overall index as the results page shows it (None
    while open, or when too few answered to show a figure).
    """

    public_id: str
    name: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    closes_on: date
    definition_key: str
    definition_version: int
    overall: float | None


@dataclass(frozen=True)
class ActionFact:
    """One action of the current plan."""

    status: str
    due_on: date | None


@dataclass(frozen=True)
class ProgrammeFact:
    """A programme the organisation has (active or ended)."""

    public_id: str
    name: str
    status: str
    starts_at: datetime | None
    ends_at: datetime | None
    sessions_included: int
    sessions_used: int
    rounds_included: int = 0
    rounds_used: int = 0

    @property
    def sessions_left(self) -> int:
        return self.sessions_included - self.sessions_used

    @property
    def rounds_left(self) -> int:
        return self.rounds_included - self.rounds_used


@dataclass(frozen=True)
class NoteFact:
    """A note the consultant shared with the organisation."""

    body: str
    author_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class RoundPoint:
    """A round on the timeline with the change of its overall index since the previous closed
    round of the same assessment version (None when there is none to compare with).
    """

    round: RoundFact
    change: int | None


@dataclass(frozen=True)
class PlanProgress:
    """How far the plan has come: every action falls in exactly one count.

    An unfinished action whose due date has passed is counted as overdue, not as started or not.
    """

    done: int
    in_progress: int
    not_started: int
    overdue: int
    not_doing: int

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.not_started + self.overdue + self.not_doing


EntryKind = Literal["consultation", "round", "programme", "note"]


@dataclass(frozen=True)
class TimelineEntry:
    """One dated thing on the timeline; exactly one of the facts is set, the one `kind` names."""

    kind: EntryKind
    at: datetime
    consultation: ConsultationFact | None = None
    round: RoundPoint | None = None
    programme: ProgrammeFact | None = None
    note: NoteFact | None = None


@dataclass(frozen=True)
class Timeline:
    """Upcoming things soonest first, past things latest first, the rounds' overall index over
    time (oldest first), the running programmes and the plan's progress (None without a plan).
    """

    upcoming: tuple[TimelineEntry, ...]
    past: tuple[TimelineEntry, ...]
    index_history: tuple[RoundPoint, ...]
    running_programmes: tuple[ProgrammeFact, ...]
    plan: PlanProgress | None


def is_overdue(action: ActionFact, *, today: date) -> bool:
    """An action not finished whose due date is before `today`."""
    return (
        action.status not in FINISHED_ACTION_STATUSES
        and action.due_on is not None
        and action.due_on < today
    )


def plan_progress(actions: Sequence[ActionFact], *, today: date) -> PlanProgress | None:
    """The plan's progress on `today`, or None for a plan without actions."""
    if not actions:
        return None
    overdue = [action for action in actions if is_overdue(action, today=today)]
    rest = [action for action in actions if not is_overdue(action, today=today)]

    def count(status: str) -> int:
        return sum(1 for action in rest if action.status == status)

    return PlanProgress(
        done=count("done"),
        in_progress=count("in_progress"),
        not_started=count("not_started"),
        overdue=len(overdue),
        not_doing=count("not_doing"),
    )


def index_history(rounds: Sequence[RoundFact]) -> tuple[RoundPoint, ...]:
    """Closed rounds in the order they closed, each with the change since the one before.

    The change is worked out from the figures as shown (`figures.difference`), and only between
    rounds of the same assessment version, whose indexes measure the same thing.
    """
    closed = sorted(
        (item for item in rounds if item.status == "closed" and item.closed_at is not None),
        key=lambda item: (item.closed_at, item.public_id),
    )
    points: list[RoundPoint] = []
    for position, current in enumerate(closed):
        previous = closed[position - 1] if position else None
        comparable = previous is not None and (
            previous.definition_key,
            previous.definition_version,
        ) == (current.definition_key, current.definition_version)
        change = difference(current.overall, previous.overall) if previous and comparable else None
        points.append(RoundPoint(current, change))
    return tuple(points)


def build_timeline(
    *,
    consultations: Sequence[ConsultationFact],
    rounds: Sequence[RoundFact],
    actions: Sequence[ActionFact],
    programmes: Sequence[ProgrammeFact],
    notes: Sequence[NoteFact],
    now: datetime,
    time_zone: tzinfo,
) -> Timeline:
    """The organisation's timeline at `now`; overdue actions are judged by the date at `now`
    in `time_zone` (the consultant's, where due dates are set).
    """
    upcoming: list[TimelineEntry] = []
    past: list[TimelineEntry] = []
    for consultation in consultations:
        entry = TimelineEntry("consultation", consultation.starts_at, consultation=consultation)
        is_ahead = consultation.starts_at > now and consultation.status in UPCOMING_BOOKING_STATUSES
        (upcoming if is_ahead else past).append(entry)
    history = index_history(rounds)
    by_id = {point.round.public_id: point for point in history}
    for item in rounds:
        point = by_id.get(item.public_id, RoundPoint(item, None))
        past.append(TimelineEntry("round", item.closed_at or item.opened_at, round=point))
    for programme in programmes:
        if programme.starts_at is not None:
            past.append(TimelineEntry("programme", programme.starts_at, programme=programme))
    for note in notes:
        past.append(TimelineEntry("note", note.created_at, note=note))
    running = tuple(
        sorted(
            (
                programme
                for programme in programmes
                if programme.status == "active"
                and programme.ends_at is not None
                and programme.ends_at > now
            ),
            key=lambda programme: (programme.ends_at, programme.public_id),
        )
    )
    return Timeline(
        upcoming=tuple(sorted(upcoming, key=lambda entry: entry.at)),
        past=tuple(sorted(past, key=lambda entry: entry.at, reverse=True)),
        index_history=history,
        running_programmes=running,
        plan=plan_progress(actions, today=now.astimezone(time_zone).date()),
    )
