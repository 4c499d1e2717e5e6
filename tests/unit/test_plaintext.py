"""Production's connections leave the machine only encrypted; on the machine they may be plain."""

import pytest

from consult.plaintext import plaintext_connections, stays_on_this_machine

SAFE = {
    "site_url": "https://partner.example.org",
    "database_url": "postgresql+psycopg://consult@db.internal/consult?sslmode=verify-full",
    "smtp_url": "smtps://relay.example.org",
    "ratelimit_storage_uri": "rediss://cache.internal:6380/0",
}


def test_encrypted_or_local_connections_pass():
    assert plaintext_connections(**SAFE) == []
    local = {
        "site_url": "http://127.0.0.1:8000",
        "database_url": "postgresql+psycopg://postgres@127.0.0.1:5432/consult",
        "smtp_url": "smtp://localhost:25",
        "ratelimit_storage_uri": "redis://[::1]:6379/0",
    }
    assert plaintext_connections(**local) == []
    for store in (
        "redis+sentinel://:secret@localhost:26379,127.0.0.1:26380/primary",
        "redis+cluster://[::1]:7000,[::1]:7001",
    ):
        assert plaintext_connections(**{**SAFE, "ratelimit_storage_uri": store}) == []
    assert plaintext_connections(**{**SAFE, "database_url": "postgresql:///consult"}) == []
    assert plaintext_connections(**{**SAFE, "database_url": "sqlite:////srv/consult.db"}) == []
    assert (
        plaintext_connections(**{**SAFE, "smtp_url": "smtp://relay.example.org?starttls=1"}) == []
    )


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("site_url", "http://partner.example.org", "SITE_URL"),
        ("database_url", "postgresql+psycopg://consult@db.internal/consult", "DATABASE_URL"),
        ("database_url", "postgresql://c@10.0.0.5/consult?sslmode=prefer", "DATABASE_URL"),
        ("smtp_url", "smtp://relay.example.org:587", "SMTP_URL"),
        ("ratelimit_storage_uri", "redis://cache.internal:6379/0", "RATELIMIT_STORAGE_URI"),
        (
            "ratelimit_storage_uri",
            "redis+sentinel://:pw@127.0.0.1:26379,sentinel.internal:26379/primary",
            "RATELIMIT_STORAGE_URI",
        ),
        ("ratelimit_storage_uri", "redis+cluster://10.0.0.5:7000", "RATELIMIT_STORAGE_URI"),
    ],
)
def test_each_plain_connection_off_the_machine_is_named(setting, value, named):
    [problem] = plaintext_connections(**{**SAFE, setting: value})
    assert problem.startswith(named)


def test_what_counts_as_this_machine():
    assert all(map(stays_on_this_machine, [None, "", "localhost", "127.0.0.2", "[::1]", "::1"]))
    assert not any(
        map(stays_on_this_machine, ["db.internal", "10.0.0.5", "localhost.evil.example"])
    )
