"""Steps of the timeline tests: consultations booked for an organisation, written as the booking
flow leaves them (the flow itself is tested in the booking and programme tests).
"""

import secrets
from datetime import timedelta

from sqlmodel import select

from consult.booking.models import Booking, ConsultationType


def consultation_type(db, clock, *, slug="working-session", name="Working session"):
    """The consultation type with this slug, made on first use."""
    found = db.exec(select(ConsultationType).where(ConsultationType.slug == slug)).first()
    if found is None:
        found = ConsultationType(slug=slug, name=name, duration_minutes=60, price_minor=0)
        db.add(found)
        db.flush()
    return found


def booked_consultation(db, clock, *, organisation, booker, starts_at, status="confirmed"):
    """A consultation `booker` booked for `organisation`, starting at `starts_at`."""
    kind = consultation_type(db, clock)
    booking = Booking(
        public_id=secrets.token_urlsafe(16),
        consultation_type_id=kind.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        occupies_from=starts_at,
        occupies_until=starts_at + timedelta(hours=1),
        status=status,
        guest_name=booker.name,
        guest_email=booker.email,
        organisation=organisation.name,
        role="Director",
        guest_time_zone="America/Chicago",
        policy_accepted_at=clock(),
        created_at=clock(),
        organisation_id=organisation.id,
        booked_by_id=booker.id,
    )
    db.add(booking)
    db.flush()
    return booking
