"""Delivering the outbox: one pass leases the due e-mail, sends each, and records each outcome.

The outbox's write lock is only held in short transactions (the lease, then each outcome), never
while talking to the mail server.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from consult.db import begin_as_writer
from consult.mail.addresses import wire_address
from consult.mail.message import RETRY_DELAYS, build_message, retry_delay
from consult.mail.models import OutboxEmail
from consult.mail.transports import (
    MailServerUnavailable,
    MessageNotSent,
    Send,
    Transport,
    describe,
)

log = logging.getLogger(__name__)
CLAIM_LEASE = timedelta(minutes=5)
PASS_TIME_LIMIT = CLAIM_LEASE / 2
"""A pass takes no new e-mail after this long, so no other sender's pass can take over, and
send again, an e-mail whose lease ran out while it was still being sent."""


@dataclass(frozen=True)
class DeliveryReport:
    """What one pass did: e-mails sent, waiting for another try, and given up."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _claim_due(engine: Engine, *, now: datetime, limit: int) -> tuple[str, list[OutboxEmail]]:
    """Lease up to `limit` due e-mails to this sender so no concurrent sender takes them too."""
    claim_token = secrets.token_hex(16)
    with Session(engine, expire_on_commit=False) as session:
        begin_as_writer(session)
        due = session.exec(
            select(OutboxEmail)
            .where(OutboxEmail.status == "queued", OutboxEmail.next_attempt_at <= now)
            .where(
                or_(
                    col(OutboxEmail.claimed_until).is_(None),
                    col(OutboxEmail.claimed_until) < now,
                )
            )
            .order_by(col(OutboxEmail.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for email in due:
            email.claimed_until = now + CLAIM_LEASE
            email.claim_token = claim_token
        session.commit()
    return claim_token, list(due)


def _finish(engine: Engine, email: OutboxEmail, claim_token: str, **changes: object) -> None:
    """Record the outcome of one attempt, if this sender still holds the e-mail's lease.

    One short transaction each, so the outbox's write lock is never held while talking to SMTP.
    """
    with Session(engine) as session:
        session.exec(
            update(OutboxEmail)
            .where(col(OutboxEmail.id) == email.id, col(OutboxEmail.claim_token) == claim_token)
            .values(claimed_until=None, claim_token=None, **changes)
        )
        session.commit()


def _backoff(attempts: int) -> timedelta:
    """The wait after `attempts` unsuccessful attempts: the retry schedule, then its last step."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def _record_own_failure(
    engine: Engine,
    email: OutboxEmail,
    claim_token: str,
    *,
    reason: str,
    permanent: bool,
    now: datetime,
) -> str:
    """This e-mail failed on its own: try it again later, or give it up.

    It is given up at once when retrying cannot help (a permanent refusal, an address no server
    can take), else when its own failures have used up the retry schedule.
    """
    attempts, failures = email.attempts + 1, email.failures + 1
    if permanent or retry_delay(failures) is None:
        log.error(
            "giving up on e-mail %s to %s after %d attempts: %s",
            email.id,
            email.to_address,
            attempts,
            reason,
        )
        _finish(
            engine,
            email,
            claim_token,
            attempts=attempts,
            failures=failures,
            status="failed",
            last_error=reason,
        )
        return "failed"
    delay = _backoff(attempts)
    log.warning(
        "e-mail %s to %s not sent (attempt %d), retrying in %s: %s",
        email.id,
        email.to_address,
        attempts,
        delay,
        reason,
    )
    _finish(
        engine,
        email,
        claim_token,
        attempts=attempts,
        failures=failures,
        next_attempt_at=now + delay,
        last_error=reason,
    )
    return "retrying"


def _record_server_unavailable(
    engine: Engine, email: OutboxEmail, claim_token: str, *, reason: str, now: datetime
) -> None:
    """The server could not be reached: the e-mail waits the usual back-off, but this attempt
    does not count toward giving it up (an outage is nobody's message's fault).
    """
    attempts = email.attempts + 1
    _finish(
        engine,
        email,
        claim_token,
        attempts=attempts,
        next_attempt_at=now + _backoff(attempts),
        last_error=reason,
    )


def _send_one(
    engine: Engine,
    send: Send,
    email: OutboxEmail,
    claim_token: str,
    *,
    now: datetime,
    from_name: str,
    from_address: str,
) -> str:
    """Build and send one e-mail and record how it went; "sent", "retrying" or "failed".

    MailServerUnavailable passes through, with nothing recorded for this e-mail.
    """
    try:
        message = build_message(
            from_name=from_name,
            from_address=wire_address(from_address),
            to_address=wire_address(email.to_address),
            subject=email.subject,
            text_body=email.text_body,
            html_body=email.html_body,
            message_id=email.message_id,
            date=email.created_at,
            extra_headers=email.extra_headers,
            attachments=email.attachments,
        )
    except Exception as error:  # built from stored fields alone: trying again cannot help
        log.exception("e-mail %s could not be built", email.id)
        return _record_own_failure(
            engine,
            email,
            claim_token,
            reason=f"could not be built: {describe(error)}",
            permanent=True,
            now=now,
        )
    try:
        send(message)
    except MessageNotSent as error:
        return _record_own_failure(
            engine, email, claim_token, reason=error.reason, permanent=error.permanent, now=now
        )
    _finish(
        engine,
        email,
        claim_token,
        attempts=email.attempts + 1,
        status="sent",
        sent_at=now,
        last_error=None,
    )
    return "sent"


def deliver_due(
    *,
    engine: Engine,
    transport: Transport,
    now: datetime,
    from_name: str,
    from_address: str,
    limit: int = 100,
) -> DeliveryReport:
    """One pass over the outbox: send what is due, mark each sent once, back off on failure.

    An e-mail the server refuses, or that cannot be built or encoded, fails alone: it is retried
    or given up, and the pass goes on with the next. When the server cannot be reached (refused
    connection, TLS or login failure, or gone for good mid-pass), the e-mails not yet sent wait
    with the usual back-off and are never given up for it. A pass that has run for
    PASS_TIME_LIMIT leaves what it has not sent, untouched, to the next pass.
    """
    claim_token, due = _claim_due(engine, now=now, limit=limit)
    outcomes = {"sent": 0, "retrying": 0, "failed": 0}
    if not due:
        return DeliveryReport()
    stop_at = time.monotonic() + PASS_TIME_LIMIT.total_seconds()
    done = 0
    try:
        with transport.connect() as send:
            for email in due:
                if time.monotonic() > stop_at:
                    break
                outcome = _send_one(
                    engine,
                    send,
                    email,
                    claim_token,
                    now=now,
                    from_name=from_name,
                    from_address=from_address,
                )
                outcomes[outcome] += 1
                done += 1
    except MailServerUnavailable as error:
        reason = f"mail server unavailable: {error}"
        log.warning("%s; %d e-mails wait for the next pass", reason, len(due) - done)
        for email in due[done:]:
            _record_server_unavailable(engine, email, claim_token, reason=reason, now=now)
            outcomes["retrying"] += 1
        return DeliveryReport(**outcomes)
    for email in due[done:]:  # a slow server: left as they were, for the next pass
        _finish(engine, email, claim_token)
    return DeliveryReport(**outcomes)
