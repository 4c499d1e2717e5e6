"""`flask --app consult calendar …`: add a feed, sync feeds (cron), print the private address."""

import click
from flask import current_app
from flask.cli import AppGroup

from consult.calendars.addresses import FeedAddressError, mask_feed_url
from consult.calendars.private_feed import ensure_key, feed_secret, rotate_key
from consult.calendars.routes import private_feed_url
from consult.calendars.service import add_feed, feed_fetcher, sync_feeds
from consult.clock import app_now
from consult.db import begin_as_writer, get_engine, get_session

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
        feed = add_feed(
            session=session,
            url=url,
            name=name,
            now=app_now(),
            allow_loopback=current_app.extensions["consult.settings"].calendar_feeds_allow_loopback,
        )
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
        fetch=feed_fetcher(
            allow_loopback=current_app.extensions["consult.settings"].calendar_feeds_allow_loopback
        ),
    )
    click.echo(
        f"calendar: {report.read} feed(s) read, "
        f"{len(report.failed)} failed and kept their last good copy"
    )
    for failure in report.failed:
        click.echo(f"  {failure}")


@calendar_commands.command("feed-url")
@click.option("--rotate", is_flag=True, help="Make a new address; the old one stops working.")
def feed_url_command(rotate: bool) -> None:
    """Print the private address of the bookings feed (made on first use) for a calendar app."""
    session = get_session()
    begin_as_writer(session)
    key = (rotate_key if rotate else ensure_key)(session=session, now=app_now())
    session.commit()
    secret_key = current_app.extensions["consult.settings"].secret_key
    click.echo(private_feed_url(feed_secret(salt=key.salt, secret_key=secret_key)))
