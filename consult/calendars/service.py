"""What calendars does to the database: feeds added, removed, synced under a lease; busy times."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, func, or_
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col, select

from consult.booking.models import ConsultationType
from consult.calendars.addresses import normalise_feed_url
from consult.calendars.busy import BusyInterval, BusyTimes, CalendarUnreadable, read_busy_times
from consult.calendars.fetch import Fetched, Fetcher, FetchFailed, fetch_calendar
from consult.calendars.models import CalendarBusyInterval, CalendarFeed
from consult.calendars.public_network import public_addresses
from consult.db import begin_as_writer

log = logging.getLogger(__name__)
SYNC_LEASE = timedelta(minutes=5)
STALE_AFTER = timedelta(hours=6)  # the README asks for a sync every 15 minutes
DEFAULT_WINDOW_DAYS = 60


def add_feed(
    *, session: Session, url: str, name: str, now: datetime, allow_loopback: bool
) -> CalendarFeed:
    """Add a feed (read at the next sync); raises FeedAddressError for an address it cannot read
    or whose host is not on the public internet (loopback allowed only when told, outside
    production), or that is http:// off this machine.
    """
    address = normalise_feed_url(url)
    parts = urlsplit(address)
    public_addresses(
        parts.hostname or "",
        parts.port or (443 if parts.scheme == "https" else 80),
        allow_loopback=allow_loopback,
        encrypted=parts.scheme == "https",
    )
    label = " ".join(name.split())[:120] or urlsplit(address).hostname or "Calendar"
    feed = CalendarFeed(name=label, url=address, created_at=now)
    session.add(feed)
    session.flush()
    return feed


def feed_fetcher(*, allow_loopback: bool) -> Fetcher:
    """The fetch that sync_feeds uses, reading this machine's own feeds only when allowed."""
    return partial(fetch_calendar, allow_loopback=allow_loopback)


def remove_feed(*, session: Session, feed_id: int) -> CalendarFeed | None:
    """Remove a feed and the busy times it gave; None when there is no such feed."""
    feed = session.get(CalendarFeed, feed_id)
    if feed is None:
        return None
    session.exec(delete(CalendarBusyInterval).where(col(CalendarBusyInterval.feed_id) == feed_id))
    session.delete(feed)
    session.flush()
    return feed


def list_feeds(session: Session) -> list[CalendarFeed]:
    """Every feed, oldest first, without loading its stored copy (up to 5 MB each)."""
    return list(
        session.exec(
            select(CalendarFeed)
            # SQLModel types the column as its value; at run time it is the mapped attribute.
            .options(defer(cast("QueryableAttribute[str | None]", CalendarFeed.body)))
            .order_by(col(CalendarFeed.id))
        ).all()
    )


def is_stale(feed: CalendarFeed, *, now: datetime) -> bool:
    """No good copy for longer than STALE_AFTER, counted from the last success or the adding."""
    return (feed.last_success_at or feed.created_at) < now - STALE_AFTER


def busy_between(session: Session, *, start: datetime, end: datetime) -> list[BusyInterval]:
    """Every stored busy span of every feed that overlaps [start, end), in one query."""
    rows = session.exec(
        select(CalendarBusyInterval.starts_at, CalendarBusyInterval.ends_at).where(
            col(CalendarBusyInterval.ends_at) > start, col(CalendarBusyInterval.starts_at) < end
        )
    ).all()
    return [BusyInterval(starts_at, ends_at) for starts_at, ends_at in rows]


def sync_window(session: Session, *, now: datetime) -> tuple[datetime, datetime]:
    """The span whose busy times are stored: from yesterday to past the longest booking window."""
    days = session.exec(select(func.max(ConsultationType.booking_window_days))).one()
    return now - timedelta(days=1), now + timedelta(days=(days or DEFAULT_WINDOW_DAYS) + 2)


@dataclass(frozen=True)
class SyncReport:
    read: int = 0
    failed: tuple[str, ...] = ()  # "name: error" for each feed that kept its last good copy


@dataclass(frozen=True)
class _Outcome:
    intervals: tuple[BusyInterval, ...] | None  # None: keep the stored busy times as they are
    error: str | None = None
    warning: str | None = None
    new_copy: Fetched | None = None  # a new text that could be read, with its validators


