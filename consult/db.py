"""The database engine, the per-request session and the column types shared by every model."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from sqlite3 import Connection as SQLiteConnection
from typing import Any, Protocol

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Connection, DateTime, Dialect, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from consult.private_files import create_private_file

ENGINE_KEY = "consult.engine"
SQLITE_BUSY_TIMEOUT_SECONDS = 15  # how long a SQLite writer waits for the write lock
# Public ids (secrets.token_urlsafe) and providers' ids (cs_test_…, pi_…) use only these.
_IDENTIFIER = re.compile(r"[A-Za-z0-9_-]+")
# The largest id an INTEGER column holds on both databases.
MAX_ROW_ID = 2**31 - 1

# Named constraints, so migrations can refer to them on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AwareDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC that always comes back timezone-aware, on SQLite too.

    A naive datetime is refused: it would silently mean "some time zone".
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(
                f"naive datetime {value!r} cannot be stored; use an aware UTC datetime"
            )
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_engine(url: str, **options: Any) -> Engine:
    """An engine with what both databases need: pre-ping, and real transactions on SQLite."""
    if url.startswith("sqlite"):
        _create_private_sqlite_file(url)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            **options,
        )
        _use_real_sqlite_transactions(engine)
        return engine
    # A database host that does not answer must cost a request seconds, not the OS's minutes.
    connect_args = {} if "connect_timeout" in make_url(url).query else {"connect_timeout": 5}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)


def _create_private_sqlite_file(url: str) -> None:
    """A new SQLite database file is created for the app's user only (SQLite gives its -wal and
    -shm files the same permissions); one in memory, or in a folder not there yet, is left alone.
    """
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        if path.parent.is_dir():
            create_private_file(path)


def _use_real_sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 driver, emit BEGIN, so a transaction can start as a writer.

    The driver delays BEGIN until the first write, so a read-then-write transaction can see
    stale data; `begin_as_writer` asks for BEGIN IMMEDIATE instead (SQLAlchemy's documented recipe).
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: SQLiteConnection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # Readers and the writer no longer block each other, and a writer waits its turn.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("begin_as_writer", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def looks_like_identifier(value: str | None, *, max_length: int = 64) -> bool:
    """Whether text from a URL or form could be an id of ours or a provider's.

    Anything else (NUL, which PostgreSQL refuses in text; other characters; 5,000 of them) is
    never looked up: the caller answers 404 or a field error instead of a failed query.
    """
    return (
        value is not None and len(value) <= max_length and _IDENTIFIER.fullmatch(value) is not None
    )


def id_of(row: _Row) -> int:
    """The primary key of a row that has been flushed (typed `int | None` only until then)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: add it and flush first")
    return row.id


def begin_as_writer(session: Session) -> None:
    """Start the session's transaction holding the write lock (SQLite: BEGIN IMMEDIATE).

    Call it before the reads whose result the writes depend on. A read-only transaction
    already open (e.g. the one that loaded the signed-in user) is ended first; one with
    unsaved changes is a programming error. On PostgreSQL it is harmless: there row locks
    (`with_for_update`) and unique constraints do that job.
    """
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_as_writer must come before the transaction's first change")
        session.commit()
    session.connection(execution_options={"begin_as_writer": True})


def init_app(app: Flask, database_url: str) -> None:
    """Create the app's engine and close each request's session when the request ends."""
    app.extensions[ENGINE_KEY] = make_engine(database_url)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    engine: Engine = current_app.extensions[ENGINE_KEY]
    return engine


def get_session() -> Session:
    """The session of the current request (or CLI command), opened on first use.

    A request that may change something (not GET, HEAD or OPTIONS) begins each transaction as
    the writer: on SQLite, a transaction that has read cannot wait for the write lock (it fails
    at once with "database is locked" if another holds it), while one that asks first waits its
    turn. On PostgreSQL this changes nothing.
    """
    if "db_session" not in g:
        engine = get_engine()
        if has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS"):
            engine = engine.execution_options(begin_as_writer=True)
        g.db_session = Session(engine, expire_on_commit=False)
        g.db_session.add_all(g.pop("rows_to_attach", ()))
    session: Session = g.db_session
    return session


def open_session() -> Session | None:
    """The request's session if it has been opened, without opening one."""
    session: Session | None = g.get("db_session")
    return session


def attach_when_opened(row: object) -> None:
    """Add `row`, built without a query, to the request's session: now if it is open, else when
    it opens, so that a request that never needs the database never opens one.
    """
    session = open_session()
    if session is not None:
        session.add(row)
    else:
        g.setdefault("rows_to_attach", []).append(row)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be used just now, rather than that the request
    asked something wrong: unreachable or dropped connections, no free connection in the pool,
    and on SQLite a file that is locked, read-only or full (all OperationalError).
    """
    if isinstance(error, (OperationalError, PoolTimeoutError)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _close_session(_exception: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
