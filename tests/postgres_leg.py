"""The suite's PostgreSQL leg: the database at TEST_DATABASE_URL (one per pytest-xdist worker),
migrated once per run and emptied for each test, and the report of how the leg went.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy
from sqlalchemy import text

from consult.config import load_settings
from consult.migrate import upgrade_to_head
from consult.models import metadata
from consult.site.change_counters import every_table_changed

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
# pytest-xdist runs the suite in several worker processes: each gets a database of its own.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_postgres_leg: dict[str, str] = {}


def pytest_report_header(config):
    if POSTGRES_URL:
        return f"PostgreSQL leg: {POSTGRES_URL.rsplit('@', 1)[-1]}" + (
            " (required)" if REQUIRE_POSTGRES else ""
        )
    return "PostgreSQL leg: SKIPPED, TEST_DATABASE_URL is not set" + (
        " but REQUIRE_POSTGRES=1" if REQUIRE_POSTGRES else ""
    )


def pytest_sessionfinish(session):
    """A worker tells the main process how its PostgreSQL leg went."""
    if hasattr(session.config, "workeroutput") and _postgres_leg:
        session.config.workeroutput["postgres_leg"] = _postgres_leg["state"]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The main process keeps the least good news of its workers' PostgreSQL legs."""
    state = getattr(node, "workeroutput", {}).get("postgres_leg")
    if state and _postgres_leg.get("state", "ran") == "ran":
        _postgres_leg["state"] = state


def pytest_terminal_summary(terminalreporter):
    if _postgres_leg:
        terminalreporter.write_line(f"PostgreSQL leg: {_postgres_leg['state']}")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL test database, emptied and migrated once per run."""
    if not POSTGRES_URL:
        _postgres_leg["state"] = "skipped (TEST_DATABASE_URL is not set)"
        if REQUIRE_POSTGRES:
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL leg skipped: TEST_DATABASE_URL is not set")
    url = load_settings({"DATABASE_URL": POSTGRES_URL, "SECRET_KEY": "x" * 32}).database_url
    try:
        url = _database_of_this_worker(url)
    except sqlalchemy.exc.OperationalError as error:
        _postgres_leg["state"] = f"unreachable ({error.orig})"
        if REQUIRE_POSTGRES:
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: {error.orig}")
        pytest.skip(f"PostgreSQL leg skipped: cannot connect ({error.orig})")
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except sqlalchemy.exc.OperationalError as error:
        _postgres_leg["state"] = f"unreachable ({error.orig})"
        if REQUIRE_POSTGRES:
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: {error.orig}")
        pytest.skip(f"PostgreSQL leg skipped: cannot connect ({error.orig})")
    finally:
        engine.dispose()
    upgrade_to_head(url)
    _postgres_leg["state"] = "ran"
    return url


def _database_of_this_worker(url: str) -> str:
    """TEST_DATABASE_URL itself, or under pytest-xdist a database named after it and the
    worker (created when missing), so workers never empty each other's tables.
    """
    if not XDIST_WORKER:
        return url
    base = sqlalchemy.make_url(url)
    name = f"{base.database}_{XDIST_WORKER}"
    engine = sqlalchemy.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def emptied_postgres_url(postgres_url) -> str:
    """The PostgreSQL test database with every table emptied, for one test."""
    empty_postgres(postgres_url)
    return postgres_url


def empty_postgres(url: str) -> None:
    """Empty every table (TRUNCATE: the audit log's guard refuses row by row deletes)."""
    engine = sqlalchemy.create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    # A server still running on this database must not send pages it kept of the rows gone.
    every_table_changed(metadata.tables, storage_uri="memory://", database_url=url)
