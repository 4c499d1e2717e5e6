"""The one settings object, read from the environment and validated once at start-up."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from consult.plaintext import plaintext_connections
from consult.private_files import make_private_directory, write_private_file

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production")
# The rate-limit stores whose client ships with consult (limits[redis]); memory:// is per process.
REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")


class ConfigError(SystemExit):
    """A wrong or missing setting: stops start-up with one clear line instead of a traceback.

    It is a SystemExit so that `flask`, gunicorn and Python itself print just the message.
    """

    def __init__(self, message: str):
        super().__init__(f"consult: configuration error: {message}")
        self.message = message


@dataclass(frozen=True)
class SmtpSettings:
    """Where outgoing mail is delivered, parsed from SMTP_URL."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    implicit_tls: bool = False
    starttls: bool = False
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class Settings:
    """Every setting consult reads; see the README's "Configuration" table."""

    env: str
    secret_key: str = field(repr=False)
    database_url: str
    instance_dir: Path
    content_dir: Path
    site_url: str
    smtp: SmtpSettings | None
    mail_from: str | None
    ratelimit_storage_uri: str
    trusted_proxy_count: int
    stripe_secret_key: str | None = field(default=None, repr=False)
    stripe_webhook_secret: str | None = field(default=None, repr=False)
    stripe_api_base: str | None = None
    # False when SITE_URL was not given: locally, links then follow where the site is served.
    site_url_is_set: bool = True
    # Calendar feeds on this machine may be read (local development, tests); never in production.
    calendar_feeds_allow_loopback: bool = False

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_test_payments(self) -> bool:
        """The local "Test payment" page stands in for Stripe: never in production, where it
        would let anyone mark a booking paid.
        """
        return not self.stripe_secret_key and not self.is_production

    @property
    def outbox_dir(self) -> Path:
        """Where mail is written as .eml files when no SMTP server is configured."""
        return self.instance_dir / "outbox"


