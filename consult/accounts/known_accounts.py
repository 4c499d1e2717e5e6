"""The account a sign-in cookie names, kept in this process between its requests.

Finding the account is the one query every signed-in request sends. While the users table's
change counter (`consult.site.change_counters`) has not moved, the columns read last time are
still the account's, so the row is rebuilt from them, as if just loaded, and joins the
request's session when that opens (a kept page is sent without ever opening one). Any change
to any account (signing out everywhere, a new password, deactivation, a changed name or role)
moves the counter, and the next request reads it afresh. Without counters every request reads
it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import Flask, current_app
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from sqlmodel import select

from consult.accounts.models import User
from consult.db import attach_when_opened, get_session, open_session
from consult.site.data_versions import counters_now

KNOWN_ACCOUNTS_KEY = "consult.known_accounts"
MAX_ACCOUNTS = 10_000
ACCOUNT_COLUMNS = tuple(column.key for column in sa_inspect(User).columns)
_USER_CLASS = sa_inspect(User).class_manager


class KnownAccounts:
    """Account columns by session token, with the users counter they were read at (LRU)."""

    def __init__(self, max_accounts: int = MAX_ACCOUNTS):
        self.max_accounts = max_accounts
        self._accounts: OrderedDict[str, tuple[int, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, session_token: str) -> User | None:
        counter = (counters_now(("users",)) or {}).get("users")
        if counter is not None:
            with self._lock:
                kept = self._accounts.get(session_token)
            if kept is not None and kept[0] == counter:
                return _attached(kept[1])
        query = select(User).where(User.session_token == session_token)
        user = get_session().exec(query).first()
        if user is not None and counter is not None:
            columns = {name: getattr(user, name) for name in ACCOUNT_COLUMNS}
            with self._lock:
                self._accounts[session_token] = (counter, columns)
                self._accounts.move_to_end(session_token)
                while len(self._accounts) > self.max_accounts:
                    self._accounts.popitem(last=False)
        return user


def _attached(columns: dict[str, Any]) -> User:
    """The account as the request's session would have loaded it, without a query (attached
    once the session opens: a kept page may be sent without one).
    """
    session = open_session()
    if session is not None:
        present = session.identity_map.get(identity_key(User, columns["id"]))
        if isinstance(present, User):
            return present
    user: User = _USER_CLASS.new_instance()  # as the ORM makes a row it has read: no __init__
    user.__dict__.update(columns)
    make_transient_to_detached(user)  # its columns count as loaded, with no change pending
    attach_when_opened(user)
    return user


def init_app(app: Flask) -> None:
    app.extensions[KNOWN_ACCOUNTS_KEY] = KnownAccounts()


def account_with_token(session_token: str) -> User | None:
    known: KnownAccounts = current_app.extensions[KNOWN_ACCOUNTS_KEY]
    return known.find(session_token)
