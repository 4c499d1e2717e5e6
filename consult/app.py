"""The application factory: settings, extensions, blueprints, error pages, headers and commands."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from consult import db, urls
from consult.blog.library import PostLibrary
from consult.clock import utc_now
from consult.config import PROJECT_ROOT, ConfigError, Settings, load_settings
from consult.extensions import csrf, limiter, login_manager
from consult.portal.library import AssessmentLibrary
from consult.site.identity import SiteIdentityError, load_site_identity

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("consult")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class ConsultApp(Flask):
    """Flask that, behind `trusted_proxies` reverse proxies, takes the client's address, scheme
    and host from their X-Forwarded-* headers (werkzeug's ProxyFix around Flask's WSGI app).
    """

    def __init__(self, import_name: str, *, trusted_proxies: int = 0, **options: Any) -> None:
        super().__init__(import_name, **options)
        self._behind_proxies: WSGIApplication | None = None
        if trusted_proxies:
            self._behind_proxies = ProxyFix(
                super().wsgi_app,
                x_for=trusted_proxies,
                x_proto=trusted_proxies,
                x_host=trusted_proxies,
            )

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self._behind_proxies is None:
            return super().wsgi_app(environ, start_response)
        return self._behind_proxies(environ, start_response)


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config_overrides` may carry `SETTINGS` (a Settings) and Flask config keys."""
    overrides = dict(config_overrides or {})
    settings: Settings = overrides.pop("SETTINGS", None) or load_settings()
    try:
        site = load_site_identity(settings.content_dir / "site.yaml")
    except SiteIdentityError as error:
        raise ConfigError(str(error)) from None

    app = ConsultApp(
        "consult",
        trusted_proxies=settings.trusted_proxy_count,
        instance_path=str(settings.instance_dir),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(_flask_config(settings))
    app.config.update(overrides)
    app.extensions["consult.settings"] = settings
    app.extensions["consult.site"] = site
    app.extensions["consult.blog"] = PostLibrary(
        settings.content_dir / "posts",
        time_zone=site.time_zone,
        words_per_minute=site.reading_words_per_minute,
    )
    app.extensions["consult.assessments"] = AssessmentLibrary(settings.content_dir / "assessments")
    _configure_logging()

    db.init_app(app, settings.database_url)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    _register_blueprints(app)
    _register_error_pages(app)
    _register_response_hooks(app)
    _register_commands(app)
    urls.init_app(app)

    @app.context_processor
    def site_identity() -> dict[str, Any]:
        return {"site": site}

    if app.config["PREPARE_DATABASE"]:
        _prepare_local_database(app)
    return app


def _flask_config(settings: Settings) -> dict[str, Any]:
    production = settings.is_production
    return {
        "SECRET_KEY": settings.secret_key,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session it is tied to
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_HEADERS_ENABLED": True,
        "CLOCK": utc_now,
        # Locally: migrate and load demo data at start, and send mail right after the request.
        "PREPARE_DATABASE": not production,
        "MAIL_DELIVER_AFTER_REQUEST": not production,
    }


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _register_blueprints(app: Flask) -> None:
    from consult.accounts.routes import blueprint as accounts
    from consult.admin.routes import blueprint as admin
    from consult.blog.routes import blueprint as blog
    from consult.booking.routes import blueprint as booking
    from consult.calendars.routes import blueprint as calendars
    from consult.payments.routes import blueprint as payments
    from consult.portal.routes import blueprint as portal
    from consult.site.routes import blueprint as site

    for blueprint in (site, accounts, blog, booking, calendars, payments, portal, admin):
        app.register_blueprint(blueprint)


ERROR_PAGES = {
    400: (
        "This request could not be understood",
        "Something in it was not what we expected. Please go back and try again.",
    ),
    403: (
        "This page is not open to you",
        "Your account does not have access here. If you think it should, please write to us.",
    ),
    404: (
        "We could not find that page",
        "It may have moved, or the address may have a typo. "
        "The links above lead everywhere the site goes.",
    ),
    405: ("That did not work", "This page cannot be used that way. Please go back and try again."),
    413: (
        "That was too large to receive",
        "Please send something smaller, or write to us and we will find another way.",
    ),
    429: (
        "Let's take a short pause",
        "There have been many attempts in a short time. Please wait a few minutes and try again.",
    ),
    500: (
        "Something went wrong on our side",
        "It has been logged and we will look into it. Please try again in a little while.",
    ),
}


def _render_error(code: int, message: str | None = None) -> tuple[str, int]:
    title, default_message = ERROR_PAGES.get(code, ERROR_PAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default_message
    ), code


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError) -> ResponseReturnValue:
        return _render_error(
            400,
            "The form had expired or was sent from somewhere else. "
            "Please go back, reload the page and send it again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        return _render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        log.exception("unhandled error on %s %s", request.method, request.path)
        g.account_menu_unavailable = True  # the database may be what failed: do not touch it
        return _render_error(500)


def _register_response_hooks(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.after_request
    def deliver_new_mail_locally(response: Response) -> Response:
        if app.config["MAIL_DELIVER_AFTER_REQUEST"] and g.pop("outbox_has_new_mail", False):
            response.call_on_close(lambda: _deliver_outbox_quietly(app))
        return response


def _deliver_outbox_quietly(app: Flask) -> None:
    from consult.mail.service import deliver_outbox

    with app.app_context():
        try:
            deliver_outbox(now=app.config["CLOCK"]())
        except Exception:  # the queued mail stays queued for `flask mail send`
            log.exception("delivering mail after the request failed")


def _register_commands(app: Flask) -> None:
    from consult.accounts.cli import create_admin_command
    from consult.blog.cli import content_commands, newsletter_commands
    from consult.booking.cli import booking_commands
    from consult.calendars.cli import calendar_commands
    from consult.cli import db_commands, demo_commands
    from consult.mail.cli import mail_commands
    from consult.portal.cli import round_commands

    for command in (
        create_admin_command,
        db_commands,
        demo_commands,
        mail_commands,
        content_commands,
        newsletter_commands,
        booking_commands,
        calendar_commands,
        round_commands,
    ):
        app.cli.add_command(command)


def _prepare_local_database(app: Flask) -> None:
    """Bring the local database up to date and, when serving an empty one, load demo data."""
    from consult.demo import load_demo_data_when_serving
    from consult.migrate import upgrade_to_head

    settings: Settings = app.extensions["consult.settings"]
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head(settings.database_url)
    with app.app_context():
        load_demo_data_when_serving()
