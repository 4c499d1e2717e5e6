"""Rules over several rows hold when requests race, through real HTTP on both databases.

gunicorn serves the site with several worker processes, so on PostgreSQL the requests below
truly run at the same time: the daily maximum of a type, one booking moved to two times at
once, and one booking cancelled from several places at once.
"""

import re
import shutil
from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from consult import create_app
from consult.booking.models import Booking
from consult.config import load_settings
from consult.db import ENGINE_KEY, get_session
from consult.mail.models import OutboxEmail
from consult.payments.models import TestCheckout
from tests.conftest import CODE_STEP, TEST_PASSWORD, app_code, hidden_fields
from tests.stateful.invariants import assert_time_is_held_once
from tests.web.booking_flow import GUEST
from tests.web.live_server import Browser, LiveServer, at_once, open_day, prepare_database

SITE_ZONE = ZoneInfo("America/Chicago")
RACERS = 7


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_database(request, tmp_path_factory):
    """One database per backend for this module's server: starting gunicorn's workers costs
    seconds, so they serve every test of the module, and each test empties the database.
    """
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("race") / "consult.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="module")
def server(live_database, tmp_path_factory):
    prepare_database(live_database)  # with an account, so no worker loads demo data
    live = LiveServer(database_url=live_database, instance_dir=tmp_path_factory.mktemp("live"))
    yield live
    live.stop()
    assert not live.errors(), "\n".join(live.errors())


@pytest.fixture
def app(server, live_database, tmp_path):
    """The app over the server's database, emptied and prepared for this test; the real clock."""
    prepare_database(live_database)
    settings = load_settings(
        {
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "DATABASE_URL": live_database,
            "CONSULT_INSTANCE_DIR": str(tmp_path / "instance"),
            "SITE_URL": "http://consult.test",
        }
    )
    app = create_app({"SETTINGS": settings, "TESTING": True, "PREPARE_DATABASE": False})
    yield app
    app.extensions[ENGINE_KEY].dispose()


def local(day, hour, minute=0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=SITE_ZONE).isoformat()


def booking_request(browser, slug, start, number):
    """A guest's filled-in details form for `start`: (path, form data)."""
    path = f"/book/{slug}/details?" + urlencode({"start": start, "tz": SITE_ZONE.key})
    data = {
        **GUEST,
        "name": f"Guest {number}",
        "email": f"guest{number}@example.org",
        "start": start,
        "tz": SITE_ZONE.key,
        "csrf_token": browser.form_token(path),
    }
    return path, data


def rows(app, query):
    with app.app_context():
        return list(get_session().exec(query).all())


def guest_emails(app, address, subject_start):
    return rows(
        app,
        select(OutboxEmail).where(
            OutboxEmail.to_address == address, col(OutboxEmail.subject).startswith(subject_start)
        ),
    )


def assert_blocks_are_exactly_the_live_bookings(app):
    with app.app_context():
        session = get_session()
        assert_time_is_held_once(session, session.exec(select(Booking)).all())


@pytest.mark.parametrize(
    ("slug", "limit", "span_minutes"), [("discovery-call", 3, 60), ("working-session", 3, 90)]
)
def test_the_daily_maximum_holds_when_many_times_of_one_day_are_booked_at_once(
    app, server, slug, limit, span_minutes
):
    """Seven guests book seven different free times of one day at once; the type allows three."""
    day = open_day()
    starts = [
        (datetime.combine(day, time(7), tzinfo=SITE_ZONE) + timedelta(minutes=span_minutes * n))
        for n in range(RACERS)
    ]
    browsers = [Browser(server.url) for _ in range(RACERS)]
    requests = [
        booking_request(browser, slug, start.isoformat(), number)
        for number, (browser, start) in enumerate(zip(browsers, starts, strict=True))
    ]
    answers = at_once(
        [
            lambda browser=browser, request=request: browser.request(*request)
            for browser, request in zip(browsers, requests, strict=True)
        ]
    )

    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [303] * limit + [409] * (RACERS - limit), statuses
    refused = [page for status, page, _ in answers if status == 409]
    assert all("That time was just taken — please choose another" in page for page in refused)
    kept = rows(app, select(Booking).where(col(Booking.status).in_(("held", "confirmed"))))
    assert len(kept) == limit
    assert {booking.starts_at.astimezone(SITE_ZONE).date() for booking in kept} == {day}
    assert_blocks_are_exactly_the_live_bookings(app)
    if slug == "discovery-call":  # free: confirmed at once, one confirmation each
        for booking in kept:
            assert len(guest_emails(app, booking.guest_email, "Confirmed")) == 1


