"""The current time, always aware UTC; the app's clock can be replaced in tests."""

from collections.abc import Callable
from datetime import UTC, datetime


def utc_now() -> datetime:
    """The real current time in UTC."""
    return datetime.now(UTC)


def app_now() -> datetime:
    """The current time as the running app sees it (its `CLOCK` setting, `utc_now` unless a test
    injects one).
    """
    from flask import current_app

    clock: Callable[[], datetime] = current_app.config["CLOCK"]
    return clock()
