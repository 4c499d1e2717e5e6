"""Shared fixtures: the app on SQLite and PostgreSQL, clients, sign-in helpers and factories.

Every test that takes `app` runs twice: on SQLite and on PostgreSQL. The PostgreSQL leg needs
TEST_DATABASE_URL; without it that leg is skipped and says why, and REQUIRE_POSTGRES=1 turns a
missing or unreachable server into a failure.
"""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from hypothesis import settings

from consult import create_app
from consult.accounts.service import create_user, find_user_by_email
from consult.accounts.two_factor_service import confirm_setup, pending_secret
from consult.config import load_settings
from consult.db import ENGINE_KEY, get_session
from consult.migrate import upgrade_to_head
from tests.fakes.authenticator import unused_code
from tests.fakes.clock import FakeClock

# The PostgreSQL leg's fixtures and its report.
pytest_plugins = ("tests.postgres_leg",)

# Properties are about results, not speed: a busy CI machine must not fail them on a deadline.
settings.register_profile("consult", deadline=None)
settings.load_profile("consult")

TEST_PASSWORD = "a calm morning walk"
# What production requires besides its own database, secret key and site address: a shared
# rate-limit store (memory:// is refused), Stripe (never the test payment page) and a mail server.
PRODUCTION_SERVICES = {
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "STRIPE_SECRET_KEY": "sk_test_production_tests",
    "STRIPE_WEBHOOK_SECRET": "whsec_production_tests",
    "SMTP_URL": "smtp://127.0.0.1:2525",
}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite database, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, migrated database for one test, on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "consult.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("emptied_postgres_url")
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app(database_url, tmp_path, clock):
    """Build an app on this test's database; keyword arguments are extra environment settings."""
    apps = []

    def build(config: dict | None = None, **environment):
        local = environment.get("CONSULT_ENV", "development") != "production"
        settings = load_settings(
            {
                "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                "DATABASE_URL": database_url,
                "CONSULT_INSTANCE_DIR": str(tmp_path / "instance"),
                "SITE_URL": "http://consult.test",
                # The tests' calendar feeds are served on 127.0.0.1, as in local development.
                "CALENDAR_FEEDS_ALLOW_LOOPBACK": "1" if local else "",
                **environment,
            }
        )
        app = create_app(
            {
                "SETTINGS": settings,
                "TESTING": True,
                "PREPARE_DATABASE": False,
                "MAIL_DELIVER_AFTER_REQUEST": False,
                "RATELIMIT_ENABLED": False,
                "CLOCK": clock,
                **(config or {}),
            }
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions[ENGINE_KEY].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def turn_on_two_factor(session, user, now) -> None:
    """Set up two-step sign-in as the set-up page does, confirming with the code the app showed
    30 seconds before `now` (within the drift the site accepts): now's code and the next are left
    for signing in without moving the clock.
    """
    secret = pending_secret(session=session, user=user)
    earlier = pyotp.TOTP(secret).at(now - timedelta(seconds=30))
    confirm_setup(session=session, user=user, code=earlier, now=now)


@pytest.fixture
def make_user(app, clock):
    """Create and commit a user; returns it. Defaults give a client with TEST_PASSWORD; a
    consultant has two-step sign-in on, as the site requires, unless `two_factor=False`.
    """
    counter = iter(range(1, 10_000))

    def build(
        *,
        email: str | None = None,
        role: str = "client",
        name: str = "Test Person",
        password: str = TEST_PASSWORD,
        two_factor: bool | None = None,
    ):
        with app.app_context():
            session = get_session()
            user = create_user(
                session=session,
                email=email or f"person{next(counter)}@example.org",
                name=name,
                password=password,
                role=role,
                now=clock(),
            )
            if role == "consultant" if two_factor is None else two_factor:
                turn_on_two_factor(session, user, clock())
            session.commit()
            return user

    return build


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page has no CSRF token field"
    return match.group(1)


HIDDEN_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page's first form that has each (the footer's subscribe form, with
    its own empty token field, comes after the page's own form).
    """
    fields: dict[str, str] = {}
    for name, value in HIDDEN_FIELD.findall(html):
        fields.setdefault(name, value)
    return fields


def submit_form(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    """POST `data` the way a browser would: with the CSRF token of the page that holds the form."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token_from(html)}, **kwargs)


CODE_STEP = "/accounts/two-step/sign-in"


def app_code(app, email: str) -> str:
    """The code the authenticator app holding the account's key shows at the app's time."""
    with app.app_context():
        user = find_user_by_email(session=get_session(), email=email)
        assert user is not None and user.two_factor_secret, f"{email} has no two-step sign-in"
        _, code = unused_code(
            secret=user.two_factor_secret,
            last_used_step=user.two_factor_last_used_step,
            now=app.config["CLOCK"](),
        )
        return code


class Auth:
    """Sign-in helper in the manner of Flask's tutorial."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, email: str, password: str = TEST_PASSWORD, **extra):
        """The password step only: with two-step sign-in on, it leads to the code's page."""
        return submit_form(
            self.client, "/accounts/sign-in", {"email": email, "password": password, **extra}
        )

    def sign_in_all_steps(self, email: str, password: str = TEST_PASSWORD, **extra):
        """The password, then, when the site asks for it, the code from the app."""
        passed = self.sign_in(email, password, **extra)
        if passed.status_code != 302 or passed.headers["Location"] != CODE_STEP:
            return passed
        code = app_code(self.client.application, email)
        return submit_form(self.client, CODE_STEP, {"code": code})

    def sign_out(self):
        """Sign out with the header's form; signed out, there is none: the sign-in page's token."""
        html = self.client.get("/").get_data(as_text=True)
        page = "/" if CSRF_FIELD.search(html) else "/accounts/sign-in"
        return submit_form(self.client, "/accounts/sign-out", {}, page=page)


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def consultant(make_user):
    return make_user(email="consultant@example.org", role="consultant", name="Ms. Irons")


def signed_in_client(app, user):
    """A test client of its own, signed in as `user` (whose password is TEST_PASSWORD), with
    the app's code when the account has two-step sign-in.
    """
    client = app.test_client()
    signed_in = Auth(client).sign_in_all_steps(user.email)
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    return client


@pytest.fixture
def consultant_client(app, consultant):
    return signed_in_client(app, consultant)


@pytest.fixture
def client_member(make_user):
    return make_user(email="member@example.org", role="client", name="Jordan Member")


@pytest.fixture
def client_member_client(app, client_member):
    return signed_in_client(app, client_member)
