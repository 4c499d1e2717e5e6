"""Which nudges are due, and sending each exactly once.

`due_nudges` reads what is due in a fixed number of queries; `send_nudge` sends one in its own
transaction, first writing its row in `nudges_sent`, whose unique key (kind, subject, person)
lets only one run, on one server, send it. People who stopped nudges, inactive accounts and
nudges already sent are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from consult.accounts.models import User
from consult.db import begin_as_writer
from consult.mail.service import queue_email
from consult.nudges.models import NudgeOptOut, NudgeSent
from consult.portal.models import (
    ActionItem,
    AssessmentRound,
    Membership,
    Organisation,
    Response,
)
from consult.portal.timeline import FINISHED_ACTION_STATUSES
from consult.urls import absolute_url

REMINDER_DAYS = 3  # a round's reminder, and an action's "due soon", this many days ahead
STOP_SALT = "nudges.stop"


@dataclass(frozen=True)
class Nudge:
    """One e-mail to one person about one thing; `subject_key` names the thing."""

    kind: str
    subject_key: str
    user_id: int
    email: str
    name: str
    subject: str
    lines: tuple[str, ...]
    link: str
    link_label: str


def _stop_signer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=STOP_SALT)


def stop_url(user_id: int, *, secret_key: str) -> str:
    """The person's link that stops every nudge: signed, so it works from any e-mail ever sent."""
    return absolute_url("nudges.stop", token=_stop_signer(secret_key).dumps(user_id))


def user_behind(token: str, *, secret_key: str) -> int | None:
    """The person a stop link was made for, or None for a link that is not one of ours."""
    try:
        user_id = _stop_signer(secret_key).loads(token)
    except BadSignature:
        return None
    return user_id if isinstance(user_id, int) else None


def stop_nudges(*, session: Session, user_id: int, now: datetime) -> bool:
    """Send this person no more nudges; False when there is no such person."""
    if session.get(User, user_id) is None:
        return False
    if session.get(NudgeOptOut, user_id) is None:
        session.add(NudgeOptOut(user_id=user_id, created_at=now))
        session.flush()
    return True


def _round_nudges(session: Session, *, today: date) -> Iterable[Nudge]:
    rows = session.exec(
        select(AssessmentRound, Organisation)
        .join(Organisation, col(Organisation.id) == col(AssessmentRound.organisation_id))
        .where(AssessmentRound.status == "open")
    ).all()
    if not rows:
        return
    organisation_ids = {organisation.id for _, organisation in rows}
    people: dict[int | None, list[User]] = {}
    for membership, user in session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(col(Membership.organisation_id).in_(organisation_ids))
    ).all():
        people.setdefault(membership.organisation_id, []).append(user)
    submitted = set(
        session.exec(
            select(Response.round_id, Response.user_id).where(
                col(Response.round_id).in_([item.id for item, _ in rows]),
                col(Response.submitted_at).is_not(None),
            )
        ).all()
    )
    for assessment_round, organisation in rows:
        days_left = (assessment_round.closes_on - today).days
        closes = assessment_round.closes_on.strftime("%-d %B %Y")
        link = absolute_url("portal.organisation", organisation_id=organisation.public_id)
        kinds = [("round.invitation", f"{organisation.name}: {assessment_round.name} is open")]
        if 1 <= days_left <= REMINDER_DAYS:
            kinds.append(("round.reminder", f"{assessment_round.name} closes on {closes}"))
        if days_left == 0:
            kinds.append(("round.closing", f"{assessment_round.name} closes today"))
        for user in people.get(organisation.id, []):
            if (assessment_round.id, user.id) in submitted:
                continue
            for kind, subject in kinds:
                yield Nudge(
                    kind=kind,
                    subject_key=assessment_round.public_id,
                    user_id=user.id or 0,
                    email=user.email,
                    name=user.name,
                    subject=subject,
                    lines=(
                        f"{organisation.name}'s assessment round {assessment_round.name} is "
                        f"open until {closes}, and your view of how things are matters to it.",
                        "Your answers are yours: the organisation sees only what everyone "
                        "said together.",
                    ),
                    link=link,
                    link_label="Take or continue the assessment",
                )


