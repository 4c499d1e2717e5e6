"""`python -m bench.traffic`: serve, drive the simulated people for --seconds, then check."""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

import bench.traffic
from bench.dataset import build_content
from bench.servers import Server, start_gunicorn, wait_until_answering
from bench.traffic import evidence
from bench.traffic.bookers import Traffic, book_free, book_paid, race
from bench.traffic.people import ABUSE, Members, abuse, answer_round, read
from bench.traffic.stripe_side import StripeWebhooks
from bench.traffic.tally import Tally, requests_table
from bench.traffic.verdicts import checks_table, verdicts
from bench.traffic.world import build_world, fresh_database, site_environment
from consult.booking.service import LIVE_HOLDS_PER_CLIENT, LIVE_HOLDS_PER_EMAIL
from consult.config import PROJECT_ROOT
from consult.db import make_engine
from consult.portal.library import AssessmentLibrary
from consult.site.identity import load_site_identity
from tests.fakes.smtp import LoopbackSmtpServer
from tests.fakes.stripe_server import FakeStripeServer

POSTS = 120
MAIL_SENDERS = 2  # two `mail send --watch` at once, as two overlapping cron jobs would be
MAIL_INTERVAL_SECONDS = 2
MAIL_PATIENCE_SECONDS = 180
NOTICE_DAYS = 3  # every type's minimum notice is met from here on
DAYS_CHOSEN_AMONG = 30
Visit = Callable[[Traffic, random.Random], None]


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(bench.traffic.__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the load (60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database, flushed (13)")
    return parser.parse_args()


def _mail_sender(number: int, environment: dict[str, str], scratch: Path) -> Server:
    """`flask mail send --watch`, as production's mail cron runs it."""
    log = scratch / f"mail-send-{number}.log"
    process = subprocess.Popen(  # noqa: S603  our own interpreter and fixed arguments
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "consult",
            "mail",
            "send",
            "--watch",
            "--interval",
            str(MAIL_INTERVAL_SECONDS),
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return Server(f"mail sender {number}", "", process, log)


def _drive(people: list[tuple[str, Visit, int]], traffic: Traffic, seconds: int) -> list[str]:
    """Each kind of person, that many at once, visiting again and again until the time is up; one
    abuser besides. Returns the simulation's own errors (a bug of the benchmark, not the site).
    """
    deadline = time.monotonic() + seconds
    errors: list[str] = []

    def again_and_again(label: str, visit: Visit, seed: int, once: bool = False) -> None:
        chooser = random.Random(seed)  # noqa: S311  a repeatable crowd, not a secret
        while time.monotonic() < deadline:
            try:
                visit(traffic, chooser)
            except Exception:
                errors.append(f"{label}: {traceback.format_exc(limit=3)}")
            if once:
                return

    threads = [
        threading.Thread(target=again_and_again, args=(label, visit, 100 * index + copy))
        for index, (label, visit, copies) in enumerate(people)
        for copy in range(copies)
    ]
    threads.append(threading.Thread(target=again_and_again, args=("abuser", abuse, 7, True)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _wait_for_mail(database_url: str) -> None:
    """Until the mail senders have taken every queued e-mail (or MAIL_PATIENCE_SECONDS passed)."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + MAIL_PATIENCE_SECONDS
    while evidence.mail_waiting(engine) and time.monotonic() < deadline:
        time.sleep(1)
    engine.dispose()


def _logged_errors(log: Path) -> list[str]:
    """Error lines of the site's log: the app's (`<time> ERROR …`) and gunicorn's (`[ERROR]`)."""
    return re.findall(r"^(?:\S+ ERROR .*|.*\[ERROR\].*)$", log.read_text(), re.MULTILINE)


def run(arguments: argparse.Namespace, scratch: Path, database_url: str) -> bool:
    content = build_content(scratch / "content", POSTS)
    site = load_site_identity(content / "site.yaml")
    definition = AssessmentLibrary(content / "assessments").current()
    if definition is None:
        raise SystemExit("the project's assessment definition does not load")
    world = build_world(database_url, definition, site.time_zone)
    redis_url = f"redis://127.0.0.1:6379/{arguments.redis_db}"
    try:
        redis.Redis.from_url(redis_url, socket_timeout=5).flushdb()
    except redis.RedisError as error:
        raise SystemExit(f"Redis at {redis_url} does not answer ({error})") from error
    webhook_secret = "whsec_" + secrets.token_hex(16)
    smtp = LoopbackSmtpServer()
    smtp.start()
    processes: list[Server] = []
    with FakeStripeServer(api_key="sk_test_traffic") as stripe:
        environment = site_environment(
            database_url=database_url,
            content=content,
            scratch=scratch,
            redis_url=redis_url,
            stripe_url=stripe.url,
            webhook_secret=webhook_secret,
            smtp_url=smtp.url,
            secret_key=secrets.token_hex(32),
        )
        try:
            site_server = start_gunicorn(
                "site",
                "consult.wsgi:app",
                environment=environment,
                scratch=scratch,
                cwd=PROJECT_ROOT,
                workers=arguments.workers,
            )
            processes.append(site_server)
            processes += [_mail_sender(n, environment, scratch) for n in range(MAIL_SENDERS)]
            wait_until_answering(site_server, "/healthz")
            tally = Tally()
            public_url = environment["SITE_URL"]
            webhooks = StripeWebhooks(
                stripe,
                site_url=site_server.url,
                public_url=public_url,
                secret=webhook_secret,
                tally=tally,
            )
            traffic = Traffic(
                site_url=site_server.url,
                public_url=public_url,
                tally=tally,
                webhooks=webhooks,
                first_day=datetime.now(UTC).date() + timedelta(days=NOTICE_DAYS),
                days=DAYS_CHOSEN_AMONG,
            )
            members = Members(world.members, world.dataset.password)
            people: list[tuple[str, Visit, int]] = [
                ("reader", lambda traffic, chooser: read(traffic, chooser, POSTS), 3),
                ("free booker", book_free, 2),
                ("paid booker", book_paid, 2),
                ("racers", race, 2),
                (
                    "member",
                    lambda traffic, chooser: answer_round(traffic, chooser, members, definition),
                    2,
                ),
            ]
            print(f"driving the site for {arguments.seconds} s…", flush=True)
            load_before = os.getloadavg()[0]
            began = time.monotonic()
            simulation_errors = _drive(people, traffic, arguments.seconds)
            elapsed = time.monotonic() - began
            load_after = os.getloadavg()[0]
            webhooks.drain()
            _wait_for_mail(database_url)
        finally:
            for process in processes:
                process.stop()
            smtp.stop()
        engine = make_engine(database_url)
        checks = verdicts(
            bookings=evidence.booking_rows(engine, world.seeded_booking_ids),
            emails=evidence.outbox_rows(engine),
            deliveries=evidence.delivered_message_ids(smtp),
            checkouts=evidence.checkout_rows(stripe),
            statuses=tally.statuses(),
            abuse_prefix=ABUSE,
            maxima=world.daily_maxima,
            zone=site.time_zone,
            now=datetime.now(UTC),
            holds_per_client=LIVE_HOLDS_PER_CLIENT,
            holds_per_email=LIVE_HOLDS_PER_EMAIL,
            logged_errors=_logged_errors(site_server.log),
            simulation_errors=simulation_errors,
        )
        engine.dispose()
    print()
    print(requests_table(tally, elapsed))
    print(
        f"machine: {os.cpu_count()} cores, load average {load_before:.1f} before, "
        f"{load_after:.1f} after"
    )
    print()
    print(checks_table(checks))
    for check in checks:
        for problem in check.problems[:20]:
            print(f"  {check.name}: {problem}")
    return all(check.passed for check in checks)


def _stop_on_sigterm(_signal: int, _frame: object) -> None:
    raise SystemExit("stopped")  # runs the clean-up: servers stopped, database dropped


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    arguments = options()
    scratch = Path(tempfile.mkdtemp(prefix="consult-traffic-"))
    try:
        with fresh_database() as database_url:
            passed = run(arguments, scratch, database_url)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
