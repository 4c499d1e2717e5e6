"""Queries per request: each measured page fetched once more through a test client of an app
built with the benchmark's own settings, counting the SQL statements it sends.

Counting here, not in the served site, keeps the site free of benchmark-only code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event

from bench.routes import ANONYMOUS, CODE_STEP, Route, authenticator_code
from consult import create_app
from consult.config import load_settings
from consult.db import ENGINE_KEY

# SQLite transactions begin with a statement of their own (consult.db): not a query.
NOT_QUERIES = ("BEGIN", "BEGIN IMMEDIATE")
BASE_URL = "https://127.0.0.1"  # production cookies are Secure: the test client must use https


def _signed_in_client(app: Any, email: str, password: str, key: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/accounts/sign-in", base_url=BASE_URL).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit("the sign-in page has no form token")
    answer = client.post(
        "/accounts/sign-in",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        base_url=BASE_URL,
        headers={"Referer": f"{BASE_URL}/accounts/sign-in"},
    )
    if answer.status_code == 302 and answer.headers["Location"] == CODE_STEP:
        page = client.get(CODE_STEP, base_url=BASE_URL).get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if token is None:
            raise SystemExit("the code page has no form token")
        answer = client.post(
            CODE_STEP,
            data={"code": authenticator_code(key), "csrf_token": token.group(1)},
            base_url=BASE_URL,
            headers={"Referer": f"{BASE_URL}{CODE_STEP}"},
        )
    if answer.status_code != 302:
        raise SystemExit(f"signing in as {email} failed ({answer.status_code})")
    client.get(answer.headers["Location"], base_url=BASE_URL)  # clears the welcome message
    return client


def count_queries(
    environment: Mapping[str, str],
    routes: Sequence[Route],
    emails: Mapping[str, str],
    password: str,
    key: str,
) -> dict[str, int]:
    """The number of SQL statements each route sends, on its second request (caches warm)."""
    settings = load_settings(dict(environment))
    app = create_app({"SETTINGS": settings, "RATELIMIT_ENABLED": False})
    statements: list[str] = []

    def record(*arguments: Any) -> None:
        statement: str = arguments[2]
        if statement.strip().upper() not in NOT_QUERIES:
            statements.append(statement)

    engine = app.extensions[ENGINE_KEY]
    event.listen(engine, "before_cursor_execute", record)
    clients = {ANONYMOUS: app.test_client()}
    for visitor, email in emails.items():
        clients[visitor] = _signed_in_client(app, email, password, key)
    counts = {}
    for route in routes:
        client = clients[route.visitor]
        client.get(route.path, base_url=BASE_URL)
        statements.clear()
        response = client.get(route.path, base_url=BASE_URL)
        if response.status_code != 200:
            raise SystemExit(f"{route.path} answered {response.status_code} to the query count")
        counts[route.label] = len(statements)
    engine.dispose()
    return counts
