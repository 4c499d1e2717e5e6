"""`flask --app consult bookings …`: the booking jobs cron runs."""

import click
from flask.cli import AppGroup

from consult.booking.refunds import retry_pending_refunds
from consult.booking.reminders import send_due_reminders
from consult.booking.service import sweep_expired_holds
from consult.clock import app_now
from consult.db import begin_as_writer, get_engine, get_session
from consult.payments.selection import current_provider

booking_commands = AppGroup("bookings", help="Booking jobs for cron.")


@booking_commands.command("sweep")
def sweep() -> None:
    """Release the time of lapsed holds and ask again for refunds the provider has not confirmed
    (safe to run often).
    """
    session = get_session()
    begin_as_writer(session)
    released = sweep_expired_holds(session=session, now=app_now())
    session.commit()
    retried = retry_pending_refunds(session=session, provider=current_provider())
    session.commit()
    click.echo(
        f"bookings: {released} expired hold(s) released, {retried} pending refund(s) asked again"
    )


@booking_commands.command("remind")
def remind() -> None:
    """E-mail a reminder 24 hours before each confirmed consultation, once per booking."""
    click.echo(
        f"bookings: {send_due_reminders(engine=get_engine(), now=app_now())} reminder(s) queued"
    )
