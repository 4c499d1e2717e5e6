"""The private feed of bookings: its secret address (made, rotated, checked) and what it lists.

The description links to the booking's admin page rather than the guest's manage link: manage
links are bearer tokens that cancel and move bookings (and are stored only as hashes), while a
calendar feed is fetched and cached by third parties. Whoever reads the feed learns the
bookings; only a signed-in consultant can change one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from consult.booking.emails import format_money
from consult.booking.locations import invite_location
from consult.booking.models import Booking, ConsultationType
from consult.calendars.bookings_ics import FeedEvent
from consult.calendars.models import BookingsFeedKey

KEY_ROW_ID = 1
SHOWN_STATUSES = ("confirmed", "completed", "no_show")
PAST_SHOWN_FOR = timedelta(days=90)
CANCELLED_SHOWN_FOR = timedelta(days=30)
UID_SUFFIX = ".bookings-feed@consult"  # ends in busy.OWN_UID_SUFFIX: never read back as busy


def feed_secret(*, salt: str, secret_key: str) -> str:
    """The address's secret: HMAC-SHA256 of the stored salt under the app's SECRET_KEY."""
    digest = hmac.new(
        secret_key.encode(), b"consult bookings feed\x00" + salt.encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def current_key(session: Session) -> BookingsFeedKey | None:
    """The feed's key; None while the consultant has not made a private address."""
    return session.get(BookingsFeedKey, KEY_ROW_ID)


def ensure_key(*, session: Session, now: datetime) -> BookingsFeedKey:
    """The feed's key, made now if there is none yet."""
    return current_key(session) or rotate_key(session=session, now=now)


def rotate_key(*, session: Session, now: datetime) -> BookingsFeedKey:
    """A new key: a new address, and the old address stops working at once."""
    key = current_key(session) or BookingsFeedKey(id=KEY_ROW_ID, salt="", created_at=now)
    key.salt = secrets.token_hex(32)
    key.created_at = now
    session.add(key)
    session.flush()
    return key


def secret_matches(*, session: Session, secret: str, secret_key: str) -> bool:
    """Whether `secret` is the current address's secret (compared in constant time)."""
    key = current_key(session)
    if key is None:
        return False
    expected = feed_secret(salt=key.salt, secret_key=secret_key)
    return hmac.compare_digest(expected.encode(), secret.encode("utf-8", errors="replace"))


def bookings_for_feed(session: Session, *, now: datetime) -> list[tuple[Booking, ConsultationType]]:
    """Confirmed bookings to come or ended in the last 90 days; those cancelled in the last 30."""
    rows = session.exec(
        select(Booking, ConsultationType)
        .join(ConsultationType, col(ConsultationType.id) == col(Booking.consultation_type_id))
        .where(col(Booking.confirmed_at).is_not(None))
        .where(
            or_(
                and_(
                    col(Booking.status).in_(SHOWN_STATUSES),
                    col(Booking.ends_at) > now - PAST_SHOWN_FOR,
                ),
                and_(
                    col(Booking.status) == "cancelled",
                    col(Booking.cancelled_at) > now - CANCELLED_SHOWN_FOR,
                ),
            )
        )
        .order_by(col(Booking.starts_at), col(Booking.id))
    ).all()
    return [(booking, consultation_type) for booking, consultation_type in rows]


def _description(booking: Booking, consultation_type: ConsultationType, admin_link: str) -> str:
    questions = consultation_type.intake_questions
    labels = {question.get("key"): question.get("label") for question in questions}
    lines = [
        f"Guest: {booking.guest_name} <{booking.guest_email}>",
        f"Organisation: {booking.organisation}",
        f"Role: {booking.role}",
    ]
    if booking.phone:
        lines.append(f"Phone: {booking.phone}")
    lines.append(f"Guest's time zone: {booking.guest_time_zone}")
    if booking.amount_minor:
        lines.append(f"Price: {format_money(booking.amount_minor, booking.currency)}")
    answers = [(key, answer) for key, answer in booking.intake_answers.items() if answer]
    if answers:
        lines.append("")
        for key, answer in answers:
            lines.extend([f"{labels.get(key) or key}", answer, ""])
    else:
        lines.append("")
    lines.append(f"Manage this booking: {admin_link}")
    return "\n".join(lines)


def feed_events(
    rows: Sequence[tuple[Booking, ConsultationType]], *, admin_link: Callable[[Booking], str]
) -> list[FeedEvent]:
    """The calendar events of the feed's bookings; `admin_link` gives each booking's admin page."""
    events = []
    for booking, consultation_type in rows:
        cancelled = booking.status == "cancelled"
        location, url = invite_location(booking.meeting_kind, booking.meeting_location)
        title = f"{consultation_type.name}: {booking.guest_name} ({booking.organisation})"
        events.append(
            FeedEvent(
                uid=f"{booking.public_id}{UID_SUFFIX}",
                # The same rule as the guest's invitation: each move, and the cancellation, count.
                sequence=booking.reschedule_count + (1 if cancelled else 0),
                summary=f"Cancelled: {title}" if cancelled else title,
                description=_description(booking, consultation_type, admin_link(booking)),
                location="" if cancelled else location,
                url="" if cancelled else url,
                starts_at=booking.starts_at,
                ends_at=booking.ends_at,
                created_at=booking.created_at,
                cancelled=cancelled,
            )
        )
    return events
