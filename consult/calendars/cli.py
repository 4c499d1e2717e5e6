"""`flask --app consult calendar …`: add an external feed, sync the feeds (for cron)."""

import click
from flask import current_app
from flask.cli import AppGroup

from consult.calendars.addresses import FeedAddressError, mask_feed_url
from consult.calendars.service import add_feed, sync_feeds
from consult.clock import app_now
from consult.db import get_engine, get_session

calendar_commands = AppGroup(
    "calendar", help="Busy times from external calendars, and the private feed of bookings."
)


@calendar_commands.command("add-feed")
@click.argument("url")
@click.option("--name", default="", help="How the admin names it (default: the host).")
def add_feed_command(url: str, name: str) -> None:
    """Add an external calendar feed (iCalendar over http(s)) whose events block booking times."""
    session = get_session()
    try:
        feed = add_feed(session=session, url=url, name=name, now=app_now())
    except FeedAddressError as error:
        raise click.ClickException(str(error)) from None
    session.commit()
    click.echo(
        f"calendar: added “{feed.name}” ({mask_feed_url(feed.url)}); "
        "the next `flask --app consult calendar sync` reads it."
    )


@calendar_commands.command("sync")
def sync_command() -> None:
    """Read every feed and store its busy times (safe to run often, and on several servers)."""
    report = sync_feeds(
        engine=get_engine(),
        now=app_now(),
        time_zone=current_app.extensions["consult.site"].time_zone,
    )
    click.echo(
        f"calendar: {report.read} feed(s) read, "
        f"{len(report.failed)} failed and kept their last good copy"
    )
    for failure in report.failed:
        click.echo(f"  {failure}")

