"""What the traffic run serves: a fresh PostgreSQL database with the benchmark's data set (a few
seeded bookings, organisations with a closed round, and now an open one each for members to
answer), the calendar open every day, and the site's production settings.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import delete
from sqlmodel import Session, col, select

from bench.dataset import Dataset, fill_database
from consult.accounts.models import User
from consult.booking.models import Booking, ConsultationType, WeeklyHours
from consult.config import normalise_database_url
from consult.db import make_engine
from consult.migrate import upgrade_to_head
from consult.portal.definition import AssessmentDefinition
from consult.portal.models import AssessmentRound, Membership, Organisation
from consult.portal.service import open_round

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
SEEDED_BOOKINGS = 20
ORGANISATIONS = 12
RESPONDENTS = 20
OPEN_HOURS = (time_of_day(8), time_of_day(20))  # every day, so the daily maxima are what binds


@dataclass(frozen=True)
class Member:
    """A portal member who has not yet answered their organisation's open round."""

    email: str
    organisation_id: str
    open_round_id: str
    closed_round_id: str


@dataclass(frozen=True)
class World:
    dataset: Dataset
    members: list[Member]
    seeded_booking_ids: frozenset[str]
    daily_maxima: dict[str, int | None]


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new database `consult_traffic_<time>` on DATABASE_URL's PostgreSQL server (by default
    the local one), dropped at the end.
    """
    server = os.environ.get("DATABASE_URL", "").strip() or POSTGRES_SERVER
    if not server.startswith(("postgres://", "postgresql://")):
        raise SystemExit("the traffic run needs PostgreSQL: DATABASE_URL=postgresql://…")
    name = f"consult_traffic_{int(time.time())}_{os.getpid()}"
    base, _, _ = server.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")  # the name is ours: digits and letters only
    try:
        yield normalise_database_url(f"{base}/{name}")
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def build_world(database_url: str, definition: AssessmentDefinition, zone: ZoneInfo) -> World:
    """Migrate and fill the database; open a round in every organisation."""
    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    now = datetime.now(UTC)
    dataset = fill_database(
        engine,
        definition,
        zone,
        now=now,
        bookings=SEEDED_BOOKINGS,
        organisations=ORGANISATIONS,
        respondents=RESPONDENTS,
    )
    with Session(engine) as session:
        session.exec(delete(WeeklyHours))
        session.add_all(
            WeeklyHours(weekday=weekday, start_time=OPEN_HOURS[0], end_time=OPEN_HOURS[1])
            for weekday in range(7)
        )
        members = _open_rounds(session, definition, now)
        seeded = frozenset(session.exec(select(Booking.public_id)).all())
        maxima = {kind.slug: kind.max_per_day for kind in session.exec(select(ConsultationType))}
        session.commit()
    engine.dispose()
    return World(dataset, members, seeded, maxima)


def _open_rounds(session: Session, definition: AssessmentDefinition, now: datetime) -> list[Member]:
    """A round open for a month in each organisation; its members (owners aside) to answer it."""
    members = []
    for organisation in session.exec(select(Organisation).order_by(Organisation.id)).all():
        closed = session.exec(
            select(AssessmentRound).where(AssessmentRound.organisation_id == organisation.id)
        ).one()
        opened = open_round(
            session=session,
            organisation=organisation,
            definition=definition,
            name="Autumn round",
            closes_on=now.date() + timedelta(days=30),
            today=now.date(),
            now=now,
        )
        emails = session.exec(
            select(User.email)
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(Membership.organisation_id == organisation.id, Membership.role == "member")
        ).all()
        members += [
            Member(email, organisation.public_id, opened.public_id, closed.public_id)
            for email in emails
        ]
    return members


def site_environment(
    *,
    database_url: str,
    content: Path,
    scratch: Path,
    redis_url: str,
    stripe_url: str,
    webhook_secret: str,
    smtp_url: str,
    secret_key: str,
) -> dict[str, str]:
    """Production settings, with Stripe's API and the mail relay on loopback, behind one proxy."""
    return {
        "CONSULT_ENV": "production",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "SITE_URL": "https://traffic.example",
        "CONTENT_DIR": str(content),
        "CONSULT_INSTANCE_DIR": str(scratch / "instance"),
        "RATELIMIT_STORAGE_URI": redis_url,
        "STRIPE_SECRET_KEY": "sk_test_traffic",
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        "STRIPE_API_BASE": stripe_url,
        "SMTP_URL": smtp_url,
        "TRUSTED_PROXY_COUNT": "1",
    }
