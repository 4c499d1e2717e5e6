"""The site served by gunicorn with several worker processes, for races through real HTTP.

Each worker is its own process with its own database connections, so on PostgreSQL requests
truly run at the same time, as in production. The server runs the real clock: tests choose
days relative to today. `prepare_database` lays out what it serves; a `Browser` keeps its
cookies and reads CSRF tokens; `at_once` releases requests together.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import gunicorn
from sqlalchemy import delete, text
from sqlmodel import Session, select

from consult.accounts.service import create_user
from consult.booking.models import ConsultationType, WeeklyHours
from consult.config import PROJECT_ROOT
from consult.db import make_engine
from consult.demo import add_demo_booking_calendar
from consult.models import metadata
from consult.site.change_counters import every_table_changed
from tests.conftest import TEST_PASSWORD, csrf_token_from, turn_on_two_factor

WORKERS = 4
STARTUP_SECONDS = 60
REQUEST_SECONDS = 30
READY_LINE = "consult serves"
# gunicorn 27 opens a control socket at one fixed path per user: parallel test runs would share it.
CONTROL_SOCKET_OFF = ["--no-control-socket"] if gunicorn.version_info >= (27,) else []


class LiveServer:
    """gunicorn serving `consult:create_app()` on a loopback port, over the test's database."""

    def __init__(
        self,
        *,
        database_url: str,
        instance_dir: Path,
        workers: int = WORKERS,
        settings: dict[str, str] | None = None,
    ):
        self.workers = workers
        self.log_path = instance_dir / "gunicorn.log"
        instance_dir.mkdir(parents=True, exist_ok=True)
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("STRIPE_", "SMTP_", "RATELIMIT_", "CONSULT_", "CONTENT_DIR"))
        }
        environment.update(
            CONSULT_ENV="development",
            DATABASE_URL=database_url,
            SECRET_KEY="live-server-secret-key-that-is-long-enough-0123",
            SITE_URL="http://consult.test",
            CONSULT_INSTANCE_DIR=str(instance_dir),
            # As behind production's proxy: each Browser below is a person at their own address,
            # so the abuse limits count each guest on their own, not the whole test as one.
            TRUSTED_PROXY_COUNT="1",
        )
        environment.update(settings or {})
        self._log = self.log_path.open("w")
        self._process = subprocess.Popen(  # noqa: S603  a fixed command line of this test
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                "127.0.0.1:0",
                "--timeout",
                "60",
                *CONTROL_SOCKET_OFF,
                "consult:create_app()",
            ],
            env=environment,
            cwd=PROJECT_ROOT,  # as the README serves it: from the checkout, with gunicorn.conf.py
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.url = self._wait_until_ready()

    def _wait_until_ready(self) -> str:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            text = self.log_path.read_text()
            address = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
            if address and text.count(READY_LINE) >= self.workers:
                return address.group(1)
            if self._process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)  # quick shutdown: no request is left running
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()

    def errors(self) -> list[str]:
        """Errors the workers logged, each with the traceback after it (an unhandled error is a
        bug, whatever was answered).
        """
        return re.findall(
            r"^\S+ \S+ ERROR .*(?:\n(?!\d{4}-|\[).*)*", self.log_path.read_text(), re.M
        )


def prepare_database(database_url):
    """Empty every table, then: the demo types, open every day 07:00 to 21:00, the working
    session limited to 3 a day, and a consultant account with two-step sign-in on.
    """
    engine = make_engine(database_url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # TRUNCATE passes the audit log's row guard
            tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:  # the audit log refuses DELETE: its rows stay, as it has no link to the others
            for table in reversed(metadata.sorted_tables):
                if table.name != "audit_log":
                    connection.execute(table.delete())
    # Rows went behind the sessions' backs: no page a running server kept may stand.
    every_table_changed(metadata.tables, storage_uri="memory://", database_url=database_url)
    with Session(engine) as session:
        add_demo_booking_calendar(session)
        session.exec(delete(WeeklyHours))
        session.add_all(
            WeeklyHours(weekday=weekday, start_time=time_of_day(7), end_time=time_of_day(21))
            for weekday in range(7)
        )
        working = session.exec(
            select(ConsultationType).where(ConsultationType.slug == "working-session")
        ).one()
        working.max_per_day = 3
        session.add(working)
        consultant = create_user(
            session=session,
            email="consultant@example.org",
            name="Ms. Irons",
            password=TEST_PASSWORD,
            role="consultant",
            now=datetime.now(UTC),
        )
        turn_on_two_factor(session, consultant, datetime.now(UTC))
        session.commit()
    engine.dispose()


class NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_client_numbers = itertools.count(1)


def next_address() -> str:
    """An address no other client of this test process has had (10.x.y.z)."""
    number = next(_client_numbers)
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


class Browser:
    """One person's browser at an address of its own (passed on as the proxy would): its own
    cookies, redirects not followed, answers as (status, page).
    """

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._opener = build_opener(HTTPCookieProcessor(CookieJar()), NoRedirects())
        self.address = next_address()
        self._opener.addheaders.append(("X-Forwarded-For", self.address))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, body, Location) of one GET, or POST when `data` is given."""
        body = urlencode(data).encode() if data is not None else None
        try:
            with self._opener.open(
                Request(self.base_url + path, data=body),  # noqa: S310  our own loopback server
                timeout=REQUEST_SECONDS,
            ) as response:
                return response.status, response.read().decode(), ""
        except HTTPError as answer:
            return answer.code, answer.read().decode(), answer.headers.get("Location", "")

    def get(self, path: str) -> str:
        status, page, _ = self.request(path)
        assert status == 200, (path, status, page[:500])
        return page

    def form_token(self, path: str) -> str:
        return csrf_token_from(self.get(path))


def at_once(calls) -> list:
    """Run the zero-argument `calls` in parallel threads released together; their results."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def open_day(*, notice_days: int = 3) -> date:
    """A Monday to Thursday (the demo's office days) at least `notice_days` from today, in the
    site's zone (America/Chicago), so every demo type's minimum notice is met on the real clock.
    """
    day = datetime.now(UTC).date() + timedelta(days=notice_days)
    while day.weekday() > 3:
        day += timedelta(days=1)
    return day
