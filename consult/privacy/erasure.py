"""Erasing personal data: a guest's from a booking, a person's whole account, and whatever has
outlived the retention period. What the organisation or the accounts must keep stays, without
the person: submitted answers, and a booking's amounts, dates and payment references.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from consult.accounts.models import Invitation, User
from consult.blog.models import Subscriber
from consult.booking.models import Booking, BookingAccessToken
from consult.mail.models import OutboxEmail
from consult.portal.models import Membership, Organisation, Response

ACTIVE_STATUSES = ("held", "confirmed")  # a booking still to happen, or being paid for
DONE_WITH_EMAIL = ("sent", "failed")


class ErasureRefused(Exception):
    """The erasure cannot go ahead yet; `reasons` say what to do first, fit to show the person."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def erase_guest_data(*, session: Session, booking: Booking, now: datetime) -> bool:
    """Erase the guest's personal data from a booking that is over, keeping the financial record.

    Name, e-mail, phone, organisation, role, intake answers, the consultant's notes and where it
    happened (the guest's number for a call, or its own video link) go, with the booking's
    private links and the e-mails already sent to that address. Returns False when
    it was erased before; raises ErasureRefused for a booking still to happen.
    """
    if booking.status in ACTIVE_STATUSES and booking.ends_at > now:
        raise ErasureRefused(
            ["This consultation is still to come: cancel it first, then erase the guest's data."]
        )
    if booking.guest_data_erased_at is not None:
        return False
    address = booking.guest_email
    booking.guest_name = ""
    booking.guest_email = ""
    booking.organisation = ""
    booking.role = ""
    booking.phone = None
    booking.client_address = None
    booking.meeting_location = None
    booking.intake_answers = {}
    booking.notes = None
    booking.notifications_due = None  # nothing more is ever sent about it
    booking.guest_data_erased_at = now
    session.add(booking)
    session.exec(delete(BookingAccessToken).where(col(BookingAccessToken.booking_id) == booking.id))
    _delete_sent_email(session, address, statuses=DONE_WITH_EMAIL)
    session.flush()
    return True


def _delete_sent_email(session: Session, address: str, *, statuses: tuple[str, ...]) -> None:
    """The outbox's copies of e-mails to `address`: delivery records, not an archive."""
    if address:
        session.exec(
            delete(OutboxEmail).where(
                col(OutboxEmail.to_address) == address, col(OutboxEmail.status).in_(statuses)
            )
        )


@dataclass(frozen=True)
class AccountErasure:
    """What deleting an account did, for the audit log."""

    answers_kept: int
    answers_deleted: int
    memberships_ended: int
    bookings_erased: int


def reasons_to_wait(
    *, session: Session, user: User, now: datetime, time_zone: ZoneInfo
) -> list[str]:
    """What must happen before `user`'s account can be deleted; empty when nothing.

    A sole owner hands the organisation over first, the only consultant makes another, and a
    consultation still to come is cancelled first (its record would lose its guest).
    """
    reasons = []
    owned = session.exec(
        select(Organisation)
        .join(Membership, col(Membership.organisation_id) == col(Organisation.id))
        .where(Membership.user_id == user.id, Membership.role == "owner")
        .order_by(Organisation.name)
    ).all()
    for organisation in owned:
        owners = session.exec(
            select(func.count())
            .select_from(Membership)
            .where(Membership.organisation_id == organisation.id, Membership.role == "owner")
        ).one()
        if owners <= 1:
            reasons.append(
                f"You are the only owner of {organisation.name}: hand ownership to another "
                "member on its Members page first."
            )
    if (
        user.is_consultant
        and not session.exec(
            select(User.id).where(
                User.role == "consultant", col(User.is_active).is_(True), User.id != user.id
            )
        ).first()
    ):
        reasons.append(
            "You are the only consultant: make another consultant account first "
            "(flask --app consult create-admin)."
        )
    for booking in session.exec(
        select(Booking)
        .where(
            Booking.guest_email == user.email,
            col(Booking.status).in_(ACTIVE_STATUSES),
            col(Booking.ends_at) > now,
        )
        .order_by(col(Booking.starts_at))
    ).all():
        when = booking.starts_at.astimezone(time_zone).strftime("%-d %B %Y")
        reasons.append(
            f"Your consultation on {when} is still to come: cancel it from the link in its "
            "e-mail first, or write to us."
        )
    return reasons


def delete_account(
    *, session: Session, user: User, now: datetime, time_zone: ZoneInfo
) -> AccountErasure:
    """Delete `user` and everything the site holds about them, keeping what the organisations
    need without them: submitted answers stay anonymous (no author), answers never submitted go.

    Memberships, invitations to their address, their newsletter subscription, the e-mails to
    them and the account go; past bookings made with their address keep only the financial
    record. Raises ErasureRefused while `reasons_to_wait` gives a reason.
    """
    reasons = reasons_to_wait(session=session, user=user, now=now, time_zone=time_zone)
    if reasons:
        raise ErasureRefused(reasons)
    responses = session.exec(select(Response).where(Response.user_id == user.id)).all()
    kept = 0
    for response in responses:
        if response.submitted_at is None:
            session.delete(response)
        else:
            response.user_id = None
            session.add(response)
            kept += 1
    memberships = session.exec(select(Membership).where(Membership.user_id == user.id)).all()
    for membership in memberships:
        session.delete(membership)
    erased = 0
    for booking in session.exec(select(Booking).where(Booking.guest_email == user.email)).all():
        erased += erase_guest_data(session=session, booking=booking, now=now)
    session.exec(delete(Invitation).where(col(Invitation.email) == user.email))
    session.exec(delete(Subscriber).where(col(Subscriber.email) == user.email))
    _delete_sent_email(session, user.email, statuses=("queued", *DONE_WITH_EMAIL))
    # The rest follows from the database's foreign keys: reset links go with the account, and
    # plan actions and notes lose their assignee or author (SET NULL).
    session.delete(user)
    session.flush()
    return AccountErasure(
        answers_kept=kept,
        answers_deleted=len(responses) - kept,
        memberships_ended=len(memberships),
        bookings_erased=erased,
    )


def erase_expired_bookings(
    *, session: Session, ended_before: datetime, now: datetime, limit: int
) -> list[str]:
    """Erase the guest data of up to `limit` bookings that ended before `ended_before`; returns
    their public ids (fewer than `limit` when no more are left).
    """
    bookings = session.exec(
        select(Booking)
        .where(
            col(Booking.guest_data_erased_at).is_(None),
            col(Booking.ends_at) < ended_before,
        )
        .order_by(col(Booking.id))
        .limit(limit)
        # PostgreSQL: servers running this at once take different bookings (SQLite: one writer).
        .with_for_update(skip_locked=True)
    ).all()
    for booking in bookings:
        erase_guest_data(session=session, booking=booking, now=now)
    return [booking.public_id for booking in bookings]


def delete_old_email(*, session: Session, created_before: datetime) -> int:
    """Delete the outbox's delivered or given-up e-mails created before `created_before`."""
    result = session.exec(
        delete(OutboxEmail).where(
            col(OutboxEmail.status).in_(DONE_WITH_EMAIL),
            col(OutboxEmail.created_at) < created_before,
        )
    )
    return int(result.rowcount)
