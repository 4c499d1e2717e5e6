"""What the audit log records: the kinds of event, who acts, from where, and how a change reads.

Plain data only (no Flask, no database), so every capability and the tests can use it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

# Every kind of event the log takes, with how a person reads it. Recording any other name is a
# programming error, so a typo cannot hide an event from the filters.
EVENT_TYPES: dict[str, str] = {
    "sign_in.succeeded": "Signed in",
    "sign_in.failed": "Sign-in refused",
    "sign_out": "Signed out",
    "session.expired": "Signed out for being idle or signed in too long",
    "sessions.ended_elsewhere": "Signed out on every other device",
    "sessions.ended_by_consultant": "Signed out everywhere by the consultant",
    "password.changed": "Password changed",
    "password.reset": "Password reset through an e-mailed link",
    "two_factor.enabled": "Two-factor sign-in turned on",
    "two_factor.disabled": "Two-factor sign-in turned off",
    "two_factor.reset": "Two-factor sign-in reset",
    "two_factor.recovery_codes_replaced": "New recovery codes made",
    "two_factor.recovery_code_used": "Signed in with a recovery code",
    "two_factor.failed": "Two-factor code refused",
    "account.created": "Account created",
    "account.role_changed": "Account role changed",
    "account.deleted": "Account deleted",
    "account.deactivated": "Account deactivated by the consultant",
    "account.reactivated": "Account reactivated by the consultant",
    "organisation.created": "Organisation created",
    "organisation.renamed": "Organisation renamed",
    "invitation.sent": "Invitation sent",
    "invitation.accepted": "Invitation accepted",
    "invitation.resent": "Invitation sent again with a new link",
    "invitation.revoked": "Invitation revoked",
    "membership.removed": "Member removed",
    "membership.group_changed": "Member's group changed",
    "ownership.handed_over": "Ownership handed over",
    "answers.viewed": "Individual answers viewed by the consultant",
    "booking.cancelled_by_consultant": "Booking cancelled by the consultant",
    "booking.moved_by_consultant": "Booking moved by the consultant",
    "booking.booked_by_consultant": "Booking made by the consultant for a guest",
    "booking.guest_data_erased": "Guest's personal data erased from a booking",
    "refund.requested": "Refund asked of the payment provider",
    "refund.succeeded": "Refund confirmed by the payment provider",
    "refund.failed": "Refund failed",
    "settings.consultation_type": "Consultation type saved",
    "settings.availability": "Weekly hours saved",
    "settings.date_override": "Hours of one date changed",
    "settings.time_off": "Time off blocked or given back",
    "settings.calendar_feed": "External calendar added or removed",
    "settings.private_feed_address": "Private calendar address made",
    "personal_data.exported": "Personal data downloaded",
    "retention.applied": "Retention period applied",
}
ACTOR_KINDS = ("user", "guest", "system")
MAX_TEXT = 300  # the longest user agent or detail text kept; the rest is not evidence


class UnknownEventType(ValueError):
    """An event name missing from EVENT_TYPES: a programming error."""


@dataclass(frozen=True)
class Actor:
    """Who did it: a signed-in person (id and e-mail at the time), a guest, or the system."""

    kind: str
    user_id: int | None = None
    email: str | None = None

    @property
    def label(self) -> str:
        return self.email or self.kind


GUEST = Actor("guest")
SYSTEM = Actor("system")


def user_actor(user_id: int | None, email: str) -> Actor:
    """The actor for a person with an account."""
    return Actor("user", user_id=user_id, email=email)


@dataclass(frozen=True)
class Origin:
    """Where a request came from: the client's address (as the trusted proxies report it) and its
    user agent. Commands have none.
    """

    client_address: str | None
    user_agent: str | None


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """`text` without control characters (which PostgreSQL or a log line cannot take safely),
    cut to `limit` characters.
    """
    kept = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    return kept[:limit]


def json_safe(value: Any) -> Any:
    """`value` as JSON can hold it: times as ISO 8601, text cleaned, containers walked."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {clean_text(str(key), 80): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    return clean_text(str(value))


def describe_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The settings that differ, as {name: [before, after]} in JSON-safe values."""
    changes: dict[str, list[Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = json_safe(before.get(name)), json_safe(after.get(name))
        if old != new:
            changes[name] = [old, new]
    return changes


def event_label(event_type: str) -> str:
    """How a person reads an event type."""
    return EVENT_TYPES.get(event_type, event_type)


def check_event_type(event_type: str) -> None:
    """Refuse an event name the log does not know."""
    if event_type not in EVENT_TYPES:
        raise UnknownEventType(f"unknown audit event type {event_type!r}")
