"""Change counters: a number per table that goes up after each committed change to its rows.

A page that shows rows of some tables names the version of what it shows by their counters,
without asking the database: its finished answer can then be kept and sent again until one of
them moves. The counters live in the store every worker shares: Redis, where the rate limits
are counted, or, where those are counted in memory (locally, on SQLite), a file every process
on the machine reads.

Every write through a SQLAlchemy session is noticed: the rows a flush inserts, updates or
deletes, and INSERT, UPDATE and DELETE statements the session executes. The counters move once
the transaction has committed, so a page rendered from the new rows can never be kept under the
old version. A counter that is missing (a new or emptied Redis) starts at a random number, never
at a value it may have had before.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction
from sqlalchemy.sql.dml import UpdateBase

log = logging.getLogger(__name__)

CHANGED_TABLES_KEY = "consult.changed_tables"


class ChangeCounters(Protocol):
    def bump(self, tables: Iterable[str]) -> None:
        """Move the counter of each table (after its transaction committed)."""

    def read(self, tables: Sequence[str]) -> tuple[int, ...]:
        """The counters of `tables`, in their order (a missing one is started first)."""


def fresh_start() -> int:
    """A counter's first value: random, so that no version repeats one from before a reset."""
    return secrets.randbits(60)


class FileChangeCounters:
    """The counters of one database in a file, for a site without Redis (locally): every
    process on this machine that uses the database shares it, whatever its instance folder. Each
    bump rewrites it whole under a lock and moves it into place. A reader reads it each time but
    parses it only when its bytes changed: its inode, size and time can all come back alike (a
    freed inode is reused, and file times move in clock ticks), so they cannot tell.
    """

    def __init__(self, path: Path):
        self.path = path
        self._lock_path = path.with_suffix(".lock")
        self._seen: bytes | None = None
        self._values: dict[str, int] = {}

    def bump(self, tables: Iterable[str]) -> None:
        self._update(lambda values, table: values.get(table, fresh_start()) + 1, set(tables))

    def read(self, tables: Sequence[str]) -> tuple[int, ...]:
        values = self._current()
        missing = {table for table in tables if table not in values}
        if missing:
            self._update(lambda values, table: values.get(table, fresh_start()), missing)
            values = self._current()
        return tuple(values[table] for table in tables)

    def _current(self) -> dict[str, int]:
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        if content != self._seen:
            self._values = json.loads(content)
            self._seen = content
        return self._values

    def _update(self, new_value: Callable[[dict[str, int], str], int], tables: set[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            values = json.loads(self.path.read_text()) if self.path.exists() else {}
            for table in tables:
                values[table] = new_value(values, table)
            written = self.path.with_suffix(f".{os.getpid()}.tmp")
            written.write_text(json.dumps(values))
            os.replace(written, self.path)


def _database_digest(database_url: str) -> str:
    database = make_url(database_url).render_as_string(hide_password=True)
    return hashlib.sha256(database.encode()).hexdigest()[:16]


def counters_for(storage_uri: str, *, database_url: str) -> ChangeCounters:
    """Counters in the rate limits' Redis; in a file when that store is memory:// (each process
    counts its limits alone, but all of them share the file's counters).
    """
    if not storage_uri or storage_uri.startswith("memory://"):
        return FileChangeCounters(counters_file(database_url))
    from limits.storage import storage_from_string

    from consult.site.redis_counters import RedisChangeCounters

    storage: Any = storage_from_string(storage_uri)
    client = storage.storage  # the limits store's own Redis client, whatever its Redis scheme
    prefix = f"consult:changes:{{{_database_digest(database_url)}}}"
    return RedisChangeCounters(client, prefix=prefix)


def counters_file(database_url: str) -> Path:
    """Beside a SQLite database's file; for a database server, in the machine's temporary
    folder, named after the database.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.change-counters.json")
    folder = Path(tempfile.gettempdir()) / "consult-change-counters"
    return folder / f"{_database_digest(database_url)}.json"


def every_table_changed(tables: Iterable[str], *, storage_uri: str, database_url: str) -> None:
    """Move every counter: after rows were changed behind the sessions' backs (a table emptied
    with TRUNCATE, a database dropped and loaded again), no kept page may stand.
    """
    counters_for(storage_uri, database_url=database_url).bump(tables)


def watch_sessions(session_class: type[Session] = Session) -> None:
    """Count every committed write made through `session_class` on a database with counters.

    The listeners are global to the class, so each finds the counters of its session's database
    (tied by `attach`): sessions on other databases are left alone.
    """
    if getattr(session_class, "_consult_change_counters_watched", False):
        return
    session_class._consult_change_counters_watched = True  # type: ignore[attr-defined]
    event.listen(session_class, "after_flush", _note_flushed_tables)
    event.listen(session_class, "do_orm_execute", _note_executed_table)
    event.listen(session_class, "after_commit", _bump_committed_tables)
    event.listen(session_class, "after_soft_rollback", _forget_tables)


_COUNTERS_BY_DATABASE: dict[str, ChangeCounters] = {}


def attach(engine: Engine, counters: ChangeCounters) -> None:
    """Tie `counters` to the database of `engine`, for the listeners of `watch_sessions`: any
    session on that database (another engine of the same address included) moves them.
    """
    _COUNTERS_BY_DATABASE[engine.url.render_as_string(hide_password=False)] = counters


def counters_of(session: Session) -> ChangeCounters | None:
    url = getattr(session.bind, "url", None)
    if url is None:
        return None
    return _COUNTERS_BY_DATABASE.get(url.render_as_string(hide_password=False))


def _changed(session: Session) -> set[str]:
    tables: set[str] = session.info.setdefault(CHANGED_TABLES_KEY, set())
    return tables


def _note_flushed_tables(session: Session, _flush: UOWTransaction) -> None:
    # In after_flush, new, dirty and deleted still show what this flush wrote.
    for row in (*session.new, *session.dirty, *session.deleted):
        table = getattr(row, "__table__", None)
        if table is not None:
            _changed(session).add(table.name)


def _note_executed_table(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, UpdateBase):
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
        if name:
            _changed(state.session).add(name)


def _bump_committed_tables(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint released (SQLAlchemy calls it a commit too): nothing is committed until
        # the outer transaction is, so its tables wait for that.
        return
    tables = session.info.pop(CHANGED_TABLES_KEY, None)
    counters = counters_of(session)
    if not tables or counters is None:
        return
    try:
        counters.bump(tables)
    except Exception:  # Redis away: pages keyed by these counters may lag until it is back
        log.exception("could not move the change counters of %s", ", ".join(sorted(tables)))


def _forget_tables(session: Session, previous_transaction: SessionTransaction) -> None:
    # Only the outer transaction's rollback undoes every write: after a savepoint's, what was
    # written before it still commits (the tables written inside it move too, which is harmless).
    if previous_transaction.parent is None:
        session.info.pop(CHANGED_TABLES_KEY, None)
