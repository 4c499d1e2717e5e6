"""The version of the rows a page shows, known before rendering it.

Each page learns which tables it reads from its own renders: while a page renders, the SQL it
sends is read for the tables it names. Its data version is then the change counters of those
tables (`consult.site.change_counters`), read once per request in one round trip. A render that
reads a table not yet in the page's set adds it, and is not kept: what was read before it began
did not cover it. So a kept page always names every table it was drawn from, without a list
written by hand that could fall behind the code.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, event
from sqlmodel import SQLModel

from consult.db import ENGINE_KEY
from consult.site.change_counters import ChangeCounters, attach, counters_for, watch_sessions

log = logging.getLogger(__name__)

COUNTERS_KEY = "consult.change_counters"
TABLES_READ_KEY = "consult.tables_read"
_NAMED_TABLE = re.compile(r"\b(?:FROM|JOIN)\s+\"?([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_reading: ContextVar[set[str] | None] = ContextVar("consult_tables_read", default=None)


class TablesRead:
    """The tables each page has been seen to read, in this process; sets only grow."""

    def __init__(self) -> None:
        self._by_page: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def of(self, page: str) -> frozenset[str] | None:
        return self._by_page.get(page)

    def learn(self, page: str, tables: set[str]) -> None:
        """Add the tables a render of `page` read."""
        with self._lock:
            known = self._by_page.get(page)
            if known is None or not tables <= known:
                self._by_page[page] = frozenset(tables | (known or frozenset()))


def init_app(app: Flask, *, storage_uri: str, database_url: str) -> None:
    engine: Engine = app.extensions[ENGINE_KEY]
    counters = counters_for(storage_uri, database_url=database_url)
    app.extensions[COUNTERS_KEY] = counters
    app.extensions[TABLES_READ_KEY] = TablesRead()
    attach(engine, counters)
    watch_sessions()
    event.listen(engine, "before_cursor_execute", _note_tables)


def _note_tables(*arguments: Any) -> None:
    tables = _reading.get()
    if tables is not None:
        statement: str = arguments[2]
        tables.update(name.lower() for name in _NAMED_TABLE.findall(statement))


@contextmanager
def noting_tables_read() -> Iterator[set[str]]:
    """The names of the tables the SQL sent inside the block reads or writes."""
    tables: set[str] = set()
    token = _reading.set(tables)
    try:
        yield tables
    finally:
        _reading.reset(token)


def _known_tables() -> frozenset[str]:
    return frozenset(SQLModel.metadata.tables)


def counters_now(tables: Iterable[str]) -> dict[str, int] | None:
    """The counters of `tables` (and of every table the current page is known to read), in one
    round trip the first time a request or app context asks for each; None while the store
    cannot be reached. Each is read before anything drawn from its table is rendered.
    """
    known: dict[str, int] | None = g.get("change_counters")
    if known is not None and all(table in known for table in tables):
        return known
    if g.get("change_counters_unavailable"):
        return None
    if known is None:
        known = g.change_counters = {}
    missing = (set(tables) | _tables_of_this_request()) - known.keys()
    if missing:
        counters: ChangeCounters = current_app.extensions[COUNTERS_KEY]
        names = sorted(missing)
        try:
            known.update(zip(names, counters.read(names), strict=True))
        except Exception as error:  # Redis away: every page is rendered, as without counters
            log.warning("change counters unavailable, pages are rendered each time: %s", error)
            g.change_counters_unavailable = True
            return None
    return known


def _tables_of_this_request() -> frozenset[str]:
    """The tables the page asked for reads, with the accounts table when a cookie may name an
    account: read with the first counter the request needs, they cost no round trip of their own.
    """
    if not has_request_context() or request.endpoint is None:
        return frozenset()
    tables = current_app.extensions[TABLES_READ_KEY].of(request.endpoint) or frozenset()
    return tables | {"users"} if request.cookies else tables


@dataclass(frozen=True)
class DataVersion:
    """The counters of the tables a page reads, as one key."""

    key: str
    tables: frozenset[str]


def data_version(page: str) -> DataVersion | None:
    """The version of the rows `page` shows, from the counters of the tables it was seen to
    read; None when it cannot be known (never rendered in this process, or no counters).
    """
    tables = current_app.extensions[TABLES_READ_KEY].of(page)
    if tables is None:
        return None
    counters = counters_now(tables)
    return _version(tables, counters) if counters is not None else None


def _version(tables: frozenset[str], counters: dict[str, int]) -> DataVersion | None:
    if not tables <= counters.keys():
        return None
    parts = [f"{table}={counters[table]}" for table in sorted(tables)]
    return DataVersion(hashlib.sha256(",".join(parts).encode()).hexdigest()[:24], tables)


@dataclass
class Render:
    """The version of what a render drew, once it has ended: None when it cannot be named."""

    rows: DataVersion | None = None


@contextmanager
def rendering(page: str) -> Iterator[Render]:
    """Render `page` while noting the tables it reads, and name the version of what it drew.

    The counters are read before the render: the page's known tables, or every table for a page
    not rendered before in this process. Afterwards `rows` is the version of the tables the page
    is now known to read, from those counters alone, or None when one was not among them (the
    render read a table it had not read before, or the store could not be reached): what it drew
    may then be shown but not kept. The page learns its tables either way.
    """
    known: TablesRead = current_app.extensions[TABLES_READ_KEY]
    counters = counters_now(known.of(page) or _known_tables())
    before = dict(counters) if counters is not None else None
    render = Render()
    with noting_tables_read() as tables:
        yield render
    known.learn(page, tables & _known_tables())
    learned = known.of(page)
    if before is not None and learned is not None:
        render.rows = _version(learned, before)
