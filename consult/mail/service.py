"""Queueing e-mail in the caller's transaction, and delivering the outbox with retries."""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context
from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from consult.config import Settings
from consult.db import begin_as_writer, get_engine
from consult.mail.message import build_message, new_message_id, retry_delay, safe_header_value
from consult.mail.models import OutboxEmail
from consult.mail.transports import OutboxDirectoryTransport, SmtpTransport, Transport
from consult.urls import site_root

log = logging.getLogger(__name__)
CLAIM_LEASE = timedelta(minutes=5)


def queue_email(
    *,
    session: Session,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    now: datetime,
    extra_headers: dict[str, str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboxEmail:
    """Render `templates/email/<template>.txt` and `.html` and add the e-mail to the outbox.

    Nothing is sent here: the row commits or rolls back with the caller's change.
    """
    environment = current_app.jinja_env
    site_url = site_root()
    context = {"site": current_app.extensions["consult.site"], "site_url": site_url, **context}
    email = OutboxEmail(
        message_id=new_message_id(domain=urlsplit(site_url).hostname or "localhost"),
        to_address=safe_header_value(to),
        subject=safe_header_value(subject),
        text_body=environment.get_template(f"email/{template}.txt").render(context),
        html_body=environment.get_template(f"email/{template}.html").render(context),
        extra_headers=extra_headers or {},
        attachments=attachments or [],
        created_at=now,
        next_attempt_at=now,
    )
    session.add(email)
    session.flush()
    if has_request_context():
        g.outbox_has_new_mail = True
    return email


@dataclass(frozen=True)
class DeliveryReport:
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
    """Record the outcome of one attempt, if this sender still holds the e-mail's lease."""
    with Session(engine) as session:
        session.exec(
            update(OutboxEmail)
            .where(col(OutboxEmail.id) == email.id, col(OutboxEmail.claim_token) == claim_token)
            .values(claimed_until=None, claim_token=None, **changes)
        )
        session.commit()


def _record_failure(
    engine: Engine, email: OutboxEmail, claim_token: str, *, error: str, now: datetime
) -> str:
    attempts = email.attempts + 1
    delay = retry_delay(attempts)
    if delay is None:
        log.error(
            "giving up on e-mail %s to %s after %d attempts: %s",
            email.id,
            email.to_address,
            attempts,
            error,
        )
        _finish(engine, email, claim_token, attempts=attempts, status="failed", last_error=error)
        return "failed"
    log.warning(
        "e-mail %s to %s not sent (attempt %d), retrying in %s: %s",
        email.id,
        email.to_address,
        attempts,
        delay,
        error,
    )
    _finish(
        engine, email, claim_token, attempts=attempts, next_attempt_at=now + delay, last_error=error
    )
    return "retrying"


def deliver_due(
    *,
    engine: Engine,
    transport: Transport,
    now: datetime,
    from_name: str,
    from_address: str,
    limit: int = 100,
) -> DeliveryReport:
    """One pass over the outbox: send what is due, mark each sent once, back off on failure."""
    claim_token, due = _claim_due(engine, now=now, limit=limit)
    outcomes = {"sent": 0, "retrying": 0, "failed": 0}
    finished: set[str] = set()  # message ids
    try:
        with transport.connect() as send:
            for email in due:
                message = build_message(
                    from_name=from_name,
                    from_address=from_address,
                    to_address=email.to_address,
                    subject=email.subject,
                    text_body=email.text_body,
                    html_body=email.html_body,
                    message_id=email.message_id,
                    date=email.created_at,
                    extra_headers=email.extra_headers,
                    attachments=email.attachments,
                )
                try:
                    send(message)
                except smtplib.SMTPRecipientsRefused as error:
                    outcomes[
                        _record_failure(engine, email, claim_token, error=str(error), now=now)
                    ] += 1
                else:
                    _finish(
                        engine,
                        email,
                        claim_token,
                        attempts=email.attempts + 1,
                        status="sent",
                        sent_at=now,
                        last_error=None,
                    )
                    outcomes["sent"] += 1
                finished.add(email.message_id)
    except (OSError, smtplib.SMTPException) as error:
        # The server is unreachable or went away: what was not finished is retried later.
        for email in due:
            if email.message_id not in finished:
                outcomes[
                    _record_failure(
                        engine,
                        email,
                        claim_token,
                        error=f"{type(error).__name__}: {error}",
                        now=now,
                    )
                ] += 1
    return DeliveryReport(**outcomes)


def transport_for(settings: Settings) -> Transport:
    """SMTP when SMTP_URL is set, else .eml files in the instance outbox folder."""
    if settings.smtp:
        return SmtpTransport(settings.smtp)
    return OutboxDirectoryTransport(settings.outbox_dir)


def deliver_outbox(*, now: datetime) -> DeliveryReport:
    """One delivery pass for the running app, with its settings and identity."""
    settings: Settings = current_app.extensions["consult.settings"]
    site = current_app.extensions["consult.site"]
    return deliver_due(
        engine=get_engine(),
        transport=transport_for(settings),
        now=now,
        from_name=site.practice_name,
        from_address=settings.mail_from or site.contact_email,
    )
