"""Everything the site holds about a person, gathered for them to download as JSON.

Secrets are left out (the password hash, session and link tokens, the two-step sign-in key and
recovery codes): they are not about the person, and a copy of them would be a key to the
account. Whether two-step sign-in is on is said.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from consult.accounts.models import Invitation, User
from consult.audit.events import event_label
from consult.audit.service import entries_about
from consult.blog.models import Subscriber
from consult.booking.models import Booking, ConsultationType
from consult.db import id_of
from consult.engagements.models import ProgrammePurchase
from consult.mail.models import OutboxEmail
from consult.nudges.models import NudgeOptOut
from consult.portal.models import (
    ActionItem,
    ActionNote,
    AssessmentRound,
    Membership,
    Organisation,
    Response,
)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def personal_data(*, session: Session, user: User, now: datetime) -> dict[str, Any]:
    """The account, memberships, answers, plan actions and notes, invitations, bookings made
    with the account's address or while signed in, programmes bought, subscriptions, e-mails
    sent to it, and the audit entries about the person.
    """
    return {
        "exported_at": now.isoformat(),
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "active": user.is_active,
            "created_at": _when(user.created_at),
            "last_signed_in_at": _when(user.last_signed_in_at),
            "two_step_sign_in": {
                "on": user.has_two_factor,
                "since": _when(user.two_factor_enabled_at),
            },
            "reminders_stopped_at": _when(
                opt_out.created_at
                if (opt_out := session.get(NudgeOptOut, id_of(user))) is not None
                else None
            ),
        },
        "memberships": _memberships(session, user),
        "answers": _answers(session, user),
        "plan_actions_assigned": _actions(session, user),
        "plan_notes_written": _notes(session, user),
        "invitations_received": _invitations(session, user),
        "bookings": _bookings(session, user),
        "programmes_bought": _programmes_bought(session, user),
        "subscriptions": _subscriptions(session, user),
        "emails_sent": _emails(session, user),
        "audit_entries": [
            {
                "at": entry.occurred_at.isoformat(),
                "event": entry.event_type,
                "description": event_label(entry.event_type),
                "by": entry.actor_email or entry.actor_kind,
                "about": entry.subject_email,
                "client_address": entry.client_address,
                "user_agent": entry.user_agent,
                "details": entry.details,
            }
            for entry in entries_about(session, user_id=id_of(user), email=user.email)
        ],
    }


def _memberships(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Membership, Organisation)
        .join(Organisation, col(Organisation.id) == col(Membership.organisation_id))
        .where(Membership.user_id == user.id)
        .order_by(col(Membership.joined_at))
    ).all()
    return [
        {
            "organisation": organisation.name,
            "role": membership.role,
            "role_group": membership.role_group,
            "joined_at": _when(membership.joined_at),
        }
        for membership, organisation in rows
    ]


def _answers(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Response, AssessmentRound, Organisation)
        .join(AssessmentRound, col(AssessmentRound.id) == col(Response.round_id))
        .join(Organisation, col(Organisation.id) == col(AssessmentRound.organisation_id))
        .where(Response.user_id == user.id)
        .order_by(col(Response.started_at))
    ).all()
    return [
        {
            "organisation": organisation.name,
            "round": assessment_round.name,
            "assessment": assessment_round.definition_key,
            "role_group": response.role_group,
            "started_at": _when(response.started_at),
            "updated_at": _when(response.updated_at),
            "submitted_at": _when(response.submitted_at),
            "answers": response.answers,
        }
        for response, assessment_round, organisation in rows
    ]


def _actions(session: Session, user: User) -> list[dict[str, Any]]:
    actions = session.exec(
        select(ActionItem).where(ActionItem.assignee_id == user.id).order_by(col(ActionItem.id))
    ).all()
    return [
        {
            "title": action.title,
            "status": action.status,
            "due_on": action.due_on.isoformat() if action.due_on else None,
        }
        for action in actions
    ]


def _notes(session: Session, user: User) -> list[dict[str, Any]]:
    notes = session.exec(
        select(ActionNote).where(ActionNote.author_id == user.id).order_by(col(ActionNote.id))
    ).all()
    return [{"written_at": _when(note.created_at), "text": note.body} for note in notes]


def _invitations(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Invitation, Organisation)
        .join(
            Organisation,
            col(Organisation.id) == col(Invitation.organisation_id),
            isouter=True,
        )
        .where(Invitation.email == user.email)
        .order_by(col(Invitation.created_at))
    ).all()
    return [
        {
            "organisation": organisation.name if organisation else invitation.organisation_name,
            "role": invitation.organisation_role or invitation.role,
            "sent_at": _when(invitation.created_at),
            "expires_at": _when(invitation.expires_at),
            "accepted_at": _when(invitation.accepted_at),
        }
        for invitation, organisation in rows
    ]


def _bookings(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Booking, ConsultationType)
        .join(ConsultationType, col(ConsultationType.id) == col(Booking.consultation_type_id))
        .where(or_(Booking.guest_email == user.email, Booking.booked_by_id == user.id))
        .order_by(col(Booking.starts_at))
    ).all()
    return [
        {
            "consultation": consultation_type.name,
            "starts_at": _when(booking.starts_at),
            "ends_at": _when(booking.ends_at),
            "status": booking.status,
            "name": booking.guest_name,
            "email": booking.guest_email,
            "organisation": booking.organisation,
            "role": booking.role,
            "phone": booking.phone,
            "meeting_location": booking.meeting_location,
            "time_zone": booking.guest_time_zone,
            "intake_answers": booking.intake_answers,
            "consultant_notes": booking.notes,
            "payment": {
                "state": booking.payment_state,
                "currency": booking.currency,
                "price_minor": booking.amount_minor,
                "paid_minor": booking.paid_minor,
                "refunded_minor": booking.refunded_minor,
                "paid_at": _when(booking.paid_at),
            },
            "booked_at": _when(booking.created_at),
            "cancelled_at": _when(booking.cancelled_at),
            "cancelled_by": booking.cancelled_by,
        }
        for booking, consultation_type in rows
    ]


def _subscriptions(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.exec(select(Subscriber).where(Subscriber.email == user.email)).all()
    return [
        {
            "newsletter": "new posts",
            "email": subscriber.email,
            "status": subscriber.status,
            "subscribed_at": _when(subscriber.created_at),
            "confirmed_at": _when(subscriber.confirmed_at),
            "unsubscribed_at": _when(subscriber.unsubscribed_at),
        }
        for subscriber in rows
    ]


def _emails(session: Session, user: User) -> list[dict[str, Any]]:
    # The subjects and dates only: the bodies hold one-time links, which must not travel on.
    rows = session.exec(
        select(OutboxEmail)
        .where(OutboxEmail.to_address == user.email)
        .order_by(col(OutboxEmail.created_at))
    ).all()
    return [
        {
            "subject": email.subject,
            "status": email.status,
            "queued_at": _when(email.created_at),
            "sent_at": _when(email.sent_at),
        }
        for email in rows
    ]


def _programmes_bought(session: Session, user: User) -> list[dict[str, Any]]:
    purchases = session.exec(
        select(ProgrammePurchase)
        .where(ProgrammePurchase.bought_by_id == user.id)
        .order_by(col(ProgrammePurchase.created_at))
    ).all()
    return [
        {
            "programme": purchase.name,
            "status": purchase.status,
            "bought_at": _when(purchase.created_at),
            "currency": purchase.currency,
            "paid_minor": purchase.paid_minor,
            "refunded_minor": purchase.refunded_minor,
        }
        for purchase in purchases
    ]
