"""Forms that queue mail, posted at once over real HTTP while slow SMTP delivery runs: no 500.

On SQLite this used to answer 500 "database is locked": a request's transaction that had read
could not wait for the write lock held by another request or by a delivery pass.
"""

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
from werkzeug.serving import make_server

from tests.fakes.smtp import LoopbackSmtpServer
from tests.web.mail_fixtures import deliver, eventually, queue, stored

PEOPLE = 8  # each asks for a password reset and subscribes to the blog, all at once
ROUNDS = 2
QUEUED_BEFORE = 15


@pytest.fixture
def slow_smtp_server():
    server = LoopbackSmtpServer(delay_seconds=0.3)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def serving(make_app, slow_smtp_server):
    """The app behind a real threaded HTTP server, delivering mail after each request."""
    app = make_app({"MAIL_DELIVER_AFTER_REQUEST": True}, SMTP_URL=slow_smtp_server.url)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def prepared_form(base, path, fields):
    """A visitor with the form's page loaded: a cookie jar and the body to post."""
    opener = build_opener(HTTPCookieProcessor(CookieJar()))
    page = opener.open(base + path).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return opener, base + path, urlencode({**fields, "csrf_token": token}).encode()


def test_forms_that_queue_mail_posted_at_once_while_slow_delivery_runs_all_succeed(
    serving, make_user, clock, slow_smtp_server
):
    app, base = serving
    for number in range(QUEUED_BEFORE):
        queue(app, clock, to=f"earlier{number}@example.org")
    for number in range(PEOPLE):
        make_user(email=f"person{number}@example.org")
    running_pass = threading.Thread(target=deliver, args=(app, clock))
    running_pass.start()
    eventually(lambda: slow_smtp_server.messages)  # a slow pass is under way

    def post(form):
        opener, url, body = form
        barrier.wait()
        try:
            return opener.open(url, data=body).status
        except HTTPError as answer:
            return answer.code

    statuses = []
    for _ in range(ROUNDS):
        forms = [
            prepared_form(base, path, {"email": f"person{number}@example.org"})
            for number in range(PEOPLE)
            for path in ("/accounts/reset", "/blog/subscribe")
        ]
        barrier = threading.Barrier(len(forms))
        with ThreadPoolExecutor(len(forms)) as pool:
            statuses += list(pool.map(post, forms))
    running_pass.join()

    assert statuses == [200] * (2 * PEOPLE * ROUNDS)
    queued = Counter(email.to_address for email in stored(app))
    assert queued.total() >= QUEUED_BEFORE + PEOPLE * (ROUNDS + 1)  # resets, first subscriptions
    eventually(lambda: {email.status for email in stored(app)} == {"sent"}, timeout=60)
    assert Counter(message["To"] for message in slow_smtp_server.messages) == queued
