"""The site benchmark's data set: 1,000 posts, 2,000 bookings, 200 organisations of 20
respondents, each with a closed round (scored, with its plan), and the consultant's past days off
and time off (one of each for every 40 bookings), written quickly in bulk.

`build_content` makes the content folder; `fill_database` fills a migrated, empty database
through the app's own models and `close_round`, inserting the many plain rows in bulk.
"""

from __future__ import annotations

import random
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
from sqlalchemy import Engine, insert, select
from sqlmodel import Session

from bench.blog import generate_posts
from bench.organisations import add_organisations
from consult.accounts.models import User
from consult.accounts.passwords import hash_password
from consult.booking.models import (
    Booking,
    BookingTimeBlock,
    ConsultationType,
    DateOverride,
    TimeOff,
)
from consult.config import PROJECT_ROOT
from consult.demo import add_demo_booking_calendar
from consult.portal.definition import AssessmentDefinition

POSTS = 1000
BOOKINGS = 2000
ORGANISATIONS = 200
RESPONDENTS = 20
CONSULTANT_EMAIL = "consultant@bench.example"
OWNER_EMAIL = "owner0@bench.example"
# Office hours of the demo calendar (Monday to Thursday) hold one booking at each of these.
BOOKING_STARTS = (time(9), time(10, 30), time(13), time(14, 30))
DAYS_OFF_EVERY = 40  # bookings


@dataclass(frozen=True)
class Dataset:
    """What the routes of the benchmark need to know of the data."""

    password: str
    consultant_key: str  # her authenticator's TOTP key: the site asks her for a code
    organisation_id: str
    round_id: str
    consultation_type: str


def build_content(directory: Path, posts: int = POSTS, words: int = 700) -> Path:
    """The project's site.yaml, pages and assessments, with `posts` generated posts of about
    `words` words.
    """
    for name in ("pages", "assessments"):
        shutil.copytree(PROJECT_ROOT / "content" / name, directory / name)
    shutil.copy(PROJECT_ROOT / "content" / "site.yaml", directory / "site.yaml")
    (directory / "posts").mkdir()
    (directory / "media").mkdir()
    generate_posts(directory / "posts", posts, words)
    return directory


def _booking_times(zone: ZoneInfo, now: datetime, count: int) -> list[datetime]:
    """`count` non-overlapping starts: half the free times of the next 90 days, the rest past."""
    today = now.astimezone(zone).date()
    future = [
        datetime.combine(today + timedelta(days=offset), start, tzinfo=zone)
        for offset in range(3, 91)
        if (today + timedelta(days=offset)).weekday() < 4
        for position, start in enumerate(BOOKING_STARTS)
        if (offset + position) % 2 == 0
    ]
    past: list[datetime] = []
    day = today - timedelta(days=1)
    while len(future) + len(past) < count:
        if day.weekday() < 4:
            past.extend(datetime.combine(day, start, tzinfo=zone) for start in BOOKING_STARTS)
        day -= timedelta(days=1)
    return (future + past)[:count]


