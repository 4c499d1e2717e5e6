"""Which fulfilment a checkout belongs to: a booking's or a programme purchase's.

The webhook and the local test provider only know a checkout's id. It is read again from the
provider (never trusting an event's copy), and its reference says what it pays for: a
programme purchase's carries a prefix no booking id can have.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from consult.booking.fulfilment import fulfil_booking_state
from consult.engagements.purchases import fulfil_purchase_state, is_purchase_reference
from consult.payments.provider import PaymentProvider


def fulfil_any_checkout(
    *,
    session: Session,
    provider: PaymentProvider,
    checkout_session_id: str,
    site_time_zone: ZoneInfo,
    practice_name: str,
    now: datetime,
) -> bool:
    """Fulfil the booking or purchase a checkout pays for (idempotent); False when the checkout
    is none of this site's.
    """
    state = provider.retrieve_checkout(checkout_session_id)
    if is_purchase_reference(state.reference):
        return fulfil_purchase_state(session=session, state=state, now=now) is not None
    booking = fulfil_booking_state(
        session=session,
        provider=provider,
        state=state,
        site_time_zone=site_time_zone,
        practice_name=practice_name,
        now=now,
    )
    return booking is not None
