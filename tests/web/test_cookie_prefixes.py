"""In production each cookie of the site is named with the `__Host-` prefix (ASVS 3.3.1, 3.3.3):
browsers then keep it only if it is Secure, has path `/` and no Domain, so no other host of the
domain and no plain-http page can set or shadow it. Locally (http) the names stay plain.
"""

import pytest

from tests.conftest import CODE_STEP, PRODUCTION_SERVICES, TEST_PASSWORD, app_code, csrf_token_from

SITE = "https://partner.example.org"


@pytest.fixture
def production(make_app, content_dir):
    return make_app(
        CONSULT_ENV="production", SITE_URL=SITE, CONTENT_DIR=str(content_dir), **PRODUCTION_SERVICES
    )


def post_form(client, path: str, data: dict):
    """POST the form of `path` as a browser on the site would: its token, an https Referer."""
    page = client.get(path, base_url=SITE).get_data(as_text=True)
    return client.post(
        path,
        data={**data, "csrf_token": csrf_token_from(page)},
        base_url=SITE,
        headers={"Referer": f"{SITE}{path}"},
    )


def set_cookies(response) -> dict[str, str]:
    """Each cookie the response sets, by name: its whole Set-Cookie header."""
    return {header.partition("=")[0]: header for header in response.headers.getlist("Set-Cookie")}


def assert_host_only(header: str) -> None:
    attributes = [part.strip() for part in header.split(";")[1:]]
    assert "Secure" in attributes and "Path=/" in attributes and "HttpOnly" in attributes
    assert not any(attribute.lower().startswith("domain=") for attribute in attributes)


def test_signing_in_sets_host_prefixed_session_and_remember_me_cookies(production, make_user):
    member = make_user(email="member@example.org")
    browser = production.test_client()
    signed_in = post_form(
        browser,
        "/accounts/sign-in",
        {"email": member.email, "password": TEST_PASSWORD, "remember": "y"},
    )
    assert signed_in.status_code == 302
    cookies = set_cookies(signed_in)
    assert set(cookies) == {"__Host-session", "__Host-remember_token"}
    for header in cookies.values():
        assert_host_only(header)
    assert browser.get("/accounts/password", base_url=SITE).status_code == 200
    # The remember-me cookie alone, under its prefixed name, signs the browser back in.
    remembered = production.test_client()
    remember_token = browser.get_cookie("__Host-remember_token", domain="partner.example.org")
    remembered.set_cookie(
        "__Host-remember_token", remember_token.value, domain="partner.example.org"
    )
    assert remembered.get("/accounts/password", base_url=SITE).status_code == 200


def test_the_consultant_signs_in_with_her_code_under_the_prefixed_session(production, consultant):
    browser = production.test_client()
    passed = post_form(
        browser, "/accounts/sign-in", {"email": consultant.email, "password": TEST_PASSWORD}
    )
    assert passed.headers["Location"] == CODE_STEP
    assert_host_only(set_cookies(passed)["__Host-session"])
    signed_in = post_form(browser, CODE_STEP, {"code": app_code(production, consultant.email)})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/admin/"
    assert browser.get("/admin/", base_url=SITE).status_code == 200


def test_the_subscribe_forms_token_cookie_is_host_prefixed_and_still_guards_it(production):
    reader = production.test_client()
    page = reader.get("/blog/subscribe", base_url=SITE)
    header = set_cookies(page)["__Host-form_token"]
    assert_host_only(header)
    assert "SameSite=Strict" in header
    sent = reader.post(
        "/blog/subscribe",
        data={
            "email": "reader@example.org",
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
        base_url=SITE,
        headers={"Origin": SITE},
    )
    assert sent.status_code == 200 and "check your e-mail" in sent.get_data(as_text=True)
    forged = production.test_client()
    forged.set_cookie("form_token", "anything", domain="partner.example.org")  # the old name
    refused = forged.post(
        "/blog/subscribe",
        data={"email": "other@example.org", "csrf_token": "anything"},
        base_url=SITE,
        headers={"Origin": SITE},
    )
    assert refused.status_code == 400


def test_locally_the_names_stay_plain_and_the_token_keeps_its_narrow_path(blog_app):
    reader = blog_app.test_client()
    header = set_cookies(reader.get("/blog/subscribe"))["form_token"]
    assert "Path=/blog/subscribe" in header and "Secure" not in header
