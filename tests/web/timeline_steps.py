"""Steps of the timeline tests: consultations booked for an organisation, written as the booking
flow leaves them (the flow itself is tested in the booking and programme tests).
"""

import secrets
from datetime import timedelta

from flask import current_app
from sqlmodel import select

from consult.booking.models import Booking, ConsultationType
from consult.portal import service
from consult.portal.models import Response
from consult.portal.rounds import close_round


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
        earliest_starts_at=starts_at,
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


def closed_round(db, clock, *, organisation, people, value, name="Spring"):
    """A round `people` all answered with `value` (1–5), closed now, with its plan."""
    assessment = current_definition()
    assessment_round = service.open_round(
        session=db,
        organisation=organisation,
        definition=assessment,
        name=name,
        closes_on=clock().date(),
        today=clock().date(),
        now=clock(),
    )
    for person in people:
        db.add(
            Response(
                round_id=assessment_round.id,
                user_id=person.id,
                role_group="executive-leadership",
                started_at=clock(),
                updated_at=clock(),
                submitted_at=clock(),
                answers={
                    question.key: value
                    for question in assessment.questions
                    if question.kind != "text"
                },
            )
        )
    db.flush()
    close_round(session=db, assessment_round=assessment_round, definition=assessment, now=clock())
    return assessment_round


def current_definition():
    return current_app.extensions["consult.assessments"].current()