def _action_nudges(session: Session, *, today: date) -> Iterable[Nudge]:
    rows = session.exec(
        select(ActionItem, AssessmentRound, Organisation, User)
        .join(AssessmentRound, col(AssessmentRound.id) == col(ActionItem.round_id))
        .join(Organisation, col(Organisation.id) == col(AssessmentRound.organisation_id))
        .join(User, col(User.id) == col(ActionItem.assignee_id))
        .where(
            col(ActionItem.status).not_in(FINISHED_ACTION_STATUSES),
            col(ActionItem.due_on).is_not(None),
            col(ActionItem.due_on) <= today + timedelta(days=REMINDER_DAYS),
        )
    ).all()
    for action, assessment_round, organisation, user in rows:
        if action.due_on is None:  # excluded by the query; narrows the type
            continue
        overdue = action.due_on < today
        due = action.due_on.strftime("%-d %B %Y")
        link = absolute_url(
            "portal.results",
            organisation_id=organisation.public_id,
            round_id=assessment_round.public_id,
            _anchor=f"action-{action.public_id}",
        )
        yield Nudge(
            kind="action.overdue" if overdue else "action.due",
            subject_key=action.public_id,
            user_id=user.id or 0,
            email=user.email,
            name=user.name,
            subject=f"{'Overdue' if overdue else 'Due soon'}: {action.title}",
            lines=(
                f"“{action.title}”, which you carry for {organisation.name}, "
                + (f"was due on {due}." if overdue else f"is due on {due}."),
                "If it has moved on, or the date no longer fits, say so on the plan: "
                "a changed date is progress too.",
            ),
            link=link,
            link_label="Open the action",
        )


def due_nudges(session: Session, *, today: date) -> list[Nudge]:
    """Every nudge due on `today` (the consultant's date) and not yet sent, to active people who
    have not stopped them.
    """
    candidates = [*_round_nudges(session, today=today), *_action_nudges(session, today=today)]
    if not candidates:
        return []
    user_ids = {nudge.user_id for nudge in candidates}
    stopped = set(
        session.exec(
            select(NudgeOptOut.user_id).where(col(NudgeOptOut.user_id).in_(user_ids))
        ).all()
    )
    inactive = set(
        session.exec(
            select(User.id).where(col(User.id).in_(user_ids), col(User.is_active).is_(False))
        ).all()
    )
    sent = set(
        session.exec(
            select(NudgeSent.kind, NudgeSent.subject_key, NudgeSent.user_id).where(
                col(NudgeSent.user_id).in_(user_ids)
            )
        ).all()
    )
    return [
        nudge
        for nudge in candidates
        if nudge.user_id not in stopped | inactive
        and (nudge.kind, nudge.subject_key, nudge.user_id) not in sent
    ]


def send_nudge(*, engine: Engine, nudge: Nudge, secret_key: str, now: datetime) -> bool:
    """Queue the nudge's e-mail unless another run already did; True when this one did."""
    with Session(engine) as session:
        begin_as_writer(session)
        session.add(
            NudgeSent(
                kind=nudge.kind, subject_key=nudge.subject_key, user_id=nudge.user_id, sent_at=now
            )
        )
        try:
            session.flush()
        except IntegrityError:  # another run wrote it first: it sends the e-mail
            session.rollback()
            return False
        url = stop_url(nudge.user_id, secret_key=secret_key)
        queue_email(
            session=session,
            to=nudge.email,
            subject=nudge.subject,
            template="nudge",
            context={"nudge": nudge, "stop_url": url},
            now=now,
            extra_headers={
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        session.commit()
        return True


def send_due_nudges(
    *, engine: Engine, today: date, now: datetime, secret_key: str
) -> dict[str, int]:
    """Send every due nudge once; returns how many of each kind this run sent."""
    with Session(engine) as session:
        due = due_nudges(session, today=today)
    counts: dict[str, int] = {}
    for nudge in due:
        if send_nudge(engine=engine, nudge=nudge, secret_key=secret_key, now=now):
            counts[nudge.kind] = counts.get(nudge.kind, 0) + 1
    return counts
