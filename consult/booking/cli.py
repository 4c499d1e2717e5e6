"""`flask --app consult bookings …`: the booking jobs cron runs."""

import click
from flask import current_app
from flask.cli import AppGroup

from consult.booking.notifications import queue_due_notifications
from consult.booking.refunds import retry_pending_refunds
from consult.booking.reminders import send_due_reminders
from consult.booking.service import sweep_expired_holds
from consult.clock import app_now
from consult.db import begin_as_writer, get_engine, get_session
from consult.engagements.cancellation import retry_pending_purchase_refunds
from consult.engagements.purchases import abandon_lapsed_checkouts
from consult.payments.events import process_pending_events
from consult.payments.selection import current_provider

booking_commands = AppGroup("bookings", help="Booking jobs for cron.")


@booking_commands.command("sweep")
def sweep() -> None:
    """Release the time of lapsed holds and close unpaid programme checkouts, ask again for
    refunds (of bookings and programmes) and payment events the provider could not take, and
    queue e-mails a change could not (safe to run often).
    """
    session = get_session()
    provider = current_provider()
    begin_as_writer(session)
    released = sweep_expired_holds(session=session, now=app_now())
    closed = abandon_lapsed_checkouts(session=session, now=app_now())
    session.commit()
    retried = retry_pending_refunds(session=session, provider=provider, now=app_now())
    retried += retry_pending_purchase_refunds(session=session, provider=provider, now=app_now())
    session.commit()
    events = process_pending_events(
        session=session,
        provider=provider,
        site_time_zone=current_app.extensions["consult.site"].time_zone,
        practice_name=current_app.extensions["consult.site"].practice_name,
        now=app_now(),
    )
    begin_as_writer(session)
    queued, still_due = queue_due_notifications(session=session, now=app_now())
    session.commit()
    click.echo(
        f"bookings: {released} expired hold(s) released, {retried} pending refund(s) asked again, "
        f"{sum(events.values())} payment event(s) processed again "
        f"({events.get('pending', 0)} still pending), {queued} due e-mail(s) queued "
        f"({still_due} still due), {closed} unpaid programme checkout(s) closed"
    )


@booking_commands.command("remind")
def remind() -> None:
    """E-mail a reminder 24 hours before each confirmed consultation, once per booking."""
    click.echo(
        f"bookings: {send_due_reminders(engine=get_engine(), now=app_now())} reminder(s) queued"
    )
