"""The database unreachable, locked, read-only or full: a calm 503, nothing half done, and
the site recovers by itself once the database is back.

PostgreSQL is taken away through a TCP proxy the test cuts and restores, or by pointing the
app at a port where nothing listens; SQLite's write failures are made real through PRAGMAs on
each new connection (query_only, max_page_count) and a second connection holding the lock.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
from collections.abc import Callable, Iterator

import pytest
from flask_login import current_user
from sqlalchemy import event, make_url
from sqlmodel import select

from consult.accounts.models import PasswordResetToken
from consult.booking.models import ConsultationType
from consult.db import ENGINE_KEY, get_session
from consult.mail.models import OutboxEmail
from tests.conftest import Auth, signed_in_client, submit_form
from tests.fakes.tcp_proxy import TcpProxy

CALM = "The site cannot reach its records just now"
WITHOUT_DATABASE = ["/", "/blog/", "/about/"]


def assert_calm_503(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503, (response.status_code, page[:300])
    assert CALM in page and response.headers["Retry-After"] == "60"
    assert "Sign out" not in page  # drawn without asking the database who is signed in


def on_port(database_url: str, port: int) -> str:
    return make_url(database_url).set(port=port).render_as_string(hide_password=False)


@pytest.fixture
def proxy(database_url) -> Iterator[TcpProxy]:
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    yield proxy
    proxy.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgres_going_away_answers_503_everywhere_it_is_needed_then_recovers_by_itself(
    database_url, proxy, booking_app, make_app, make_user
):
    app = make_app(DATABASE_URL=on_port(database_url, proxy.port))
    cut_mid_request = []

    @app.before_request
    def lose_the_database_after_loading_the_user() -> None:
        if cut_mid_request:
            assert current_user.is_authenticated  # the request now holds a connection
            proxy.cut()

    browsers = {
        "/admin/": signed_in_client(app, make_user(role="consultant")),
        "/portal/": signed_in_client(app, make_user(role="client")),
    }
    # Pages kept while nothing they show changes are still sent: nothing could have changed.
    kept = {
        "/book/": app.test_client(),
        "/book/discovery-call/": app.test_client(),
        "/admin/bookings/": signed_in_client(app, make_user(role="consultant")),
    }
    guest = app.test_client()
    for path, browser in browsers.items():
        assert browser.get(path).status_code == 200, path
    seen = {path: [browser.get(path) for _ in range(2)][-1] for path, browser in kept.items()}
    assert all(page.status_code == 200 for page in seen.values())

    proxy.cut()
    for path, browser in browsers.items():
        assert_calm_503(browser.get(path))
    for path, browser in kept.items():
        assert browser.get(path).get_data() == seen[path].get_data(), path
    assert_calm_503(guest.get("/book/working-session/"))  # not drawn yet: it needs the database
    health = guest.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    for path in WITHOUT_DATABASE:
        assert guest.get(path).status_code == 200, path
    missing = browsers["/admin/"].get("/no-such-page/")  # who it is: the worker still knows
    assert missing.status_code == 404
    member = make_user(email="late@example.org")  # made through the app's own connection
    signing_in = app.test_client()
    assert_calm_503(Auth(signing_in).sign_in(member.email))

    proxy.restore()
    for path, browser in browsers.items():  # the same app: dead connections are replaced
        assert browser.get(path).status_code == 200, path
    assert guest.get("/book/working-session/").status_code == 200
    assert guest.get("/healthz").get_json() == {"status": "ok"}
    assert signing_in.get("/accounts/password").status_code == 302  # no session was left

    consultant = browsers["/admin/"]
    cut_mid_request.append(True)  # the connection breaks while a request is using it
    assert_calm_503(consultant.get("/admin/"))
    cut_mid_request.clear()
    proxy.restore()
    assert consultant.get("/admin/").status_code == 200


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgres_where_nothing_listens_is_a_503_and_pages_without_the_database_serve(
    database_url, make_app
):
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        free_port = placeholder.getsockname()[1]
    app = make_app(DATABASE_URL=on_port(database_url, free_port))
    browser = app.test_client()
    assert_calm_503(browser.get("/book/"))
    assert_calm_503(Auth(browser).sign_in("someone@example.org"))
    assert browser.get("/healthz").status_code == 503
    for path in WITHOUT_DATABASE:
        assert browser.get(path).status_code == 200, path


@contextlib.contextmanager
def sqlite_fault(app, fault: str) -> Iterator[None]:
    """Every new connection of the app's engine fails to write, in the way named by `fault`."""
    engine = app.extensions[ENGINE_KEY]
    holder = None
    if fault == "locked":  # another process is writing, and keeps at it
        holder = sqlite3.connect(engine.url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    elif fault == "full":  # no free pages inside the file either
        engine.dispose()
        with contextlib.closing(sqlite3.connect(engine.url.database)) as vacuum:
            vacuum.execute("VACUUM")

    def on_connect(connection: sqlite3.Connection, _record: object) -> None:
        if fault == "locked":
            connection.execute("PRAGMA busy_timeout = 50")
        elif fault == "read-only":
            connection.execute("PRAGMA query_only = ON")
        else:  # full: not one page more than the file has now
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count = {pages}")

    hook: Callable[..., None] = on_connect
    event.listen(engine, "connect", hook)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", hook)
        engine.dispose()
        if holder is not None:
            holder.rollback()
            holder.close()


BIG_TYPE = {  # its description alone needs a new page of the file, so "full" refuses it
    "name": "Board retreat",
    "description": "A day with your board. " * 200,
    "duration_minutes": "120",
    "price": "0",
    "currency": "usd",
    "buffer_before_minutes": "0",
    "buffer_after_minutes": "0",
    "minimum_notice_hours": "24",
    "booking_window_days": "60",
    "location_kind": "place",
    "location": "Your offices",
}


def saved_rows(app) -> dict[str, int]:
    with app.app_context():
        session = get_session()
        return {
            model.__name__: len(session.exec(select(model)).all())
            for model in (ConsultationType, PasswordResetToken, OutboxEmail)
        }


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("fault", ["read-only", "locked", "full"])
def test_a_sqlite_write_failure_is_a_503_that_saves_nothing(app, make_user, fault):
    consultant = signed_in_client(app, make_user(role="consultant"))
    member = make_user(email="member@example.org")
    guest = app.test_client()
    before = saved_rows(app)
    with sqlite_fault(app, fault):
        assert consultant.get("/admin/types/").status_code == 200  # reading still works
        assert_calm_503(submit_form(consultant, "/admin/types/new", BIG_TYPE))
        if fault != "full":  # these change a row in place or add small ones: no new page needed
            assert_calm_503(submit_form(guest, "/accounts/reset", {"email": member.email}))
            assert_calm_503(Auth(guest).sign_in(member.email))
    assert saved_rows(app) == before
    assert guest.get("/accounts/password").status_code == 302  # the failed sign-in left no session
    assert submit_form(consultant, "/admin/types/new", BIG_TYPE).status_code == 303
    assert submit_form(guest, "/accounts/reset", {"email": member.email}).status_code == 200
    assert Auth(guest).sign_in(member.email).status_code == 302
