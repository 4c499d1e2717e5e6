"""The session limits: idle and absolute, for the consultant and for clients, to the second."""

from datetime import UTC, datetime, timedelta

import pytest

from consult.accounts.idle import (
    CLIENT_LIMITS,
    CONSULTANT_LIMITS,
    Expiry,
    expiry_message,
    expiry_of,
    in_words,
    limits_for,
    read_sign_in_id,
    sign_in_id,
)

SIGNED_IN = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def test_the_consultant_has_the_short_limits_and_a_client_the_long_ones():
    assert limits_for("consultant") == CONSULTANT_LIMITS
    assert (CONSULTANT_LIMITS.idle, CONSULTANT_LIMITS.absolute) == (
        timedelta(minutes=30),
        timedelta(hours=12),
    )
    assert limits_for("client") == CLIENT_LIMITS
    assert (CLIENT_LIMITS.idle, CLIENT_LIMITS.absolute) == (timedelta(hours=8), timedelta(days=30))


@pytest.mark.parametrize("limits", [CONSULTANT_LIMITS, CLIENT_LIMITS])
def test_idle_ends_a_session_at_the_limit_not_a_second_before(limits):
    last_active = SIGNED_IN + timedelta(minutes=5)

    def verdict(now):
        return expiry_of(limits=limits, signed_in_at=SIGNED_IN, last_active_at=last_active, now=now)

    assert verdict(last_active + limits.idle - SECOND) is None
    assert verdict(last_active + limits.idle) is Expiry.IDLE


@pytest.mark.parametrize("limits", [CONSULTANT_LIMITS, CLIENT_LIMITS])
def test_the_absolute_limit_holds_however_recent_the_last_request(limits):
    def verdict(now):
        return expiry_of(
            limits=limits, signed_in_at=SIGNED_IN, last_active_at=now - SECOND, now=now
        )

    assert verdict(SIGNED_IN + limits.absolute - SECOND) is None
    assert verdict(SIGNED_IN + limits.absolute) is Expiry.ABSOLUTE


def test_a_session_restored_by_remember_me_is_judged_by_its_sign_in_time():
    def verdict(now):
        return expiry_of(
            limits=CONSULTANT_LIMITS, signed_in_at=SIGNED_IN, last_active_at=None, now=now
        )

    assert verdict(SIGNED_IN + timedelta(hours=11, minutes=59)) is None
    assert verdict(SIGNED_IN + timedelta(hours=12)) is Expiry.ABSOLUTE


def test_the_messages_say_why_in_words():
    assert expiry_message(Expiry.IDLE, CONSULTANT_LIMITS).startswith(
        "You were signed out after 30 minutes without activity"
    )
    assert "12 hours after signing in" in expiry_message(Expiry.ABSOLUTE, CONSULTANT_LIMITS)
    assert "after 8 hours without activity" in expiry_message(Expiry.IDLE, CLIENT_LIMITS)
    assert in_words(timedelta(days=30)) == "30 days"
    assert in_words(timedelta(minutes=1)) == "1 minute"


def test_the_cookie_id_carries_the_token_and_the_sign_in_time():
    token = "ab" * 32
    value = sign_in_id(token, SIGNED_IN + timedelta(microseconds=500))
    read = read_sign_in_id(value)
    assert read is not None
    assert (read.session_token, read.signed_in_at) == (token, SIGNED_IN)


@pytest.mark.parametrize(
    "value", ["", "ab" * 32, "ab.", ".123", "ab.-5", "ab.1e9", "ab.12x", "ab." + "9" * 40]
)
def test_an_id_without_a_sign_in_time_reads_as_none(value):
    assert read_sign_in_id(value) is None
