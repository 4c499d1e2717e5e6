"""Twenty guests press "Book" for one time at once, via a real HTTP server: exactly one gets it."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, build_opener

from sqlmodel import select
from werkzeug.serving import make_server

from consult.booking.models import Booking, BookingTimeBlock
from consult.db import get_session
from consult.demo import add_demo_booking_calendar
from tests.web.booking_flow import GUEST

GUESTS = 20


class NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_twenty_concurrent_bookings_of_one_slot_make_exactly_one_hold(app):
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        start = "2026-11-30T09:00:00-06:00"
        path = "/book/leadership-strategy-session/details?" + urlencode(
            {"start": start, "tz": "America/Chicago"}
        )

        def prepared_guest(number):
            opener = build_opener(HTTPCookieProcessor(CookieJar()), NoRedirects())
            token = re.search(
                r'name="csrf_token"[^>]*value="([^"]+)"', opener.open(base + path).read().decode()
            ).group(1)
            body = urlencode(
                {
                    **GUEST,
                    "name": f"Guest {number}",
                    "start": start,
                    "tz": "America/Chicago",
                    "csrf_token": token,
                }
            ).encode()
            return opener, body

        guests = [prepared_guest(number) for number in range(GUESTS)]
        barrier = threading.Barrier(GUESTS)

        def press_book(guest):
            opener, body = guest
            barrier.wait()
            try:
                response = opener.open(base + path, data=body)
                return response.status, response.read().decode()
            except HTTPError as answer:
                return answer.code, answer.read().decode()

        with ThreadPoolExecutor(GUESTS) as pool:
            results = list(pool.map(press_book, guests))
    finally:
        server.shutdown()

    statuses = sorted(status for status, _ in results)
    assert statuses == [303] + [409] * (GUESTS - 1), statuses
    refusals = [html for status, html in results if status == 409]
    assert all("That time was just taken — please choose another" in html for html in refusals)
    with app.app_context():
        held = get_session().exec(select(Booking)).all()
        assert [booking.status for booking in held] == ["held"]
        blocks = get_session().exec(select(BookingTimeBlock)).all()
        assert len(blocks) == (15 + 90 + 30) // 5


def test_the_database_itself_refuses_overlapping_time(app, clock):
    """The guarantee does not rest on the Python check: overlapping blocks cannot both be stored."""
    from zoneinfo import ZoneInfo

    import pytest

    from consult.booking.occupying import SlotTaken, occupy

    chicago = ZoneInfo("America/Chicago")
    with app.app_context():
        session = get_session()
        add_demo_booking_calendar(session)
        session.commit()
        first = _raw_booking(
            session, clock, "2026-11-30T15:00:00+00:00", "2026-11-30T16:30:00+00:00", "a"
        )
        occupy(session, first, site_time_zone=chicago, now=clock())
        overlapping = _raw_booking(
            session, clock, "2026-11-30T16:25:00+00:00", "2026-11-30T17:00:00+00:00", "b"
        )
        with pytest.raises(SlotTaken):
            occupy(session, overlapping, site_time_zone=chicago, now=clock())
        touching = _raw_booking(
            session, clock, "2026-11-30T16:30:00+00:00", "2026-11-30T17:00:00+00:00", "c"
        )
        occupy(session, touching, site_time_zone=chicago, now=clock())
        session.commit()


def _raw_booking(session, clock, start, end, key):
    from datetime import datetime

    booking = Booking(
        public_id=f"raw-{key}",
        consultation_type_id=1,
        starts_at=datetime.fromisoformat(start),
        ends_at=datetime.fromisoformat(end),
        earliest_starts_at=datetime.fromisoformat(start),
        occupies_from=datetime.fromisoformat(start),
        occupies_until=datetime.fromisoformat(end),
        status="held",
        guest_name="G",
        guest_email="g@example.org",
        organisation="O",
        role="R",
        guest_time_zone="UTC",
        policy_accepted_at=clock(),
        created_at=clock(),
    )
    session.add(booking)
    session.flush()
    return booking
