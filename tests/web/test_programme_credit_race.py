"""Eight members of one organisation press "Book" at once, each for a different time, with two
credits left, through a real HTTP server: exactly two get a session without paying, the others
a clear refusal. On PostgreSQL the requests truly run in parallel.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, build_opener

from werkzeug.serving import make_server

from tests.conftest import TEST_PASSWORD
from tests.web.booking_flow import GUEST, bookings, free_slots
from tests.web.programme_steps import (
    WORKING,
    calendar,
    credits,
    details_path,
    grant,
    make_people,
    make_programme,
)

MEMBERS = 8
CREDITS = 2
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def separate_times(client, count):
    """`count` start times far enough apart that no two bookings compete for time."""
    times = []
    for day in ("2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"):
        slots = free_slots(client, WORKING, day)
        morning = slots[0]
        afternoon = next(s for s in slots if datetime.fromisoformat(s).hour >= 13)
        times += [morning, afternoon]
    return times[:count]


def test_two_credits_and_eight_members_at_once_make_exactly_two_free_bookings(
    app, clock, consultant
):
    calendar(app)
    programme = make_programme(app, clock, sessions={WORKING: CREDITS})
    organisation, _, members = make_people(app, clock, members=MEMBERS)
    grant(app, clock, programme, organisation, consultant)
    starts = separate_times(app.test_client(), MEMBERS)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    choice = f"credit:{organisation.public_id}"
    try:

        def prepared(member, start):
            opener = build_opener(HTTPCookieProcessor(CookieJar()), NoRedirects())
            sign_in = opener.open(base + "/accounts/sign-in").read().decode()
            try:
                opener.open(
                    base + "/accounts/sign-in",
                    data=urlencode(
                        {
                            "email": member.email,
                            "password": TEST_PASSWORD,
                            "csrf_token": CSRF.search(sign_in).group(1),
                        }
                    ).encode(),
                )
            except HTTPError as answer:
                assert answer.code == 302, answer.read()
            path = details_path(WORKING, start)
            page = opener.open(base + path).read().decode()
            assert "(2 left), without paying" in page
            body = urlencode(
                {
                    **GUEST,
                    "name": member.name,
                    "email": member.email,
                    "book_as": choice,
                    "start": start,
                    "tz": "America/Chicago",
                    "csrf_token": CSRF.search(page).group(1),
                }
            ).encode()
            return opener, base + path, body

        ready = [prepared(member, start) for member, start in zip(members, starts, strict=True)]
        barrier = threading.Barrier(MEMBERS)

        def press_book(request):
            opener, url, body = request
            barrier.wait()
            try:
                response = opener.open(url, data=body)
                return response.status, response.read().decode()
            except HTTPError as answer:
                return answer.code, answer.read().decode()

        with ThreadPoolExecutor(MEMBERS) as pool:
            results = list(pool.map(press_book, ready))
    finally:
        server.shutdown()

    statuses = sorted(status for status, _ in results)
    assert statuses == [303] * CREDITS + [409] * (MEMBERS - CREDITS), statuses
    refusals = [html for status, html in results if status == 409]
    assert all("No session of this kind is left" in html for html in refusals)
    made = bookings(app)
    assert len(made) == CREDITS
    assert all(b.status == "confirmed" and b.payment_state == "not_required" for b in made)
    held = sorted(credit.booking_id for credit in credits(app))
    assert held == sorted(booking.id for booking in made)
