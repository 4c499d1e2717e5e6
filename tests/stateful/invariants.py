"""What must be true of the booking tables after every step, however the steps interleaved.

At most one live booking per time block (and no ghost blocks), each type's daily maximum,
each paid checkout fulfilled exactly once (confirmed, or refunded in full when its time was
lost), refunds never above what was paid, and one e-mail per change, to the guest and to the
consultant.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from consult.booking.models import Booking, BookingTimeBlock, ConsultationType
from consult.mail.models import OutboxEmail
from consult.payments.models import TestCheckout

SITE_ZONE = ZoneInfo("America/Chicago")
CONSULTANT = "hello@consult.example"
LATE_PAYMENT = "We are sorry: that time was taken"
LIVE = ("held", "confirmed")


def check_invariants(session: Session, guests) -> None:
    bookings = session.exec(select(Booking).order_by(Booking.id)).all()
    types = {kind.id: kind for kind in session.exec(select(ConsultationType)).all()}
    checkouts = {
        checkout.session_id: checkout for checkout in session.exec(select(TestCheckout)).all()
    }
    mail = Counter(
        (email.to_address, _kind(email.subject), _organisation(email))
        for email in session.exec(select(OutboxEmail)).all()
    )
    assert_time_is_held_once(session, bookings)
    _daily_maximum_holds(bookings, types)
    won = {guest.public_id: guest for guest in guests}
    for booking in bookings:
        paid = _paid_amount(booking, checkouts)
        late_refund = paid > 0 and booking.confirmed_at is None
        _money_adds_up(booking, paid, late_refund, checkouts)
        _one_email_per_change(booking, mail, late_refund)
        guest = won.get(booking.public_id)
        if guest is not None:  # what the site told the guest matches what it did
            assert booking.reschedule_count == guest.moves_won, booking.public_id
            assert guest.cancellations_won == (booking.status == "cancelled"), booking.public_id


def assert_time_is_held_once(session, bookings) -> None:
    """The blocks are exactly those of the live bookings' current times: none shared, no ghost
    left by a move or a cancellation, none missing.
    """
    owned = {
        (block.booking_id, block.block_start)
        for block in session.exec(select(BookingTimeBlock)).all()
    }
    expected = set()
    spans = []
    for booking in bookings:
        if booking.status in LIVE:
            spans.append((booking.occupies_from, booking.occupies_until))
            moment = booking.occupies_from
            while moment < booking.occupies_until:
                expected.add((booking.id, moment))
                moment += timedelta(minutes=5)
    assert owned == expected, owned ^ expected
    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start, "two live bookings overlap"


def _daily_maximum_holds(bookings, types) -> None:
    """Live bookings (lapsed holds not yet swept included: a payment could still confirm them)
    per type and consultant-local day never exceed the type's maximum.
    """
    per_day = Counter(
        (booking.consultation_type_id, booking.starts_at.astimezone(SITE_ZONE).date())
        for booking in bookings
        if booking.status in LIVE
    )
    for (type_id, day), count in per_day.items():
        limit = types[type_id].max_per_day
        assert limit is None or count <= limit, f"{types[type_id].slug} on {day}: {count}"


def _paid_amount(booking, checkouts) -> int:
    checkout = checkouts.get(booking.checkout_session_id)
    if checkout is None or checkout.payment_status != "paid":
        assert booking.payment_state in ("unpaid", "not_required"), booking.payment_state
        assert booking.paid_at is None and booking.refund_requested_minor == 0
        return 0
    return checkout.amount_minor


def _money_adds_up(booking, paid, late_refund, checkouts) -> None:
    """A paid checkout is fulfilled once: confirmed, or (its time lost) refunded in full. Refunds
    never exceed what was paid, and the provider's record agrees with ours.
    """
    assert 0 <= booking.refunded_minor <= booking.refund_requested_minor <= paid
    if paid:
        assert booking.payment_state != "unpaid" and booking.paid_at is not None
        assert checkouts[booking.checkout_session_id].refunded_minor == booking.refunded_minor
    if late_refund:
        assert booking.status == "expired" and booking.refund_requested_minor == paid
    if booking.confirmed_at is not None and booking.checkout_session_id is not None:
        assert paid, "a paid type confirmed without its payment"


def _one_email_per_change(booking, mail, late_refund) -> None:
    organisation = booking.organisation
    confirmed = int(booking.confirmed_at is not None)
    cancelled = int(booking.status == "cancelled")
    expected = {
        (booking.guest_email, "confirmed", None): confirmed,
        (booking.guest_email, "cancelled", None): cancelled,
        (booking.guest_email, "moved", None): booking.reschedule_count,
        (booking.guest_email, "late payment", None): int(late_refund),
        (CONSULTANT, "new booking", organisation): confirmed,
        (CONSULTANT, "cancelled", organisation): cancelled,
        (CONSULTANT, "moved", organisation): booking.reschedule_count,
        (CONSULTANT, "late payment", organisation): int(late_refund),
    }
    actual = {key: mail[key] for key in expected}
    assert actual == expected, (booking.public_id, booking.status, actual, expected)


def _kind(subject: str) -> str:
    for prefix, kind in (
        ("Confirmed:", "confirmed"),
        ("New booking:", "new booking"),
        ("Cancelled", "cancelled"),
        ("Moved:", "moved"),
        (LATE_PAYMENT, "late payment"),
        ("Refunded a late payment", "late payment"),
    ):
        if subject.startswith(prefix):
            return kind
    return subject


def _organisation(email: OutboxEmail) -> str | None:
    """The guest's organisation named in a note to the consultant (each guest has their own)."""
    if email.to_address != CONSULTANT:
        return None
    for part in email.subject.replace(":", ",").split(","):
        if part.strip().startswith("Org "):
            return part.strip()
    return None
