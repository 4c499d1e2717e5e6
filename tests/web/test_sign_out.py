"""Signing out ends the session on the server: cookies saved before it sign no one in again.

Signing out ends the account's sessions in every browser (the per-user session token that
every session and remember-me cookie carries is replaced), as a password change does.
"""

from __future__ import annotations

import pytest

from tests.conftest import Auth

SIGNED_IN_PAGES = {"consultant": "/admin/", "client": "/accounts/password"}


def replay(app, cookies: dict[str, str]):
    """A browser of the attacker's, holding only the given saved cookies."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value, domain="localhost")
    return browser


def saved_cookies(client) -> dict[str, str]:
    return {
        name: cookie.value
        for name in ("session", "remember_token")
        if (cookie := client.get_cookie(name)) is not None
    }


def is_signed_in(browser, page: str) -> bool:
    response = browser.get(page)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200 and "Sign out" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["consultant", "client"])
def test_cookies_saved_before_sign_out_do_not_reach_signed_in_pages(app, make_user, role):
    user = make_user(role=role)
    page = SIGNED_IN_PAGES[role]
    browser = app.test_client()
    assert Auth(browser).sign_in_all_steps(user.email, remember="y").status_code == 302
    cookies = saved_cookies(browser)
    assert set(cookies) == {"session", "remember_token"}
    assert is_signed_in(replay(app, cookies), page)  # the replay works while signed in

    response = Auth(browser).sign_out()
    assert response.status_code == 302
    deleted = [
        value
        for value in response.headers.getlist("Set-Cookie")
        if "Expires=Thu, 01 Jan 1970" in value
    ]
    assert any(value.startswith("remember_token=") for value in deleted)
    assert not is_signed_in(browser, page)

    assert not is_signed_in(replay(app, cookies), page)
    assert not is_signed_in(replay(app, {"session": cookies["session"]}), page)
    assert not is_signed_in(replay(app, {"remember_token": cookies["remember_token"]}), page)


def test_signing_out_in_one_browser_signs_out_every_browser_and_signing_in_again_works(
    app, make_user, clock
):
    user = make_user(role="consultant")
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).sign_in_all_steps(user.email)
    Auth(phone).sign_in_all_steps(user.email, remember="y")
    phone_cookies = saved_cookies(phone)
    Auth(laptop).sign_out()
    assert not is_signed_in(phone, "/admin/")
    assert not is_signed_in(replay(app, phone_cookies), "/admin/")
    clock.advance(seconds=30)  # the app's next code: both of the last minute are used
    assert Auth(laptop).sign_in_all_steps(user.email).status_code == 302
    assert is_signed_in(laptop, "/admin/")
    assert not is_signed_in(replay(app, phone_cookies), "/admin/")  # old cookies stay dead


def test_signing_out_when_not_signed_in_just_answers(app, make_user):
    browser = app.test_client()
    assert Auth(browser).sign_out().status_code == 302
    assert not is_signed_in(browser, "/admin/")
