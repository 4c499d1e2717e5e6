"""Guests book a time while the consultant blocks it as time off, all at once over real HTTP:
exactly one of them gets it, on SQLite and PostgreSQL alike.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

from sqlmodel import select
from werkzeug.serving import make_server

from consult.booking.models import Booking, TimeOff
from consult.db import get_session
from consult.demo import add_demo_booking_calendar
from tests.conftest import CODE_STEP, TEST_PASSWORD, app_code
from tests.web.booking_flow import GUEST
from tests.web.test_booking_race import NoRedirects

GUESTS = 6
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def prepared(base, path, fields):
    """An opener with its own cookies and the form's body, token included, ready to post."""
    opener = build_opener(HTTPCookieProcessor(CookieJar()), NoRedirects())
    token = TOKEN.search(opener.open(base + path).read().decode()).group(1)
    return opener, urlencode({**fields, "csrf_token": token}).encode()


def post(opener, url, body):
    try:
        response = opener.open(url, data=body)
        return response.status
    except HTTPError as answer:
        return answer.code


def test_a_guests_booking_and_the_consultants_time_off_never_both_win(app, make_user):
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    consultant = make_user(role="consultant")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        start = "2026-11-30T09:00:00-06:00"
        details = "/book/discovery-call/details?" + urlencode(
            {"start": start, "tz": "America/Chicago"}
        )
        calls = []
        for number in range(GUESTS):
            opener, body = prepared(
                base,
                details,
                {**GUEST, "name": f"Guest {number}", "start": start, "tz": "America/Chicago"},
            )
            calls.append((opener, base + details, body))
        host, sign_in = prepared(
            base, "/accounts/sign-in", {"email": consultant.email, "password": TEST_PASSWORD}
        )
        assert post(host, base + "/accounts/sign-in", sign_in) == 302
        token = TOKEN.search(host.open(base + CODE_STEP).read().decode()).group(1)
        code = urlencode({"code": app_code(app, consultant.email), "csrf_token": token}).encode()
        assert post(host, base + CODE_STEP, code) == 302
        token = TOKEN.search(host.open(base + "/admin/time-off/").read().decode()).group(1)
        block = urlencode(
            {"starts_at": "2026-11-30T08:30", "ends_at": "2026-11-30T10:00", "csrf_token": token}
        ).encode()
        calls.insert(GUESTS // 2, (host, base + "/admin/time-off/", block))
        barrier = threading.Barrier(len(calls))

        def press(call):
            barrier.wait()
            return post(*call)

        with ThreadPoolExecutor(len(calls)) as pool:
            statuses = list(pool.map(press, calls))
    finally:
        server.shutdown()

    host_status = statuses.pop(GUESTS // 2)
    with app.app_context():
        booked = get_session().exec(select(Booking)).all()
        blocked = get_session().exec(select(TimeOff)).all()
    if host_status == 303:
        assert statuses == [409] * GUESTS and booked == [] and len(blocked) == 1
    else:
        assert host_status == 422 and blocked == []
        assert sorted(statuses) == [303] + [409] * (GUESTS - 1)
        assert [booking.status for booking in booked] == ["confirmed"]
