"""The demo organisation's engagement: the programme the practice offers, one granted to the demo
organisation with a working session already booked from it, and the consultant's notes, so the
client view and the organisation's timeline show a partnership under way on a fresh site.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlmodel import Session, col, select

from consult.accounts.models import User
from consult.booking.models import ConsultationType
from consult.booking.offered_times import guest_day_slots, guest_days_with_slots
from consult.booking.service import GuestDetails, place_booking
from consult.db import id_of
from consult.engagements.catalogue import ProgrammeTerms, save_programme
from consult.engagements.credits import MemberBooking
from consult.engagements.purchases import grant_programme
from consult.portal.models import Membership, Organisation
from consult.portal.notes import add_note

PROGRAMME_DESCRIPTION = (
    "Ninety days of working alongside your team rather than handing you a report: three working "
    "sessions on the plan your people helped shape, and a second assessment round to see together "
    "what has moved."
)
SHARED_NOTE = (
    "Thank you for such a candid first round. Before our working session, please ask two "
    "colleagues on the front line which action they would start with: we will build the first "
    "thirty days from their answer, not from mine."
)
PRIVATE_NOTE = (
    "Leadership scored presence well above what the front line reported. Raise it as a question "
    "at the first working session and let them name the gap themselves. (Demo note: only the "
    "consultant sees it.)"
)


def add_demo_engagement(
    session: Session, *, organisation: Organisation, consultant: User, now: datetime
) -> None:
    """Offer the programme, grant it to `organisation` (paid by invoice), book its owner a
    working session with one of its credits, and add a shared and a private note.
    """
    working = session.exec(
        select(ConsultationType).where(ConsultationType.slug == "working-session")
    ).one()
    programme = save_programme(
        session=session,
        programme=None,
        terms=ProgrammeTerms(
            name="Partnership quarter",
            description=PROGRAMME_DESCRIPTION,
            price_minor=180000,
            currency="usd",
            duration_days=90,
            included_rounds=1,
            full_refund_days=14,
            is_active=True,
        ),
        sessions_by_type={id_of(working): 3},
        now=now,
    )
    grant_programme(
        session=session,
        programme=programme,
        organisation=organisation,
        consultant=consultant,
        note="Paid by invoice RCC-2026-01 (demo).",
        now=now,
    )
    _book_owner_a_working_session(session, organisation=organisation, working=working, now=now)
    for visibility, body in (("shared", SHARED_NOTE), ("private", PRIVATE_NOTE)):
        add_note(
            session=session,
            organisation=organisation,
            author=consultant,
            visibility=visibility,
            body=body,
            now=now,
        )


def _book_owner_a_working_session(
    session: Session, *, organisation: Organisation, working: ConsultationType, now: datetime
) -> None:
    """The owner's working session at the first free time, paid with a programme credit."""
    owner = session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.organisation_id == organisation.id, Membership.role == "owner")
    ).one()
    time_zone: ZoneInfo = current_app.extensions["consult.site"].time_zone
    days = guest_days_with_slots(
        session=session,
        consultation_type=working,
        guest_time_zone=time_zone.key,
        site_time_zone=time_zone,
        now=now,
    )
    if not days.days:
        return
    starts_at = guest_day_slots(
        session=session,
        consultation_type=working,
        guest_day=days.days[0],
        guest_time_zone=time_zone.key,
        site_time_zone=time_zone,
        now=now,
    )[0]
    place_booking(
        session=session,
        consultation_type=working,
        starts_at=starts_at,
        guest=GuestDetails(
            name=owner.name,
            email=owner.email,
            organisation=organisation.name,
            role="Chief executive (demo)",
            phone=None,
            time_zone=time_zone.key,
            intake_answers={
                "what_matters": "Hearing our night staff before we decide anything for them."
            },
        ),
        site_time_zone=time_zone,
        now=now,
        practice_name=current_app.extensions["consult.site"].practice_name,
        member=MemberBooking(
            organisation_id=id_of(organisation), user_id=id_of(owner), use_credit=True
        ),
    )