def confirmed_free_booking(app, server, start, number):
    """A discovery call booked through the site; returns its management path."""
    browser = Browser(server.url)
    status, page, _ = browser.request(*booking_request(browser, "discovery-call", start, number))
    assert status == 303, page[:500]
    [confirmation] = guest_emails(app, f"guest{number}@example.org", "Confirmed")
    return re.search(r"http://consult\.test(/book/manage/\S+)", confirmation.text_body).group(1)


def test_one_booking_moved_to_two_times_at_once_moves_once(app, server):
    """Three guests each press "Move" in two tabs at once, for two different times: one move of
    each wins, the other tab is told the booking just changed; no time is left a ghost.
    """
    day = open_day()
    manage_paths = [confirmed_free_booking(app, server, local(day, 8 + 2 * n), n) for n in range(3)]
    presses, choices = [], []
    for n, path in enumerate(manage_paths):
        new_day = day + timedelta(days=1 + n)  # the daily maximum is not what is tested here
        choices.append((new_day, {local(new_day, 9), local(new_day, 10)}))
        move_path = f"{path}/move?" + urlencode({"tz": SITE_ZONE.key, "date": new_day})
        for tab, start in zip(
            [Browser(server.url), Browser(server.url)], sorted(choices[-1][1]), strict=True
        ):
            form = {**hidden_fields(tab.get(move_path)), "start": start}
            presses.append(lambda tab=tab, form=form, path=move_path: tab.request(path, form))
    answers = at_once(presses)

    for n, (new_day, times) in enumerate(choices):
        pair = answers[2 * n : 2 * n + 2]
        assert sorted(status for status, _, _ in pair) == [303, 409], pair
        [(_, refusal, _)] = [answer for answer in pair if answer[0] == 409]
        assert "This booking was just changed" in refusal
        [booking] = rows(app, select(Booking).where(Booking.guest_email == f"guest{n}@example.org"))
        assert booking.reschedule_count == 1
        assert len(guest_emails(app, booking.guest_email, "Moved")) == 1
        won = booking.starts_at.astimezone(SITE_ZONE).isoformat()
        assert won in times
        free_now = Browser(server.url).get(
            "/book/discovery-call/slots.json?" + urlencode({"date": new_day, "tz": SITE_ZONE.key})
        )
        assert won not in free_now
        assert (times - {won}).pop() in free_now  # the losing tab's time was never taken
    assert_blocks_are_exactly_the_live_bookings(app)


def test_moves_and_new_bookings_into_one_day_at_once_keep_its_maximum(app, server):
    """Four guests move their discovery calls into one day while three others book it, all at
    the same moment: the day ends with its three, and a refused move keeps its old time.
    """
    day = open_day()
    target = day + timedelta(days=2)
    presses = []
    for n in range(4):
        path = confirmed_free_booking(app, server, local(day + timedelta(days=n % 2), 8 + n), n)
        tab = Browser(server.url)
        move_path = f"{path}/move?" + urlencode({"tz": SITE_ZONE.key, "date": target})
        form = {**hidden_fields(tab.get(move_path)), "start": local(target, 7 + 2 * n)}
        presses.append(lambda tab=tab, path=move_path, form=form: tab.request(path, form))
    for n in range(4, 7):
        browser = Browser(server.url)
        request = booking_request(browser, "discovery-call", local(target, 7 + 2 * n), n)
        presses.append(lambda browser=browser, request=request: browser.request(*request))
    answers = at_once(presses)

    assert sorted(status for status, _, _ in answers) == [303] * 3 + [409] * 4, answers
    live = rows(app, select(Booking).where(col(Booking.status).in_(("held", "confirmed"))))
    on_target = [b for b in live if b.starts_at.astimezone(SITE_ZONE).date() == target]
    assert len(on_target) == 3
    for n, (status, _, _) in enumerate(answers[:4]):
        [booking] = rows(app, select(Booking).where(Booking.guest_email == f"guest{n}@example.org"))
        assert booking.reschedule_count == (status == 303)
        assert (booking.starts_at.astimezone(SITE_ZONE).date() == target) == (status == 303)
    assert_blocks_are_exactly_the_live_bookings(app)


