"""`flask --app consult privacy apply-retention`: erase what has been kept long enough (cron)."""

from datetime import datetime
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from consult.audit.events import SYSTEM
from consult.audit.service import record_event
from consult.clock import app_now
from consult.db import begin_as_writer, get_session
from consult.portal.service import delete_expired_starts
from consult.privacy.erasure import delete_old_email, erase_expired_bookings
from consult.privacy.policy import months_before
from consult.site.identity import SiteIdentity

privacy_commands = AppGroup("privacy", help="Personal-data jobs for cron.")
BATCH = 200  # bookings per transaction: each batch holds its locks only briefly


@privacy_commands.command("apply-retention")
def apply_retention() -> None:
    """Erase guests' personal data from bookings that ended longer ago than
    `booking_retention_months` (site.yaml), and delete delivered e-mails as old, keeping the
    financial record; forget portal starts whose link lapsed unconfirmed. Safe to run often and
    on several servers at once.
    """
    site: SiteIdentity = current_app.extensions["consult.site"]
    session = get_session()
    now = app_now()
    cutoff = months_before(now, site.booking_retention_months)
    erased = 0
    while True:
        begin_as_writer(session)
        batch = erase_expired_bookings(session=session, ended_before=cutoff, now=now, limit=BATCH)
        if batch:
            _record(session, now, {"ended_before": cutoff, "bookings_erased": batch})
        session.commit()
        erased += len(batch)
        if len(batch) < BATCH:
            break
    begin_as_writer(session)
    emails = delete_old_email(session=session, created_before=cutoff)
    if emails:
        _record(session, now, {"created_before": cutoff, "emails_deleted": emails})
    session.commit()
    begin_as_writer(session)
    starts = delete_expired_starts(session=session, now=now)
    session.commit()
    click.echo(
        f"privacy: guest data erased from {erased} booking(s) that ended before "
        f"{cutoff:%Y-%m-%d}; {emails} delivered e-mail(s) deleted; "
        f"{starts} unconfirmed portal start(s) deleted"
    )


def _record(session: Session, now: datetime, details: dict[str, Any]) -> None:
    record_event(
        session=session, event_type="retention.applied", actor=SYSTEM, now=now, details=details
    )
