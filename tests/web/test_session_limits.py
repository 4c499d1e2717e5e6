"""Sessions end on the server when idle or old: the consultant after 30 minutes idle and 12 hours
after signing in, a client after 8 hours idle and 30 days after signing in, remember-me or not.

An expired browser is told why; a page that needs signing in asks for it with its address kept,
a public one is served as to anyone, and a form it posts does nothing.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from consult.accounts.service import authenticate
from consult.db import get_session
from tests.conftest import (
    CODE_STEP,
    TEST_PASSWORD,
    Auth,
    app_code,
    csrf_token_from,
    signed_in_client,
    submit_form,
)
from tests.web.audit_fixtures import only_entry
from tests.web.test_sign_out import replay, saved_cookies

ADMIN = "/admin/"
CLIENT_PAGE = "/accounts/password"  # a page any signed-in client may open


def is_signed_in(browser, page: str) -> bool:
    response = browser.get(page)
    assert response.status_code in (200, 302, 303), response.status_code
    return response.status_code == 200


def close_the_browser(browser) -> None:
    """What closing the browser does: the session cookie goes, a remember-me cookie stays."""
    browser.delete_cookie("session", domain="localhost")


def test_the_consultant_is_signed_out_after_30_minutes_idle_not_before(app, make_user, clock):
    consultant = make_user(role="consultant")
    browser = signed_in_client(app, consultant)
    clock.advance(minutes=29, seconds=59)
    assert is_signed_in(browser, ADMIN)
    clock.advance(minutes=29, seconds=59)  # each request counts as activity
    assert is_signed_in(browser, ADMIN)
    clock.advance(minutes=30)
    response = browser.get(ADMIN)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/accounts/sign-in"
    assert parse_qs(location.query) == {"next": [ADMIN]}
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 30 minutes without activity" in page
    assert not is_signed_in(browser, ADMIN)
    expired = only_entry(app, "session.expired")
    assert (expired.subject_user_id, expired.details) == (consultant.id, {"reason": "idle"})


def test_signing_in_again_from_the_expiry_page_leads_back_to_the_page(app, make_user, clock):
    consultant = make_user(role="consultant")
    browser = signed_in_client(app, consultant)
    clock.advance(minutes=31)
    sign_in_page = browser.get("/admin/bookings/?status=past").headers["Location"]
    html = browser.get(sign_in_page).get_data(as_text=True)
    response = browser.post(
        sign_in_page,
        data={
            "email": consultant.email,
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token_from(html),
        },
    )
    assert response.headers["Location"] == CODE_STEP  # then her app's code, as always
    answered = submit_form(browser, CODE_STEP, {"code": app_code(app, consultant.email)})
    assert answered.headers["Location"] == "/admin/bookings/?status=past"


def test_the_consultant_is_signed_out_12_hours_after_signing_in_however_active(
    app, make_user, clock
):
    browser = signed_in_client(app, make_user(role="consultant"))
    for _ in range(28):  # a request every 25 minutes: 11 hours 40 minutes
        clock.advance(minutes=25)
        assert is_signed_in(browser, ADMIN)
    clock.advance(minutes=19, seconds=59)
    assert is_signed_in(browser, ADMIN)
    clock.advance(seconds=1)
    response = browser.get(ADMIN)
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out 12 hours after signing in" in page


def test_remember_me_never_signs_the_consultant_back_in_past_12_hours(app, make_user, clock):
    browser = app.test_client()
    Auth(browser).sign_in_all_steps(make_user(role="consultant").email, remember="y")
    assert browser.get_cookie("remember_token") is not None
    clock.advance(hours=6)
    close_the_browser(browser)
    assert is_signed_in(browser, ADMIN)  # remember-me carries her over a closed browser
    clock.advance(hours=5, minutes=59)
    close_the_browser(browser)
    assert is_signed_in(browser, ADMIN)
    saved = saved_cookies(browser)
    clock.advance(minutes=1)
    close_the_browser(browser)
    assert not is_signed_in(browser, ADMIN)
    assert browser.get_cookie("remember_token") is None
    # The limit is the server's: the saved remember-me cookie, replayed, signs no one in.
    assert not is_signed_in(replay(app, {"remember_token": saved["remember_token"]}), ADMIN)


def test_a_client_is_signed_out_after_8_hours_idle_not_before(app, make_user, clock):
    browser = signed_in_client(app, make_user(role="client"))
    clock.advance(hours=7, minutes=59, seconds=59)
    assert is_signed_in(browser, CLIENT_PAGE)
    clock.advance(hours=8)
    response = browser.get(CLIENT_PAGE)
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 8 hours without activity" in page


def test_remember_me_keeps_a_client_for_30_days_and_no_longer(app, make_user, clock):
    browser = app.test_client()
    Auth(browser).sign_in(make_user(role="client").email, remember="y")
    for _ in range(29):  # back each day, the browser closed in between
        clock.advance(days=1)
        close_the_browser(browser)
        assert is_signed_in(browser, CLIENT_PAGE)
    clock.advance(hours=23, minutes=59)
    close_the_browser(browser)
    assert is_signed_in(browser, CLIENT_PAGE)
    clock.advance(minutes=1)
    close_the_browser(browser)
    response = browser.get(CLIENT_PAGE)
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out 30 days after signing in" in page


def test_a_saved_session_cookie_replayed_after_the_idle_limit_signs_no_one_in(
    app, make_user, clock
):
    browser = signed_in_client(app, make_user(role="consultant"))
    saved = saved_cookies(browser)
    clock.advance(minutes=20)
    assert is_signed_in(browser, ADMIN)  # the browser itself stays active
    clock.advance(minutes=20)
    assert is_signed_in(browser, ADMIN)
    assert not is_signed_in(replay(app, saved), ADMIN)  # the copy's last activity is 40 minutes old


@pytest.mark.parametrize("role", ["consultant", "client"])
def test_a_form_posted_from_an_expired_session_does_nothing(app, make_user, clock, role):
    user = make_user(role=role)
    browser = signed_in_client(app, user)
    token = csrf_token_from(browser.get("/accounts/password").get_data(as_text=True))
    clock.advance(hours=8 if role == "client" else 0, minutes=30)
    new_password = "a different long passphrase"
    response = browser.post(
        "/accounts/password",
        data={
            "current_password": TEST_PASSWORD,
            "password": new_password,
            "confirm": new_password,
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {
        "next": ["/accounts/password"]
    }
    with app.app_context():
        assert authenticate(session=get_session(), email=user.email, password=new_password) is None


def test_a_post_only_address_is_not_offered_as_the_way_back(app, make_user, clock):
    browser = signed_in_client(app, make_user(role="client"))
    token = csrf_token_from(browser.get(CLIENT_PAGE).get_data(as_text=True))
    clock.advance(hours=8)
    response = browser.post("/accounts/sign-out-elsewhere", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/accounts/sign-in"


def test_an_expired_browser_sees_a_public_page_signed_out_and_told_why(app, make_user, clock):
    browser = signed_in_client(app, make_user(role="client"))
    clock.advance(hours=8)
    response = browser.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You were signed out after 8 hours without activity" in page
    assert "Sign out" not in page and response.headers["Cache-Control"] != "public"