def _add_bookings(session: Session, zone: ZoneInfo, now: datetime, count: int) -> None:
    chooser = random.Random(11)  # noqa: S311  repeatable data, not a secret
    types = list(session.execute(select(ConsultationType)).scalars())
    short = [kind for kind in types if kind.duration_minutes + kind.buffer_after_minutes <= 90]
    rows, blocks = [], []
    for number, start_local in enumerate(_booking_times(zone, now, count)):
        kind = short[number % len(short)]
        start = start_local.astimezone(UTC)
        end = start + timedelta(minutes=kind.duration_minutes)
        occupies_until = end + timedelta(minutes=kind.buffer_after_minutes)
        upcoming = start > now
        status = "confirmed" if upcoming else chooser.choice(("completed",) * 8 + ("no_show",))
        rows.append(
            {
                "public_id": secrets.token_urlsafe(16),
                "consultation_type_id": kind.id,
                "starts_at": start,
                "ends_at": end,
                "earliest_starts_at": start,
                "occupies_from": start - timedelta(minutes=kind.buffer_before_minutes),
                "occupies_until": occupies_until,
                "status": status,
                "guest_name": f"Guest {number}",
                "guest_email": f"guest{number}@bench.example",
                "organisation": f"Clinic {number % 300}",
                "role": "Director of nursing",
                "guest_time_zone": "Europe/London",
                "intake_answers": {"what_matters": "Listening to our front line."},
                "policy_accepted_at": start - timedelta(days=7),
                "amount_minor": kind.price_minor,
                "payment_state": "paid" if kind.price_minor else "not_required",
                "created_at": start - timedelta(days=7),
                "confirmed_at": start - timedelta(days=7),
            }
        )
    session.execute(insert(Booking), rows)
    for booking_id, occupies_from, occupies_until in session.execute(
        select(Booking.id, Booking.occupies_from, Booking.occupies_until).where(
            Booking.status == "confirmed"
        )
    ):
        block = occupies_from
        while block < occupies_until:
            blocks.append({"booking_id": booking_id, "block_start": block})
            block += timedelta(minutes=5)
    session.execute(insert(BookingTimeBlock), blocks)


def _add_past_days_off(session: Session, zone: ZoneInfo, now: datetime, count: int) -> None:
    """`count` past date overrides (days off, and days of shorter hours) and spans of time off:
    what years of use leave behind, which no page that shows the weeks ahead should read.
    """
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=2 + 3 * number) for number in range(count)]
    session.execute(
        insert(DateOverride),
        [
            {"day": day, "start_time": time(10), "end_time": time(12)}
            if number % 2
            else {"day": day, "start_time": None, "end_time": None}
            for number, day in enumerate(days)
        ],
    )
    session.execute(
        insert(TimeOff),
        [
            {
                "starts_at": datetime.combine(day, time(17), tzinfo=zone),
                "ends_at": datetime.combine(day, time(18), tzinfo=zone),
                "reason": "Training",
                "created_at": now,
            }
            for day in days
        ],
    )


def fill_database(
    engine: Engine,
    definition: AssessmentDefinition,
    zone: ZoneInfo,
    *,
    now: datetime | None = None,
    bookings: int = BOOKINGS,
    organisations: int = ORGANISATIONS,
    respondents: int = RESPONDENTS,
) -> Dataset:
    """Write the data set into an empty, migrated database; returns what the routes need.

    The counts default to the benchmark's; tests pass smaller ones (and their clock's `now`).
    """
    now = now or datetime.now(UTC)
    password = secrets.token_urlsafe(12)
    password_hash = hash_password(password)
    consultant_key = pyotp.random_base32(length=32)
    with Session(engine) as session:
        session.add(
            User(
                email=CONSULTANT_EMAIL,
                name="Bench Consultant",
                password_hash=password_hash,
                role="consultant",
                session_token=secrets.token_hex(32),
                created_at=now,
                two_factor_secret=consultant_key,
                two_factor_enabled_at=now,
            )
        )
        add_demo_booking_calendar(session)
        session.flush()
        _add_bookings(session, zone, now, bookings)
        if bookings >= DAYS_OFF_EVERY:
            _add_past_days_off(session, zone, now, bookings // DAYS_OFF_EVERY)
        organisation_id, round_id = add_organisations(
            session,
            definition,
            password_hash,
            now,
            organisations=organisations,
            respondents=respondents,
        )
        session.commit()
    return Dataset(
        password=password,
        consultant_key=consultant_key,
        organisation_id=organisation_id,
        round_id=round_id,
        consultation_type="discovery-call",
    )


def first_bookable_day(today: date) -> date:
    """A Monday to Thursday at least a week ahead, where the demo calendar has free times."""
    day = today + timedelta(days=7)
    while day.weekday() >= 4:
        day += timedelta(days=1)
    return day