def _claim(
    engine: Engine, *, now: datetime, feed_ids: list[int] | None
) -> tuple[str, list[CalendarFeed], tuple[datetime, datetime]]:
    """Lease the feeds no other server is reading, so each is fetched once however many run."""
    lease_token = secrets.token_hex(16)
    with Session(engine, expire_on_commit=False) as session:
        begin_as_writer(session)
        query = (
            select(CalendarFeed)
            .where(
                or_(col(CalendarFeed.lease_until).is_(None), col(CalendarFeed.lease_until) < now)
            )
            .order_by(col(CalendarFeed.id))
            .with_for_update(skip_locked=True)
        )
        if feed_ids is not None:
            query = query.where(col(CalendarFeed.id).in_(feed_ids))
        feeds = list(session.exec(query).all())
        for feed in feeds:
            feed.lease_until = now + SYNC_LEASE
            feed.lease_token = lease_token
        window = sync_window(session, now=now)
        session.commit()
    return lease_token, feeds, window


def _read(text: str, window: tuple[datetime, datetime], zone: ZoneInfo) -> BusyTimes:
    return read_busy_times(text, window_start=window[0], window_end=window[1], time_zone=zone)


def _from_last_good_copy(
    feed: CalendarFeed, window: tuple[datetime, datetime], zone: ZoneInfo
) -> tuple[BusyInterval, ...] | None:
    """The last good copy read again for today's window, so its repeating events keep blocking."""
    if feed.body is None:
        return None
    try:
        return _read(feed.body, window, zone).intervals
    except Exception:  # it was read before; if it no longer can be, keep the stored times
        log.exception("calendar feed %s: the last good copy cannot be read again", feed.id)
        return None


def _sync_one(
    feed: CalendarFeed, *, window: tuple[datetime, datetime], zone: ZoneInfo, fetch: Fetcher
) -> _Outcome:
    try:
        # Validators only with a stored copy: a 304 must have something to refer to.
        fetched = fetch(
            feed.url,
            etag=feed.etag if feed.body is not None else None,
            last_modified=feed.last_modified if feed.body is not None else None,
        )
        if fetched.text is None:
            if feed.body is None:
                raise FetchFailed("The server answered “not modified” but no copy is stored.")
            busy = _read(feed.body, window, zone)
            return _Outcome(busy.intervals, warning=busy.problem)
        busy = _read(fetched.text, window, zone)
        return _Outcome(busy.intervals, warning=busy.problem, new_copy=fetched)
    except (FetchFailed, CalendarUnreadable) as failure:
        error = str(failure)
    except Exception:  # one feed's surprise must not stop the others
        log.exception("calendar feed %s could not be synced", feed.id)
        error = "An unexpected problem (logged on the server)."
    return _Outcome(_from_last_good_copy(feed, window, zone), error=error)


def _record(
    engine: Engine, feed_id: int, lease_token: str, outcome: _Outcome, *, now: datetime
) -> bool:
    """Store the outcome if this server still holds the feed's lease; whether it did."""
    with Session(engine) as session:
        begin_as_writer(session)
        feed = session.exec(
            select(CalendarFeed)
            .where(col(CalendarFeed.id) == feed_id, col(CalendarFeed.lease_token) == lease_token)
            .with_for_update()
        ).first()
        if feed is None:  # removed meanwhile, or the lease lapsed and another server took it
            return False
        if outcome.intervals is not None:
            session.exec(
                delete(CalendarBusyInterval).where(col(CalendarBusyInterval.feed_id) == feed_id)
            )
            session.add_all(
                CalendarBusyInterval(feed_id=feed_id, starts_at=span.start, ends_at=span.end)
                for span in outcome.intervals
            )
        feed.last_attempt_at = now
        feed.lease_until, feed.lease_token = None, None
        if outcome.error is None:
            feed.last_success_at, feed.last_error = now, None
            feed.last_warning = outcome.warning
        else:
            feed.last_error = outcome.error
        if outcome.new_copy is not None:
            feed.body = outcome.new_copy.text
            feed.etag = outcome.new_copy.etag
            feed.last_modified = outcome.new_copy.last_modified
        session.add(feed)
        session.commit()
    return True


def sync_feeds(
    *,
    engine: Engine,
    now: datetime,
    time_zone: ZoneInfo,
    fetch: Fetcher = fetch_calendar,
    feed_ids: list[int] | None = None,
) -> SyncReport:
    """Fetch each feed (or those of `feed_ids`) no other server is reading; store its busy times.

    Network and parsing happen outside any transaction. A feed that fails keeps its last good
    copy, re-read for the current window, and records the error; it never raises.
    """
    lease_token, feeds, window = _claim(engine, now=now, feed_ids=feed_ids)
    read, failed = 0, []
    for feed in feeds:
        if feed.id is None:  # every stored row has one; this narrows the type
            continue
        outcome = _sync_one(feed, window=window, zone=time_zone, fetch=fetch)
        if not _record(engine, feed.id, lease_token, outcome, now=now):
            continue
        if outcome.error is None:
            read += 1
        else:
            failed.append(f"{feed.name}: {outcome.error}")
    return SyncReport(read=read, failed=tuple(failed))
