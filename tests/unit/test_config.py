"""Settings: safe local defaults, strict production, one clear line for a bad value."""

import os
import subprocess
import sys

import pytest

from consult.config import PROJECT_ROOT, ConfigError, load_settings, parse_smtp_url

PRODUCTION = {
    "CONSULT_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "postgresql://consult@db/consult?sslmode=require",
    "SITE_URL": "https://consult.example",
    "RATELIMIT_STORAGE_URI": "redis://localhost:6379",
    "STRIPE_SECRET_KEY": "sk_test_123",
    "STRIPE_WEBHOOK_SECRET": "whsec_123",
    "SMTP_URL": "smtp://mail.example:587?starttls=1",
}


def test_local_defaults_need_nothing_and_keep_a_generated_secret_key(tmp_path):
    settings = load_settings({"CONSULT_INSTANCE_DIR": str(tmp_path)})
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'consult.sqlite3'}"
    assert settings.content_dir == PROJECT_ROOT / "content"
    assert settings.smtp is None and settings.outbox_dir == tmp_path / "outbox"
    assert settings.ratelimit_storage_uri == "memory://"
    assert len(settings.secret_key) == 64
    assert load_settings({"CONSULT_INSTANCE_DIR": str(tmp_path)}).secret_key == settings.secret_key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_production_settings_are_accepted_and_postgres_urls_use_psycopg(tmp_path):
    settings = load_settings({**PRODUCTION, "CONSULT_INSTANCE_DIR": str(tmp_path)})
    assert settings.is_production
    assert settings.database_url == "postgresql+psycopg://consult@db/consult?sslmode=require"


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "SITE_URL",
        "RATELIMIT_STORAGE_URI",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "SMTP_URL",
    ],
)
def test_production_refuses_to_start_without_a_required_setting(missing, tmp_path):
    environment = {key: value for key, value in PRODUCTION.items() if key != missing}
    with pytest.raises(ConfigError) as raised:
        load_settings({**environment, "CONSULT_INSTANCE_DIR": str(tmp_path)})
    assert missing in raised.value.message
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("CONSULT_ENV", "staging", "CONSULT_ENV"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("SITE_URL", "consult.example", "SITE_URL"),
        ("SMTP_URL", "http://mail.example", "SMTP_URL"),
        ("SMTP_URL", "smtp://mail.example:port", "port"),
        ("SMTP_URL", "smtp://mail.example?tls=1", "unknown options"),
        ("TRUSTED_PROXY_COUNT", "one", "TRUSTED_PROXY_COUNT"),
        ("STRIPE_SECRET_KEY", "sk_test_123", "STRIPE_WEBHOOK_SECRET"),
        ("CONTENT_DIR", "/nonexistent", "site.yaml"),
        ("CALENDAR_FEEDS_ALLOW_LOOPBACK", "maybe", "CALENDAR_FEEDS_ALLOW_LOOPBACK"),
    ],
)
def test_a_wrong_setting_is_named(name, value, complaint, tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_settings({name: value, "CONSULT_INSTANCE_DIR": str(tmp_path)})
    assert complaint in str(raised.value)


def test_smtp_url_with_credentials_and_starttls():
    smtp = parse_smtp_url("smtp://user%40example.org:p%3Ass@mail.example:587?starttls=1&timeout=5")
    assert (smtp.host, smtp.port, smtp.username, smtp.password) == (
        "mail.example",
        587,
        "user@example.org",
        "p:ss",
    )
    assert smtp.starttls and not smtp.implicit_tls and smtp.timeout_seconds == 5
    assert parse_smtp_url("smtps://mail.example").port == 465
    assert "p:ss" not in repr(smtp)


def test_start_up_with_a_bad_setting_prints_one_line_and_no_traceback(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    environment.update({**PRODUCTION, "CONSULT_INSTANCE_DIR": str(tmp_path)})
    del environment["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "consult", "routes"],
        env=environment,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "consult: configuration error: SECRET_KEY is required when CONSULT_ENV=production"
    ]


@pytest.mark.parametrize(
    "uri",
    [
        "redis://localhost:6379",
        "rediss://:secret@cache.example:6380/2",
        "redis+unix:///run/redis.sock",
        "redis+sentinel://localhost:26379/primary",
    ],
)
def test_production_takes_a_redis_store(uri, tmp_path):
    settings = load_settings(
        {**PRODUCTION, "RATELIMIT_STORAGE_URI": uri, "CONSULT_INSTANCE_DIR": str(tmp_path)}
    )
    assert settings.ratelimit_storage_uri == uri


def test_production_refuses_a_store_each_worker_keeps_to_itself(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_settings(
            {
                **PRODUCTION,
                "RATELIMIT_STORAGE_URI": "memory://",
                "CONSULT_INSTANCE_DIR": str(tmp_path),
            }
        )
    assert "memory://" in raised.value.message and "redis://" in raised.value.message


@pytest.mark.parametrize(
    "uri", ["memcached://:hunter2@cache:11211", "reddis://localhost", "localhost:6379"]
)
def test_a_store_whose_client_is_not_shipped_is_named_without_its_password(uri, tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_settings({"RATELIMIT_STORAGE_URI": uri, "CONSULT_INSTANCE_DIR": str(tmp_path)})
    assert "RATELIMIT_STORAGE_URI must be a Redis URL" in raised.value.message
    assert "hunter2" not in raised.value.message


def test_start_up_in_production_with_memory_store_prints_one_line(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    environment.update(
        {**PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://", "CONSULT_INSTANCE_DIR": str(tmp_path)}
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "consult", "routes"],
        env=environment,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("consult: configuration error: RATELIMIT_STORAGE_URI=memory://")


def test_production_never_reads_calendar_feeds_on_this_machine(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_settings(
            {
                **PRODUCTION,
                "CALENDAR_FEEDS_ALLOW_LOOPBACK": "1",
                "CONSULT_INSTANCE_DIR": str(tmp_path),
            }
        )
    assert "CALENDAR_FEEDS_ALLOW_LOOPBACK" in raised.value.message
    assert not load_settings({"CONSULT_INSTANCE_DIR": str(tmp_path)}).calendar_feeds_allow_loopback
