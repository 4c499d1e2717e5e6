"""The site under load against the framework's ceiling.

Generates the data set (1,000 posts, 2,000 bookings, 200 organisations of 20 respondents with
closed rounds) into a fresh database and content folder, serves the site under gunicorn with
production settings and a minimal Flask app under the same gunicorn settings (2 sync workers),
warms both up, then loads each page and the minimal app in alternating rounds with wrk
(installed through apt-get when missing; a Python generator otherwise) and prints, per page,
requests/s, p50, p99, queries per request and the ratio to the minimal app: the median of the
rounds and their range. With nginx (installed when missing, unless --no-nginx), it also measures
a post through the README's nginx configuration against nginx serving the same HTML as a file.

The database is PostgreSQL when DATABASE_URL points at a server (a database
consult_bench_<time> is created there and dropped afterwards), else SQLite in a scratch folder.

Run: python -m bench.site [--quick] [--rounds 3] [--seconds 4] [--only TEXT] [--no-nginx]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from bench import nginx
from bench.blog import WORDS
from bench.dataset import POSTS, build_content, fill_database
from bench.load import measure, warm_up
from bench.queries import count_queries
from bench.report import RouteResult, memory_line, table
from bench.routes import ANONYMOUS, newest_cookie, sign_in, site_routes, visitor_emails
from bench.servers import (
    Server,
    apt_install,
    start_gunicorn,
    wait_until_answering,
    worker_memory,
)
from consult.config import PROJECT_ROOT, normalise_database_url
from consult.db import make_engine
from consult.migrate import upgrade_to_head
from consult.portal.library import AssessmentLibrary
from consult.site.identity import load_site_identity

REDIS_URL = "redis://127.0.0.1:6379/13"  # the benchmark's own database (see below)
# What every browser and feed reader sends with each request, to the site and the minimal app.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


@contextmanager
def fresh_database(scratch: Path) -> Iterator[str]:
    """A new, empty database: on DATABASE_URL's PostgreSQL server when set, else SQLite."""
    server = os.environ.get("DATABASE_URL", "").strip()
    if not server.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{scratch / 'bench.sqlite3'}"
        return
    name = f"consult_bench_{int(time.time())}_{os.getpid()}"
    base, _, _ = server.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")  # the name is ours: digits and letters only
    try:
        yield normalise_database_url(f"{base}/{name}")
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def ratelimit_storage() -> str:
    """Redis, the production store, when it answers; else memory (each worker counts alone).

    The benchmark's own Redis database, emptied first: the sign-ins of an earlier run within
    the quarter hour would otherwise count against this one's (and be refused).
    """
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=2).flushdb()
    except Exception as error:  # no client library, or no server
        print(f"Redis is not available ({error}): rate limits are counted in memory")
        return "memory://"
    return REDIS_URL


def site_environment(database_url: str, content: Path, scratch: Path) -> dict[str, str]:
    """Production settings for the site, as the README's production section gives them."""
    return {
        "CONSULT_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "SITE_URL": "https://bench.example",
        "CONTENT_DIR": str(content),
        "CONSULT_INSTANCE_DIR": str(scratch / "instance"),
        "RATELIMIT_STORAGE_URI": ratelimit_storage(),
        # Required in production; the measured pages take no payment and send no mail.
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "SMTP_URL": "smtp://127.0.0.1:2525",
    }


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--seconds", type=int, default=4, help="length of each run (4)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up per page (2)")
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s: a quick look")
    parser.add_argument("--only", help="measure only the pages whose label contains this")
    parser.add_argument("--no-nginx", action="store_true", help="skip the nginx measurement")
    parser.add_argument("--python-load", action="store_true", help="use Python even with wrk")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.rounds, arguments.seconds, arguments.warmup = 2, 2, 1
    return arguments


def run(arguments: argparse.Namespace, scratch: Path, database_url: str) -> None:
    began = time.perf_counter()
    content = build_content(scratch / "content")
    site = load_site_identity(content / "site.yaml")
    definition = AssessmentLibrary(content / "assessments").current()
    if definition is None:
        raise SystemExit("the project's assessment definition does not load")
    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    dataset = fill_database(engine, definition, ZoneInfo(site.time_zone.key))
    engine.dispose()
    database = database_url.split(":")[0]
    print(f"data set generated in {time.perf_counter() - began:.1f} s ({database})")

    environment = site_environment(database_url, content, scratch)
    middle = POSTS // 2
    routes = site_routes(dataset, f"post-{middle}", WORDS[middle % 7])
    if arguments.only:
        routes = [route for route in routes if arguments.only in route.label]
    wrk = None if arguments.python_load else apt_install("wrk", "wrk")
    print(f"load generator: {wrk or 'Python threads'}")

    servers: list[Server] = []
    try:
        for name, app, app_environment in (
            ("site", "consult.wsgi:app", environment),
            ("minimal", "bench.minimal:app", {}),
        ):
            servers.append(
                start_gunicorn(
                    name, app, environment=app_environment, scratch=scratch, cwd=PROJECT_ROOT
                )
            )
        site_server, minimal = servers
        for server in servers:
            wait_until_answering(server, "/healthz" if server is site_server else "/")
        cookies = {ANONYMOUS: ""} | {
            visitor: sign_in(site_server.url, email, dataset.password, dataset.consultant_key)
            for visitor, email in visitor_emails().items()
        }
        queries = count_queries(
            environment, routes, visitor_emails(), dataset.password, dataset.consultant_key
        )
        results = [RouteResult(route, queries.get(route.label)) for route in routes]

        def headers(visitor: str) -> dict[str, str]:
            cookie = {"Cookie": cookies[visitor]} if cookies[visitor] else {}
            return {**BROWSER_HEADERS, **cookie}

        for result in results:  # warm-up: every worker reads the posts and fills its caches
            route = result.route
            warm_up(wrk, site_server.url + route.path, arguments.warmup, headers(route.visitor))
        warm_up(wrk, minimal.url + "/", arguments.warmup, BROWSER_HEADERS)
        for number in range(arguments.rounds):
            print(f"round {number + 1} of {arguments.rounds}…", flush=True)
            for result in results:
                route = result.route
                baseline = measure(wrk, minimal.url + "/", arguments.seconds, BROWSER_HEADERS)
                if cookies[route.visitor]:  # as a browser, the cookie the site set last
                    cookies[route.visitor] = newest_cookie(
                        site_server.url, route.path, cookies[route.visitor]
                    )
                page = measure(
                    wrk, site_server.url + route.path, arguments.seconds, headers(route.visitor)
                )
                result.rounds.append((page, baseline))
        print()
        print(table(results))
        for server in servers:
            print(memory_line(server.name, worker_memory(server)))
        if not arguments.no_nginx:
            nginx.compare(
                site_server,
                f"/blog/post-{middle}/",
                scratch=scratch,
                content=content,
                wrk=wrk,
                rounds=arguments.rounds,
                seconds=arguments.seconds,
            )
    finally:
        for server in servers:
            server.stop()


def _stop_on_sigterm(_signal: int, _frame: object) -> None:
    raise SystemExit("stopped")  # runs the clean-up: servers stopped, database dropped


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    arguments = options()
    scratch = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    try:
        with fresh_database(scratch) as database_url:
            run(arguments, scratch, database_url)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
