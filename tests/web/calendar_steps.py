"""Steps shared by the calendar feed tests: add a feed, sync it, read what was stored."""

from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from consult.calendars.fetch import fetch_calendar
from consult.calendars.models import CalendarBusyInterval, CalendarFeed
from consult.calendars.service import SyncReport, add_feed, sync_feeds
from consult.db import get_engine, get_session

CHICAGO = ZoneInfo("America/Chicago")
# The tests' feeds that hang are cut off quickly; they are served on loopback, as in development.
quick_fetch = partial(fetch_calendar, timeout_seconds=0.5, allow_loopback=True)


def add(app, clock, url: str, name: str = "Work") -> int:
    with app.app_context():
        session = get_session()
        feed = add_feed(session=session, url=url, name=name, now=clock(), allow_loopback=True)
        session.commit()
        return feed.id


def sync(app, clock, fetch=quick_fetch, feed_ids=None) -> SyncReport:
    with app.app_context():
        return sync_feeds(
            engine=get_engine(), now=clock(), time_zone=CHICAGO, fetch=fetch, feed_ids=feed_ids
        )


def feed(app, feed_id: int) -> CalendarFeed:
    with app.app_context():
        return get_session().get(CalendarFeed, feed_id)


def stored(app, feed_id: int) -> list[tuple[str, str]]:
    """The feed's busy spans as Chicago wall clocks, `YYYY-MM-DD HH:MM`."""
    with app.app_context():
        rows = get_session().exec(
            select(CalendarBusyInterval)
            .where(col(CalendarBusyInterval.feed_id) == feed_id)
            .order_by(col(CalendarBusyInterval.starts_at))
        )
        return [
            (
                row.starts_at.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M"),
                row.ends_at.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M"),
            )
            for row in rows
        ]
