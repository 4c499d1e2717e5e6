"""Tables of calendars: external feeds and their last good copy, busy times, the private key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from consult.db import AwareDateTime


class CalendarFeed(SQLModel, table=True):
    """An external iCalendar feed whose events make the consultant busy.

    The URL usually carries a secret of its own, so pages show only `addresses.mask_feed_url`.
    The last copy that could be read is kept with its validators: a failed or refused fetch
    falls back to it, and a 304 answer re-reads it for the current window.
    """

    __tablename__ = "calendar_feeds"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    url: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=AwareDateTime)
    body: str | None = Field(default=None, sa_type=Text, description="The last good copy.")
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    last_attempt_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    last_error: str | None = Field(
        default=None, sa_type=Text, description="Why the last attempt failed; None after a success."
    )
    last_warning: str | None = Field(
        default=None, sa_type=Text, description="Events the last good copy had to leave out."
    )
    lease_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    lease_token: str | None = Field(default=None, max_length=64)


class CalendarBusyInterval(SQLModel, table=True):
    """A span during which a feed says the consultant is busy (aware UTC, half-open, merged)."""

    __tablename__ = "calendar_busy_intervals"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="span_order"),
        Index("ix_calendar_busy_intervals_span", "ends_at", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("calendar_feeds.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    starts_at: datetime = Field(sa_type=AwareDateTime)
    ends_at: datetime = Field(sa_type=AwareDateTime)


class BookingsFeedKey(SQLModel, table=True):
    """The key of the private bookings feed (a single row); no row means the feed is off.

    The address's secret is derived from this salt and SECRET_KEY, so the database alone does
    not reveal it; a new salt makes a new address and the old one stops working.
    """

    __tablename__ = "calendar_bookings_feed_keys"

    id: int | None = Field(default=None, primary_key=True)
    salt: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=AwareDateTime)