def paid_working_session(app, server, start, number):
    """A working session booked and paid through the site (local test provider): the guest's
    browser and the booking's management path.
    """
    browser = Browser(server.url)
    status, page, location = browser.request(
        *booking_request(browser, "working-session", start, number)
    )
    assert status == 303, page[:500]
    pay_page = browser.get(location)
    pay_path = re.search(r'action="([^"]+/pay)"', pay_page).group(1)
    status, _, return_path = browser.request(pay_path, {"csrf_token": csrf(pay_page)})
    assert status == 303
    status, _, _ = browser.request(return_path.removeprefix("http://consult.test"))
    assert status == 303
    [confirmation] = guest_emails(app, f"guest{number}@example.org", "Confirmed")
    return re.search(r"http://consult\.test(/book/manage/\S+)", confirmation.text_body).group(1)


def csrf(page):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_one_booking_cancelled_from_three_places_at_once_is_cancelled_and_refunded_once(
    app, server
):
    """The guest in two tabs and the consultant press "Cancel" at once: one cancellation, one
    e-mail to each, one refund of what was paid.
    """
    day = open_day()
    manage = paid_working_session(app, server, local(day, 10), 1)
    [booking] = rows(app, select(Booking))
    assert booking.status == "confirmed" and booking.payment_state == "paid"

    guest_tabs = [Browser(server.url), Browser(server.url)]
    guest_forms = [{"csrf_token": tab.form_token(manage + "/cancel")} for tab in guest_tabs]
    consultant = Browser(server.url)
    sign_in_form = {
        "email": "consultant@example.org",
        "password": TEST_PASSWORD,
        "csrf_token": consultant.form_token("/accounts/sign-in"),
    }
    assert consultant.request("/accounts/sign-in", sign_in_form)[0] == 302
    code_form = {
        "code": app_code(app, "consultant@example.org"),
        "csrf_token": consultant.form_token(CODE_STEP),
    }
    assert consultant.request(CODE_STEP, code_form)[0] == 302
    admin_page = f"/admin/bookings/{booking.public_id}/"
    consultant_form = {"refund": "full", "csrf_token": consultant.form_token(admin_page)}
    answers = at_once(
        [
            lambda: guest_tabs[0].request(manage + "/cancel", guest_forms[0]),
            lambda: guest_tabs[1].request(manage + "/cancel", guest_forms[1]),
            lambda: consultant.request(admin_page + "cancel", consultant_form),
        ]
    )

    assert all(status in (303, 409) for status, _, _ in answers), answers
    for status, page, _ in answers[:2]:
        assert status == 303 or "This booking has already been cancelled" in page
    [booking] = rows(app, select(Booking))
    [checkout] = rows(app, select(TestCheckout))
    assert booking.status == "cancelled"
    assert booking.refund_requested_minor == booking.refunded_minor == booking.amount_minor
    assert checkout.refunded_minor == checkout.amount_minor
    assert booking.payment_state == "refunded"
    assert len(guest_emails(app, booking.guest_email, "Cancelled")) == 1
    assert len(guest_emails(app, "hello@consult.example", "Cancelled by")) == 1
    assert_blocks_are_exactly_the_live_bookings(app)
