"""Queueing e-mail in the caller's transaction, and delivering the outbox for the running app."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context
from sqlalchemy import update
from sqlmodel import Session, col

from consult.config import Settings
from consult.db import get_engine
from consult.mail.delivery import DeliveryReport, deliver_due
from consult.mail.message import new_message_id, safe_header_value
from consult.mail.models import OutboxEmail
from consult.mail.transports import OutboxDirectoryTransport, SmtpTransport, Transport
from consult.urls import site_root


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


def make_due_again(*, session: Session, now: datetime) -> int:
    """Make every e-mail waiting for a retry, or given up, due now; returns how many.

    For after the mail server or its settings are fixed: the next pass tries them all, and
    given-up e-mail gets the whole retry schedule again. E-mail already sent is never touched.
    """
    waiting = session.exec(
        update(OutboxEmail)
        .where(col(OutboxEmail.status) == "queued", col(OutboxEmail.next_attempt_at) > now)
        .values(next_attempt_at=now)
    )
    given_up = session.exec(
        update(OutboxEmail)
        .where(col(OutboxEmail.status) == "failed")
        .values(status="queued", failures=0, next_attempt_at=now)
    )
    session.flush()
    return waiting.rowcount + given_up.rowcount


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
