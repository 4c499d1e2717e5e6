"""Abuse limits: each form that sends e-mail, checks a password or holds time refuses with 429
once its limit is reached, per client address and per target, on the form's own page with the
person's answers kept.
"""

import re

import pytest

from consult.booking.service import LIVE_HOLDS_PER_CLIENT, LIVE_HOLDS_PER_EMAIL
from consult.db import get_session
from consult.demo import add_demo_booking_calendar
from tests.conftest import Auth, csrf_token_from, submit_form
from tests.web.booking_flow import book, bookings, free_slots
from tests.web.portal_fixtures import make_organisation
from tests.web.test_subscription import subscribe

REFUSAL = "many attempts in a short time"
PAID = "leadership-strategy-session"  # one a day: each hold below is on a day of its own
DAYS = [f"2026-12-{day:02d}" for day in range(1, 22)]


@pytest.fixture
def limited_app(make_app, app):
    """The app with its limits on. It is built after `app` (which `make_user` uses), because the
    limiter is one object: the app bound to it last decides whether limits are on.
    """
    app = make_app({"RATELIMIT_ENABLED": True})
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    return app


def from_address(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def assert_refused_with_answers_kept(response, *kept: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and REFUSAL in page
    for answer in kept:
        assert answer in page


def test_the_booking_form_is_limited_per_client_and_keeps_the_answers(limited_app):
    guest = limited_app.test_client()
    start = free_slots(guest, "discovery-call", "2026-11-30")[0]
    without_a_role = [book(guest, "discovery-call", start, role="").status_code for _ in range(10)]
    assert without_a_role == [422] * 10
    refused = book(guest, "discovery-call", start, name="Noor Refused")
    assert_refused_with_answers_kept(refused, 'value="Noor Refused"', 'value="ana@clinic.example"')
    assert bookings(limited_app) == []
    other_client = from_address(limited_app.test_client(), "198.51.100.7")
    assert book(other_client, "discovery-call", start).status_code == 303


def test_live_holds_are_capped_per_e_mail_address_and_per_client(app, clock):
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    guest = app.test_client()
    offered = (free_slots(guest, PAID, day) for day in DAYS)
    starts = [times[0] for times in offered if times][: LIVE_HOLDS_PER_CLIENT + 1]
    for start in starts[:LIVE_HOLDS_PER_EMAIL]:
        assert book(guest, PAID, start).status_code == 303  # to the payment page
    refused = book(guest, PAID, starts[LIVE_HOLDS_PER_EMAIL], name="Ana Again")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "already have times held" in page
    assert 'value="Ana Again"' in page and len(bookings(app)) == LIVE_HOLDS_PER_EMAIL

    # Another address from the same client: held until the client's cap.
    for number, start in enumerate(starts[LIVE_HOLDS_PER_EMAIL:LIVE_HOLDS_PER_CLIENT]):
        assert book(guest, PAID, start, email=f"other{number}@example.org").status_code == 303
    refused = book(guest, PAID, starts[LIVE_HOLDS_PER_CLIENT], email="fresh@example.org")
    assert refused.status_code == 429 and len(bookings(app)) == LIVE_HOLDS_PER_CLIENT
    stored = bookings(app)[0]
    assert stored.client_address == "127.0.0.1"

    clock.advance(minutes=32)  # the holds lapse: they no longer count
    assert book(guest, PAID, starts[LIVE_HOLDS_PER_CLIENT]).status_code == 303


def test_invitations_are_limited_per_invited_address_and_per_organisation(limited_app, clock):
    organisation = make_organisation(limited_app, clock)
    owner = limited_app.test_client()
    Auth(owner).sign_in("owner@clinic.example")
    path = f"/portal/o/{organisation.public_id}/members"

    def invite(address: str):
        data = {"email": address, "role_group": "providers", "role": "member"}
        return submit_form(owner, path, data)

    assert [invite("nurse@clinic.example").status_code for _ in range(3)] == [303] * 3
    assert_refused_with_answers_kept(invite("nurse@clinic.example"), 'value="nurse@clinic.example"')
    assert invite("NOT an address").status_code == 422  # refused forms never use up the allowance

    for number in range(3, 30):  # the organisation's allowance, from several client addresses
        from_address(owner, f"198.51.100.{number // 10}")
        assert invite(f"person{number}@clinic.example").status_code == 303
    from_address(owner, "198.51.100.99")
    assert_refused_with_answers_kept(invite("one-more@clinic.example"), "one-more@clinic.example")


def test_sending_an_invitation_again_is_limited_like_inviting(limited_app, clock):
    organisation = make_organisation(limited_app, clock)
    owner = limited_app.test_client()
    Auth(owner).sign_in("owner@clinic.example")
    path = f"/portal/o/{organisation.public_id}/members"
    data = {"email": "nurse@clinic.example", "role_group": "providers", "role": "member"}
    assert submit_form(owner, path, data).status_code == 303

    def send_again():
        page = owner.get(path).get_data(as_text=True)
        invitation = re.search(r'name="invitation" value="(\d+)"', page).group(1)
        return owner.post(
            f"/portal/o/{organisation.public_id}/invitations/resend",
            data={"invitation": invitation, "csrf_token": csrf_token_from(page)},
        )

    assert [send_again().status_code for _ in range(3)] == [303] * 3
    refused = send_again()
    assert refused.status_code == 429 and REFUSAL in refused.get_data(as_text=True)


def test_changing_the_password_is_limited_per_account(limited_app, make_user):
    user = make_user(email="kai@example.org")
    browser = limited_app.test_client()
    Auth(browser).sign_in(user.email)
    wrong = {"current_password": "not it at all", "password": "a new calm walk", "confirm": ""}
    wrong["confirm"] = wrong["password"]
    attempts = [submit_form(browser, "/accounts/password", wrong).status_code for _ in range(5)]
    assert attempts == [422] * 5
    from_address(browser, "198.51.100.20")  # another address: still the same account
    assert_refused_with_answers_kept(submit_form(browser, "/accounts/password", wrong))


def test_subscribing_is_limited_per_address_whoever_asks(make_app, content_dir):
    app = make_app({"RATELIMIT_ENABLED": True}, CONTENT_DIR=str(content_dir))
    statuses = []
    for number in range(3):
        reader = from_address(app.test_client(), f"203.0.113.{number}")
        statuses.append(subscribe(reader, "target@example.org").status_code)
    assert statuses == [200] * 3
    reader = from_address(app.test_client(), "203.0.113.50")
    refused = subscribe(reader, "target@example.org")
    assert_refused_with_answers_kept(refused, 'value="target@example.org"')
    assert subscribe(reader, "someone-else@example.org").status_code == 200


def test_portal_starts_are_limited_per_address_and_per_client(limited_app):
    def start(client, email: str, organisation: str = "Lakeside"):
        data = {"organisation": organisation, "role_group": "clinical-leadership", "email": email}
        return submit_form(client, "/portal/start", data, page="/portal/")

    for number in range(3):
        visitor = from_address(limited_app.test_client(), f"203.0.113.{number}")
        assert start(visitor, "lee@lakeside.example").status_code == 200
    visitor = from_address(limited_app.test_client(), "203.0.113.60")
    refused = start(visitor, "lee@lakeside.example", organisation="Lakeside Trust")
    assert_refused_with_answers_kept(refused, 'value="Lakeside Trust"')

    busy = from_address(limited_app.test_client(), "203.0.113.70")
    assert [start(busy, f"p{n}@example.org").status_code for n in range(5)] == [200] * 5
    assert start(busy, "p5@example.org").status_code == 429


def test_password_reset_is_limited_per_address(limited_app, make_user):
    user = make_user(email="rey@example.org")
    for number in range(3):
        visitor = from_address(limited_app.test_client(), f"203.0.113.{number}")
        response = submit_form(visitor, "/accounts/reset", {"email": user.email})
        assert response.status_code == 200
    visitor = from_address(limited_app.test_client(), "203.0.113.80")
    refused = submit_form(visitor, "/accounts/reset", {"email": user.email})
    assert_refused_with_answers_kept(refused, 'value="rey@example.org"')


def test_a_limited_form_says_what_is_left_and_an_unlimited_page_says_nothing(limited_app):
    visitor = limited_app.test_client()
    answer = submit_form(visitor, "/accounts/sign-in", {"email": "x@example.org", "password": "no"})
    assert answer.headers["X-RateLimit-Limit"] and answer.headers["X-RateLimit-Remaining"]
    assert "X-RateLimit-Limit" not in visitor.get("/").headers  # the limiter's pass was skipped