def parse_smtp_url(url: str) -> SmtpSettings:
    """Parse `smtp://user:pass@host:587?starttls=1` (or `smtps://` for implicit TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ConfigError(
            f"SMTP_URL must start with smtp:// or smtps://, got {url.split(':', 1)[0]!r}"
        )
    if not parts.hostname:
        raise ConfigError("SMTP_URL has no host name")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError("SMTP_URL has a port that is not a number") from None
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls", "timeout"}
    if unknown:
        raise ConfigError(f"SMTP_URL has unknown options: {', '.join(sorted(unknown))}")
    try:
        timeout = float(query.get("timeout", "10"))
    except ValueError:
        raise ConfigError("SMTP_URL option timeout must be a number of seconds") from None
    implicit_tls = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname,
        port=port or (465 if implicit_tls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit_tls,
        starttls=query.get("starttls", "0").lower() in ("1", "true", "yes"),
        timeout_seconds=timeout,
    )


def _secret_key(environ: Mapping[str, str], env: str, instance_dir: Path) -> str:
    """SECRET_KEY from the environment; locally, generated once and kept in the instance folder."""
    key = environ.get("SECRET_KEY", "").strip()
    if key:
        if env == "production" and len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        return key
    if env == "production":
        raise ConfigError("SECRET_KEY is required when CONSULT_ENV=production")
    key_file = instance_dir / "secret_key"
    if not key_file.exists():
        make_private_directory(instance_dir)
        write_private_file(key_file, secrets.token_hex(32).encode())
    return key_file.read_text().strip()


def _non_negative_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number, got {raw!r}")
    return int(raw)


def _flag(environ: Mapping[str, str], name: str) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw not in ("", "0", "1", "true", "false", "yes", "no"):
        raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")
    return raw in ("1", "true", "yes")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise ConfigError naming the first bad one."""
    environ = os.environ if environ is None else environ
    env = environ.get("CONSULT_ENV", "development").strip() or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CONSULT_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    production = env == "production"

    instance_dir = Path(environ.get("CONSULT_INSTANCE_DIR") or PROJECT_ROOT / "instance").resolve()
    content_dir = Path(environ.get("CONTENT_DIR") or PROJECT_ROOT / "content").resolve()
    if not (content_dir / "site.yaml").is_file():
        raise ConfigError(f"CONTENT_DIR {content_dir} has no site.yaml")

    database_url = environ.get("DATABASE_URL", "").strip()
    if not database_url:
        if production:
            raise ConfigError("DATABASE_URL is required when CONSULT_ENV=production")
        database_url = f"sqlite:///{instance_dir / 'consult.sqlite3'}"
    database_url = normalise_database_url(database_url)

    site_url = environ.get("SITE_URL", "").strip().rstrip("/")
    if not site_url:
        if production:
            raise ConfigError("SITE_URL is required when CONSULT_ENV=production")
        site_url = "http://127.0.0.1:5000"
    if urlsplit(site_url).scheme not in ("http", "https") or not urlsplit(site_url).netloc:
        raise ConfigError(f"SITE_URL must be an absolute http(s) URL, got {site_url!r}")

    ratelimit_storage_uri = environ.get("RATELIMIT_STORAGE_URI", "").strip()
    if not ratelimit_storage_uri:
        if production:
            raise ConfigError(
                "RATELIMIT_STORAGE_URI is required when CONSULT_ENV=production "
                "(a store shared by every worker, e.g. redis://localhost:6379)"
            )
        ratelimit_storage_uri = "memory://"
    _check_ratelimit_storage(ratelimit_storage_uri, production=production)

    smtp_url = environ.get("SMTP_URL", "").strip()
    stripe_secret_key = environ.get("STRIPE_SECRET_KEY", "").strip() or None
    stripe_webhook_secret = environ.get("STRIPE_WEBHOOK_SECRET", "").strip() or None
    if stripe_secret_key and not stripe_webhook_secret:
        raise ConfigError("STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set")
    if production:
        _check_production_services(stripe_secret_key=stripe_secret_key, smtp_url=smtp_url)
    allow_loopback = _flag(environ, "CALENDAR_FEEDS_ALLOW_LOOPBACK")
    if allow_loopback and production:
        raise ConfigError(
            "CALENDAR_FEEDS_ALLOW_LOOPBACK cannot be set when CONSULT_ENV=production "
            "(a feed address must never reach the server's own services)"
        )

    unencrypted = plaintext_connections(
        site_url=site_url,
        database_url=database_url,
        smtp_url=smtp_url,
        ratelimit_storage_uri=ratelimit_storage_uri,
    )
    if production and unencrypted:
        raise ConfigError(
            "production's connections off this machine must be encrypted: " + "; ".join(unencrypted)
        )

    return Settings(
        env=env,
        secret_key=_secret_key(environ, env, instance_dir),
        database_url=database_url,
        instance_dir=instance_dir,
        content_dir=content_dir,
        site_url=site_url,
        smtp=parse_smtp_url(smtp_url) if smtp_url else None,
        mail_from=environ.get("MAIL_FROM", "").strip() or None,
        ratelimit_storage_uri=ratelimit_storage_uri,
        trusted_proxy_count=_non_negative_int(environ, "TRUSTED_PROXY_COUNT", 0),
        stripe_secret_key=stripe_secret_key,
        stripe_webhook_secret=stripe_webhook_secret,
        stripe_api_base=environ.get("STRIPE_API_BASE", "").strip().rstrip("/") or None,
        site_url_is_set=bool(environ.get("SITE_URL", "").strip()),
        calendar_feeds_allow_loopback=allow_loopback,
    )


def _check_production_services(*, stripe_secret_key: str | None, smtp_url: str) -> None:
    """Production takes real payments and sends real mail: the local stand-ins (the test payment
    page, which marks any booking paid, and the outbox folder nobody reads) are refused.
    """
    if not stripe_secret_key:
        raise ConfigError(
            "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are required when CONSULT_ENV=production "
            "(the local test payment page is never offered there)"
        )
    if not smtp_url:
        raise ConfigError(
            "SMTP_URL is required when CONSULT_ENV=production "
            "(mail written to the instance outbox would never reach anyone)"
        )


def _check_ratelimit_storage(uri: str, *, production: bool) -> None:
    """A store consult can talk to; in production one shared by every worker (not memory://).

    Only the scheme is ever shown: the URI may carry a password.
    """
    scheme = urlsplit(uri).scheme
    if scheme == "memory":
        if production:
            raise ConfigError(
                "RATELIMIT_STORAGE_URI=memory:// counts inside each worker process, so production "
                "cannot use it: give a store all workers share, e.g. redis://localhost:6379"
            )
        return
    if scheme not in REDIS_SCHEMES:
        choices = ", ".join(f"{choice}://" for choice in REDIS_SCHEMES)
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI must be a Redis URL ({choices}) or, outside production, "
            f"memory://; got {scheme or 'no scheme'}://"
        )


def normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` spellings; use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if not (url.startswith("sqlite:") or url.startswith("postgresql+")):
        raise ConfigError("DATABASE_URL must be a sqlite:// or postgresql:// URL")
    return url
