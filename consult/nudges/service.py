"""Which nudges are due, and sending each exactly once.

`due_nudges` reads what is due (`candidates`) and leaves out people who stopped nudges,
inactive accounts and nudges already sent; `send_nudge` sends one in its own transaction, first
writing its row in `nudges_sent`, whose unique key (kind, subject, person) lets only one run, on
one server, send it.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from consult.accounts.models import User
from consult.db import begin_as_writer
from consult.mail.service import queue_email
from consult.nudges.candidates import (
    Nudge,
    action_nudges,
    closed_round_notices,
    round_nudges,
    weekly_summaries,
)
from consult.nudges.models import NudgeOptOut, NudgeSent
from consult.portal.library import AssessmentLibrary
from consult.urls import absolute_url

STOP_SALT = "nudges.stop"


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


def due_nudges(
    session: Session,
    *,
    today: date,
    now: datetime,
    definitions: AssessmentLibrary,
    time_zone: tzinfo,
) -> list[Nudge]:
    """Every nudge due on `today` (the consultant's date, in `time_zone`) and not yet sent, to
    active people who have not stopped them.
    """
    candidates = [
        *round_nudges(session, today=today),
        *closed_round_notices(session, now=now),
        *action_nudges(session, today=today),
        *weekly_summaries(
            session, today=today, now=now, definitions=definitions, time_zone=time_zone
        ),
    ]
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
    *,
    engine: Engine,
    now: datetime,
    time_zone: tzinfo,
    definitions: AssessmentLibrary,
    secret_key: str,
) -> dict[str, int]:
    """Send every due nudge once; returns how many of each kind this run sent."""
    with Session(engine) as session:
        due = due_nudges(
            session,
            today=now.astimezone(time_zone).date(),
            now=now,
            definitions=definitions,
            time_zone=time_zone,
        )
    counts: dict[str, int] = {}
    for nudge in due:
        if send_nudge(engine=engine, nudge=nudge, secret_key=secret_key, now=now):
            counts[nudge.kind] = counts.get(nudge.kind, 0) + 1
    return counts
