"""What must hold after the traffic run, as pure functions of plain rows: no two live bookings
overlap, each type's daily maximum and the live-hold caps held, one confirmation e-mail per
confirmed booking (queued once, delivered once), and every payment matched by one paid checkout.

Each function returns the problems it found, one line each; an empty list is a pass.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

LIVE = ("held", "confirmed")  # the statuses that occupy time (a lapsed, unswept hold too)
PAID_STATES = ("paid", "refund_pending", "refunded", "partially_refunded", "refund_failed")
CONFIRMATION_SUBJECT = "Confirmed:"


@dataclass(frozen=True)
class BookingRow:
    """One booking as the database has it; `made_in_run` is false for the seeded ones."""

    public_id: str
    consultation_type: str
    status: str
    starts_at: datetime
    occupies_from: datetime
    occupies_until: datetime
    guest_email: str
    client_address: str | None = None
    hold_expires_at: datetime | None = None
    confirmed_at: datetime | None = None
    amount_minor: int = 0
    paid_minor: int = 0
    payment_state: str = "not_required"
    checkout_session_id: str | None = None
    made_in_run: bool = True


@dataclass(frozen=True)
class EmailRow:
    """One outbox e-mail: the UIDs of the calendar invitations it carries name its booking."""

    message_id: str
    to_address: str
    subject: str
    calendar_uids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckoutRow:
    """One Checkout Session as the payment provider keeps it."""

    session_id: str
    reference: str | None
    status: str
    payment_status: str
    amount_total: int


def calendar_uid(public_id: str) -> str:
    """The UID the site gives a booking's calendar invitation (booking/emails.py)."""
    return f"{public_id}@consult"


def overlapping_bookings(bookings: Iterable[BookingRow]) -> list[str]:
    """Pairs of live bookings whose occupied times (buffers included) overlap."""
    live = sorted(
        (booking for booking in bookings if booking.status in LIVE),
        key=lambda booking: booking.occupies_from,
    )
    problems = []
    latest: BookingRow | None = None  # of those seen, the one occupying time the longest
    for booking in live:
        if latest is not None and booking.occupies_from < latest.occupies_until:
            problems.append(
                f"{latest.public_id} and {booking.public_id} overlap at {booking.occupies_from}"
            )
        if latest is None or booking.occupies_until > latest.occupies_until:
            latest = booking
    return problems


def live_per_day(bookings: Iterable[BookingRow], zone: ZoneInfo) -> Counter[tuple[str, date]]:
    """Live bookings per type and consultant-local day."""
    return Counter(
        (booking.consultation_type, booking.starts_at.astimezone(zone).date())
        for booking in bookings
        if booking.status in LIVE
    )


def days_over_maximum(
    bookings: Iterable[BookingRow], maxima: Mapping[str, int | None], zone: ZoneInfo
) -> list[str]:
    """Types and consultant-local days with more live bookings than the type's daily maximum."""
    per_day = live_per_day(bookings, zone)
    return [
        f"{kind} on {day}: {count} live, at most {maxima[kind]}"
        for (kind, day), count in sorted(per_day.items())
        if maxima.get(kind) is not None and count > (maxima[kind] or 0)
    ]


def live_holds(bookings: Iterable[BookingRow], now: datetime) -> list[BookingRow]:
    """Holds whose time to pay has not run out."""
    return [
        booking
        for booking in bookings
        if booking.status == "held" and booking.hold_expires_at and booking.hold_expires_at > now
    ]


def live_holds_over_caps(
    bookings: Iterable[BookingRow], *, now: datetime, per_client: int, per_email: int
) -> list[str]:
    """Client addresses and guest e-mails keeping more unexpired holds than allowed."""
    holds = live_holds(bookings, now)
    by_client = Counter(booking.client_address for booking in holds if booking.client_address)
    by_email = Counter(booking.guest_email for booking in holds)
    return [
        f"client {client} keeps {count} live holds (at most {per_client})"
        for client, count in sorted(by_client.items())
        if count > per_client
    ] + [
        f"{email} keeps {count} live holds (at most {per_email})"
        for email, count in sorted(by_email.items())
        if count > per_email
    ]


def confirmation_problems(
    bookings: Iterable[BookingRow], emails: Iterable[EmailRow], deliveries: Counter[str]
) -> list[str]:
    """Each booking confirmed in the run has exactly one confirmation e-mail to its guest, which
    the mail server received exactly once; no booking left unconfirmed has one.

    `deliveries` counts the Message-IDs the mail server received.
    """
    confirmations: defaultdict[str, list[EmailRow]] = defaultdict(list)
    for email in emails:
        if email.subject.startswith(CONFIRMATION_SUBJECT):
            for uid in email.calendar_uids:
                confirmations[uid].append(email)
    problems = []
    for booking in bookings:
        if not booking.made_in_run:
            continue
        sent = [
            email
            for email in confirmations.get(calendar_uid(booking.public_id), [])
            if email.to_address == booking.guest_email
        ]
        expected = 1 if booking.confirmed_at is not None else 0
        if len(sent) != expected:
            problems.append(
                f"{booking.public_id} ({booking.status}): {len(sent)} confirmation e-mails"
            )
        for email in sent:
            if deliveries[email.message_id] != 1:
                problems.append(
                    f"{booking.public_id}: its confirmation was delivered "
                    f"{deliveries[email.message_id]} times"
                )
    return problems


def payment_problems(bookings: Sequence[BookingRow], checkouts: Iterable[CheckoutRow]) -> list[str]:
    """No booking paid (or confirmed at a price) without a completed, paid checkout of its own
    for what it recorded; no booking charged by two checkouts; no paid checkout left unfulfilled.
    """
    paid_checkouts = [
        checkout
        for checkout in checkouts
        if checkout.status == "complete" and checkout.payment_status == "paid"
    ]
    by_session = {checkout.session_id: checkout for checkout in paid_checkouts}
    by_booking = {booking.public_id: booking for booking in bookings}
    problems = []
    for booking in bookings:
        paid = booking.payment_state in PAID_STATES or booking.paid_minor > 0
        confirmed_at_a_price = booking.confirmed_at is not None and booking.amount_minor > 0
        if not (paid or confirmed_at_a_price) or not booking.made_in_run:
            continue
        checkout = by_session.get(booking.checkout_session_id or "")
        if checkout is None:
            problems.append(f"{booking.public_id} is {booking.payment_state} with no paid checkout")
        elif checkout.reference != booking.public_id:
            problems.append(f"{booking.public_id} took the payment of {checkout.reference}")
        elif checkout.amount_total != booking.paid_minor:
            problems.append(
                f"{booking.public_id} recorded {booking.paid_minor}, the checkout took "
                f"{checkout.amount_total}"
            )
    for reference, count in Counter(checkout.reference for checkout in paid_checkouts).items():
        if count > 1:
            problems.append(f"{reference} was charged {count} times")
    for checkout in paid_checkouts:
        booking = by_booking.get(checkout.reference or "")
        if booking is None or booking.payment_state not in PAID_STATES:
            state = booking.payment_state if booking else "no booking"
            problems.append(f"checkout {checkout.session_id} was paid, its booking is {state}")
    return problems
