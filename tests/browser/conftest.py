"""A real browser against the real run command.

The site is started exactly as the README's run command starts it (`flask --app consult run`,
on a fresh instance folder and a port other than 5000, without SITE_URL, so it migrates, loads
demo data, prints the consultant's sign-in and makes every link on the port it serves), trusting
one proxy as production does, so that each browser context is a person of its own, and
Playwright drives Debian's Chromium against it, with axe-core from npm for the accessibility
checks. Without Chromium or npm these tests are skipped with the reason; REQUIRE_BROWSER=1 makes
that a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from consult.config import PROJECT_ROOT
from tests.browser.accessibility import SCREENSHOTS, install_axe
from tests.conftest import csrf_token_from
from tests.fakes.authenticator import Authenticator
from tests.fakes.smtp import free_port
from tests.web.live_server import Browser, next_address
from tests.web.two_factor_steps import SET_UP, SETTINGS, secret_shown

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# How long an expectation waits for the page: a submitted form waits on a server that shares
# two cores with the browser and the other test worker, which can take Playwright's 5 s default.
EXPECT_TIMEOUT_MS = 15_000
# The sign-in box the run command prints: "e-mail   <address>" and, below, "password   <it>".
PASSWORD_LINE = re.compile(r"e-mail\s+(\S+@\S+)\s.*?password\s+(\S+)\s", re.S)


def _unavailable(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@dataclass(frozen=True)
class LiveSite:
    url: str
    consultant_email: str
    consultant_password: str
    log: Path
    authenticator: Authenticator  # the consultant's phone: her codes for signing in


def set_up_two_step_sign_in(url: str, email: str, password: str) -> Authenticator:
    """The demo consultant's first sign-in, as the site asks: set up two-step sign-in, keying
    the shown key into an authenticator app.
    """
    browser = Browser(url)
    sign_in = {"email": email, "password": password}
    sign_in["csrf_token"] = browser.form_token("/accounts/sign-in")
    assert browser.request("/accounts/sign-in", sign_in)[0] == 302
    start = {"csrf_token": browser.form_token(SETTINGS)}
    assert browser.request(f"{SET_UP}/start", start)[0] == 302
    page = browser.get(SET_UP)
    phone = Authenticator(secret=secret_shown(page))
    confirm = {"code": phone.code(), "csrf_token": csrf_token_from(page)}
    assert browser.request(SET_UP, confirm)[0] == 200
    return phone


@pytest.fixture(scope="session")
def live_site(tmp_path_factory) -> LiveSite:
    """`flask --app consult run` on a free port, with a brand-new instance folder."""
    instance = tmp_path_factory.mktemp("instance")
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CONSULT_", "DATABASE_URL", "SMTP_URL", "SECRET_KEY", "SITE_URL"))
    }
    environment.update(
        CONSULT_INSTANCE_DIR=str(instance),
        PYTHONUNBUFFERED="1",
        # As behind production's nginx: each browser context is a person at an address of
        # its own (People), and set-up requests come from one of their own (Browser).
        TRUSTED_PROXY_COUNT="1",
    )
    log = instance / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603  fixed argv: this interpreter runs our own app
            [sys.executable, "-m", "flask", "--app", "consult", "run", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = log.read_text()
            credentials = PASSWORD_LINE.search(text)
            if credentials and "Running on" in text:
                break
            if server.poll() is not None:
                pytest.fail(f"the run command exited:\n{text}")
            time.sleep(0.2)
        else:
            pytest.fail(f"the run command did not come up within 60 s:\n{log.read_text()}")
        url, email, password = f"http://127.0.0.1:{port}", *credentials.groups()
        phone = set_up_two_step_sign_in(url, email, password)
        yield LiveSite(url, email, password, log, phone)
    finally:
        server.terminate()
        server.wait(timeout=10)


class People:
    """Chromium, each new context a person at an address of their own, passed on in
    X-Forwarded-For as production's proxy does (the live site trusts one proxy): the limits
    per client count each person apart, not every test of the session as one visitor.
    """

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        headers = {**options.pop("extra_http_headers", {}), "X-Forwarded-For": next_address()}
        return self._browser.new_context(extra_http_headers=headers, **options)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    problem = install_axe()
    if problem:
        _unavailable(problem)
    # The screenshots of this run only: a step that is gone must not leave an old picture.
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield People(browser)
        browser.close()


@pytest.fixture
def page(browser, live_site):
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    yield page
    context.close()
