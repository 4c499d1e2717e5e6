"""The subscribe form on cacheable pages stays CSRF-protected: a token handed out only when the
form is used (double submit, signed, scoped to the form's path) and the browser's Origin.
"""

import re

import pytest
from sqlmodel import select

from consult.blog.models import Subscriber
from consult.db import get_session
from consult.site import form_guard


def subscribers(app) -> list[str]:
    with app.app_context():
        return [row.email for row in get_session().exec(select(Subscriber)).all()]


def fetched_token(reader) -> str:
    """What the page's script does when a reader starts typing."""
    response = reader.get("/blog/subscribe/token")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    cookie = response.headers["Set-Cookie"]
    assert "Path=/blog/subscribe" in cookie and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    return response.get_json()["token"]


def test_the_pages_holding_the_form_carry_no_token(reader):
    html = reader.get("/blog/public-one/").get_data(as_text=True)
    assert html.count('data-token-url="/blog/subscribe/token"') == 1  # the post's; no footer's
    assert re.findall(r'name="csrf_token" value="([^"]*)"', html) == [""]
    assert "/static/js/subscribe.js?v=" in html


def test_a_reader_with_the_script_subscribes_in_one_step(blog_app, reader):
    token = fetched_token(reader)
    response = reader.post(
        "/blog/subscribe",
        data={"email": "reader@example.org", "csrf_token": token},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 200 and "check your e-mail" in response.get_data(as_text=True)
    assert subscribers(blog_app) == ["reader@example.org"]


def test_a_reader_without_the_script_confirms_on_the_forms_own_page(blog_app, reader):
    response = reader.post(
        "/blog/subscribe",
        data={"email": "no-script@example.org", "csrf_token": ""},
        headers={"Referer": "http://localhost/blog/public-one/"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "press Subscribe once more" in html
    assert 'value="no-script@example.org"' in html and subscribers(blog_app) == []
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    confirmed = reader.post(
        "/blog/subscribe", data={"email": "no-script@example.org", "csrf_token": token}
    )
    assert confirmed.status_code == 200 and subscribers(blog_app) == ["no-script@example.org"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Origin": "https://localhost"},  # another scheme is another site
        {"Referer": "https://attacker.example/page"},
    ],
)
def test_a_post_from_another_site_is_refused_even_with_a_token(blog_app, reader, headers):
    token = fetched_token(reader)
    response = reader.post(
        "/blog/subscribe",
        data={"email": "victim@example.org", "csrf_token": token},
        headers=headers,
    )
    assert response.status_code == 400 and "sent from somewhere else" in response.get_data(
        as_text=True
    )
    assert subscribers(blog_app) == []


def test_a_cross_site_post_without_the_cookie_or_token_changes_nothing(blog_app):
    attacker = blog_app.test_client()  # the victim's browser sends no SameSite=Strict cookie
    for token in ("", "made-up", form_guard_token(blog_app)):
        response = attacker.post(
            "/blog/subscribe", data={"email": "victim@example.org", "csrf_token": token}
        )
        assert response.status_code == 400, token
    assert subscribers(blog_app) == []


def form_guard_token(app) -> str:
    """A correctly signed token the attacker obtained for themselves (not the victim's cookie)."""
    with app.test_request_context():
        return form_guard.new_token()


def test_a_token_must_match_its_cookie_and_our_signature(blog_app, reader):
    fetched_token(reader)
    other = form_guard_token(blog_app)
    assert (
        reader.post(
            "/blog/subscribe", data={"email": "a@example.org", "csrf_token": other}
        ).status_code
        == 400
    )
    forged = "forged.value.signature"
    cookie_name = blog_app.config["FORM_TOKEN_COOKIE_NAME"]
    reader.set_cookie(cookie_name, forged, path="/blog/subscribe")
    assert (
        reader.post(
            "/blog/subscribe", data={"email": "a@example.org", "csrf_token": forged}
        ).status_code
        == 400
    )
    assert subscribers(blog_app) == []


def test_an_expired_token_is_refused(blog_app, reader, monkeypatch):
    token = fetched_token(reader)
    monkeypatch.setattr(form_guard, "MAX_AGE_SECONDS", -1)
    assert (
        reader.post(
            "/blog/subscribe", data={"email": "late@example.org", "csrf_token": token}
        ).status_code
        == 400
    )
    assert subscribers(blog_app) == []


def test_a_bad_address_keeps_the_input_and_gives_a_fresh_token(reader):
    token = fetched_token(reader)
    response = reader.post("/blog/subscribe", data={"email": "nope", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter a valid e-mail address" in html
    assert 'value="nope"' in html and re.search(r'name="csrf_token" value="[^"]+"', html)


def test_other_forms_keep_the_sessions_csrf_token(blog_app, make_user):
    from tests.conftest import TEST_PASSWORD

    user = make_user(email="someone@example.org")
    client = blog_app.test_client()
    refused = client.post(
        "/accounts/sign-in", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert refused.status_code == 400
