"""The life of a booking: which status may follow which, written once. No Flask, no database."""

from typing import Protocol

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "held": frozenset({"confirmed", "expired", "cancelled"}),
    "expired": frozenset({"confirmed"}),  # a late payment for a slot that is still free
    "confirmed": frozenset({"cancelled", "completed", "no_show"}),
    "cancelled": frozenset(),
    "completed": frozenset(),
    "no_show": frozenset({"completed"}),
}
OCCUPYING_STATUSES = frozenset({"held", "confirmed"})


class TransitionNotAllowed(ValueError):
    """A status change the booking's life does not allow."""


def check_transition(current: str, new: str) -> None:
    """Raise TransitionNotAllowed unless a booking may go from `current` to `new`."""
    if new not in ALLOWED_TRANSITIONS.get(current, frozenset()):
        raise TransitionNotAllowed(f"a {current} booking cannot become {new}")


class HasStatus(Protocol):
    status: str


def set_status(thing: HasStatus, new_status: str) -> None:
    """Every status change goes through here, so the allowed transitions hold."""
    check_transition(thing.status, new_status)
    thing.status = new_status
