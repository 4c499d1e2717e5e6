"""The site shell: pages, health check, error pages and the headers every response carries."""

import re

import pytest
from sqlalchemy import create_engine

from consult.config import PROJECT_ROOT
from consult.db import ENGINE_KEY
from tests.conftest import PRODUCTION_SERVICES


def test_home_presents_the_practice_and_its_three_paths(client, app):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    site = app.extensions["consult.site"]
    assert site.practice_name in html and site.contact_email in html
    assert 'href="#main"' in html and '<main id="main"' in html
    for link in site.social_links:
        assert link.url in html
    assert html.count('class="path') >= 3 or html.count("<article") >= 3


def test_about_page_comes_from_content(client):
    html = client.get("/about/").get_data(as_text=True)
    assert "<h1>About" in html or ">About</h1>" in html
    assert 'aria-current="page"' in html


def test_health_check_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_health_check_answers_503_when_the_database_does_not(app, client):
    app.extensions[ENGINE_KEY] = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", pool_pre_ping=True
    )
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "unavailable"


def test_unknown_page_gets_a_styled_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def test_an_unexpected_error_gets_a_calm_500_without_a_traceback(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "secret internals" not in html and "Traceback" not in html
    assert response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/no-such-page", "/healthz", "/accounts/sign-in"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_over_https(client):
    headers = client.get("/", base_url="https://consult.test").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_huge_post_is_refused_with_413(client):
    response = client.post("/accounts/sign-in", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_no_template_has_inline_script_or_style():
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        if template.parts[-2] == "email":
            continue
        source = template.read_text()
        # Only data blocks (JSON-LD) may sit inline: browsers do not run them.
        assert not re.search(r'<script(?![^>]*\b(src=|type="application/ld\+json"))', source), (
            template
        )
        assert "<style" not in source and " style=" not in source, template


def test_stylesheet_is_served_by_us_with_nothing_from_another_host(client):
    html = client.get("/").get_data(as_text=True)
    assert "/static/css/site.css" in html
    assert not re.search(r'(src|href)="(https?:)?//(?!consult\.test)[^"]*\.(css|js)', html)
    assert client.get("/static/css/site.css").status_code == 200


def test_production_cookies_are_secure_and_http_only(database_url, tmp_path):
    from consult import create_app
    from consult.config import load_settings

    settings = load_settings(
        {
            "CONSULT_ENV": "production",
            "SECRET_KEY": "p" * 40,
            "DATABASE_URL": database_url,
            "SITE_URL": "https://consult.example",
            **PRODUCTION_SERVICES,
            "CONSULT_INSTANCE_DIR": str(tmp_path),
        }
    )
    app = create_app({"SETTINGS": settings})
    assert not app.config["PREPARE_DATABASE"] and not app.config["MAIL_DELIVER_AFTER_REQUEST"]
    response = app.test_client().get("/accounts/sign-in", base_url="https://consult.example")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    app.extensions["consult.engine"].dispose()


def test_log_lines_carry_utc_times_with_their_zone(monkeypatch):
    import logging
    import time

    from consult.app import _configure_logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    _configure_logging()
    [handler] = root.handlers
    record = logging.LogRecord("consult", logging.INFO, __file__, 1, "hello", None, None)
    record.created = 0.0  # the epoch: 1970-01-01T00:00:00Z in any server zone
    assert handler.format(record).startswith("1970-01-01T00:00:00Z INFO consult: hello")
    assert handler.formatter.converter is time.gmtime


def test_refusals_are_logged_with_the_path_escaped(client, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="consult.access"):
        client.get("/no-such-page%0A2026-01-01T00:00:00Z INFO consult: forged")
        client.get("/admin/")  # signed out: sent to sign in, not refused
        client.post("/accounts/sign-out")  # no token: a 400, not an access refusal
    [line] = [record.getMessage() for record in caplog.records if record.name == "consult.access"]
    assert (
        line.startswith("refused GET '/no-such-page\\n2026-01-01T00:00:00Z INFO") and "404" in line
    )
    assert "\n" not in line
