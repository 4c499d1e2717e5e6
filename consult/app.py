"""The application factory: settings, extensions, blueprints, error pages, headers and commands."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from types import FunctionType
from typing import TYPE_CHECKING, Any

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

from consult import db, urls
from consult.accounts import browser_sessions, known_accounts
from consult.accounts.session_cookies import RememberedCookieSessions
from consult.blog.library import PostLibrary
from consult.clock import utc_now
from consult.config import PROJECT_ROOT, ConfigError, Settings, load_settings
from consult.errors import register_error_pages
from consult.extensions import csrf, limiter, login_manager
from consult.mail.background import BackgroundDelivery
from consult.portal.library import AssessmentLibrary
from consult.private_files import make_private_directory
from consult.rate_limits import limit_passes_only_where_needed
from consult.route_arguments import bound_path_arguments
from consult.site import (
    caching,
    data_versions,
    kept_pages,
    private_pages,
    security_headers,
    static_files,
)
from consult.site.form_guard import HOST_PREFIX
from consult.site.identity import SiteIdentityError, load_site_identity
from consult.site.page_cache import PageCache

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("consult")


class ConsultApp(Flask):
    """Flask that, behind `trusted_proxies` reverse proxies, takes the client's address, scheme
    and host from their X-Forwarded-* headers (werkzeug's ProxyFix around Flask's WSGI app),
    and sends finished public pages to cookie-less visitors before dispatching (PageCache).
    """

    def __init__(self, import_name: str, *, trusted_proxies: int = 0, **options: Any) -> None:
        super().__init__(import_name, **options)
        self._synced: dict[Callable[..., Any], Callable[..., Any]] = {}
        self.page_cache = PageCache(self, super().wsgi_app)
        self._front: WSGIApplication = self.page_cache
        if trusted_proxies:
            self._front = ProxyFix(
                self.page_cache,
                x_for=trusted_proxies,
                x_proto=trusted_proxies,
                x_host=trusted_proxies,
            )

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._front(environ, start_response)

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask's answer, remembered for each plain function: Flask asks it of every hook and
        view on every request, and inspecting a function costs more than a dictionary lookup.
        """
        if not isinstance(func, FunctionType):
            return super().ensure_sync(func)
        synced = self._synced.get(func)
        if synced is None:
            synced = self._synced[func] = super().ensure_sync(func)
        return synced


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
    app.session_interface = RememberedCookieSessions()
    app.extensions["consult.settings"] = settings
    app.extensions["consult.site"] = site
    app.extensions["consult.blog"] = PostLibrary(
        settings.content_dir / "posts",
        time_zone=site.time_zone,
        words_per_minute=site.reading_words_per_minute,
        cache_dir=settings.instance_dir / "blog-cache",
    )
    app.extensions["consult.assessments"] = AssessmentLibrary(settings.content_dir / "assessments")
    _configure_logging()

    db.init_app(app, settings.database_url)
    data_versions.init_app(
        app, storage_uri=settings.ratelimit_storage_uri, database_url=settings.database_url
    )
    known_accounts.init_app(app)
    login_manager.init_app(app)
    browser_sessions.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    bound_path_arguments(app.url_map)
    _register_blueprints(app)
    limit_passes_only_where_needed(app)
    static_files.init_app(app)
    caching.init_app(app, template_folder=PROJECT_ROOT / "templates", identity=site)
    private_pages.init_app(app)
    kept_pages.init_app(app)
    register_error_pages(app)
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
        # In production the `__Host-` prefix makes browsers refuse the cookie unless it is Secure,
        # has path `/` and no Domain: no other host or plain-http page can set or shadow it.
        "SESSION_COOKIE_NAME": f"{HOST_PREFIX}session" if production else "session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_NAME": f"{HOST_PREFIX}remember_token" if production else "remember_token",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "FORM_TOKEN_COOKIE_NAME": f"{HOST_PREFIX}form_token" if production else "form_token",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session it is tied to
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        # While the shared store cannot be reached, each worker counts on its own rather than
        # failing every limited request; it goes back to the store once it answers again.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "CLOCK": utc_now,
        # Locally: migrate and load demo data at start, and send mail right after the request.
        "PREPARE_DATABASE": not production,
        "MAIL_DELIVER_AFTER_REQUEST": not production,
    }


def _configure_logging() -> None:
    """Log lines carry UTC times in ISO 8601 with their zone, whatever the server's zone is."""
    if not logging.getLogger().handlers:
        formatter = logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%Y-%m-%dT%H:%M:%SZ"
        )
        formatter.converter = time.gmtime
        handler = logging.StreamHandler()
        handler.setFormatter(formatter)
        logging.basicConfig(level=logging.INFO, handlers=[handler])
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _register_blueprints(app: Flask) -> None:
    from consult.accounts.routes import blueprint as accounts
    from consult.accounts.two_factor_routes import blueprint as two_factor
    from consult.admin.routes import blueprint as admin
    from consult.blog.routes import blueprint as blog
    from consult.booking.routes import blueprint as booking
    from consult.calendars.routes import blueprint as calendars
    from consult.engagements.routes import blueprint as engagements
    from consult.nudges.routes import blueprint as nudges
    from consult.payments.routes import blueprint as payments
    from consult.portal.routes import blueprint as portal
    from consult.privacy.routes import blueprint as privacy
    from consult.receipts.routes import blueprint as receipts
    from consult.site.routes import blueprint as site

    blueprints = (
        site,
        accounts,
        two_factor,
        privacy,
        blog,
        booking,
        calendars,
        payments,
        portal,
        nudges,
        engagements,
        receipts,
        admin,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def _register_response_hooks(app: Flask) -> None:
    security_headers.init_app(app)
    mail_delivery = BackgroundDelivery(app)

    @app.teardown_request
    def deliver_new_mail_locally(_error: BaseException | None) -> None:
        # Once the view has committed, in a thread of its own: the response never waits for
        # SMTP, nor for a pass holding the outbox's write lock. Not on the response's close:
        # the development server skips that when the browser keeps the connection open.
        if app.config["MAIL_DELIVER_AFTER_REQUEST"] and g.pop("outbox_has_new_mail", False):
            mail_delivery.ask_for_pass()


def _register_commands(app: Flask) -> None:
    from consult.accounts.cli import create_admin_command
    from consult.blog.cli import content_commands, newsletter_commands
    from consult.booking.cli import booking_commands
    from consult.calendars.cli import calendar_commands
    from consult.cli import db_commands, demo_commands
    from consult.mail.cli import mail_commands
    from consult.nudges.cli import nudge_commands
    from consult.portal.cli import round_commands
    from consult.privacy.cli import privacy_commands

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
        nudge_commands,
        privacy_commands,
    ):
        app.cli.add_command(command)


def _prepare_local_database(app: Flask) -> None:
    """Bring the local database up to date and, when serving an empty one, load demo data."""
    from consult.demo import load_demo_data_when_serving
    from consult.migrate import upgrade_to_head
    from consult.models import metadata
    from consult.site.change_counters import every_table_changed

    settings: Settings = app.extensions["consult.settings"]
    make_private_directory(settings.instance_dir)
    if upgrade_to_head(settings.database_url):  # rows a migration changed: no kept page stands
        every_table_changed(
            metadata.tables,
            storage_uri=settings.ratelimit_storage_uri,
            database_url=settings.database_url,
        )
    with app.app_context():
        load_demo_data_when_serving()
