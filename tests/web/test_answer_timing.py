"""Forms that must not tell whether an address is known answer in the same time either way: a
password reset for an address with or without an account, a subscription for an address that
is new or already confirmed. Otherwise the time of the answer would tell what its words do not.
"""

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import select

from consult.accounts.models import PasswordResetToken
from consult.blog.models import Subscriber
from consult.db import get_session
from consult.mail.models import OutboxEmail
from tests.conftest import csrf_token_from

REQUESTS = 15
# The medians may differ by this share of the slower one: well under the gap of doing nothing
# for one kind of address, which made it about twice as fast.
TOLERANCE = 0.25


def medians(post: Callable[[str, int], int]) -> dict[str, float]:
    """The median time of `post(kind, i)` for the known and the unknown kind, interleaved so
    that a slow moment of the machine hits both.
    """
    durations: dict[str, list[float]] = {"known": [], "unknown": []}
    for number in range(REQUESTS):
        for kind in ("known", "unknown"):
            started = time.perf_counter()
            assert post(kind, number) == 200
            durations[kind].append(time.perf_counter() - started)
    return {kind: statistics.median(times) for kind, times in durations.items()}


def assert_alike(median: dict[str, float]) -> None:
    known, unknown = median["known"], median["unknown"]
    assert abs(known - unknown) <= TOLERANCE * max(known, unknown), median


def outbox_addresses(app) -> list[str]:
    with app.app_context():
        return [email.to_address for email in get_session().exec(select(OutboxEmail))]


def test_a_reset_takes_as_long_for_an_address_with_an_account_as_without(app, make_user):
    make_user(email="known@example.org")
    client = app.test_client()
    token = csrf_token_from(client.get("/accounts/reset").get_data(as_text=True))

    def ask(kind: str, _number: int) -> int:
        data = {"email": f"{kind}@example.org", "csrf_token": token}
        return client.post("/accounts/reset", data=data).status_code

    assert_alike(medians(ask))
    assert set(outbox_addresses(app)) == {"known@example.org"}
    with app.app_context():
        assert len(get_session().exec(select(PasswordResetToken)).all()) == REQUESTS


def test_subscribing_takes_as_long_for_a_confirmed_address_as_for_a_new_one(blog_app, reader):
    now = datetime.now(UTC)
    with blog_app.app_context():
        confirmed = Subscriber(
            email="known@example.org",
            status="confirmed",
            confirm_token_hash="0" * 64,
            created_at=now,
            confirmation_sent_at=now,
            confirmed_at=now,
        )
        get_session().add(confirmed)
        get_session().commit()
    reader.get("/blog/subscribe")
    token = reader.get("/blog/subscribe/token").get_json()["token"]

    def subscribe(kind: str, number: int) -> int:
        email = "known@example.org" if kind == "known" else f"new{number}@example.org"
        data = {"email": email, "csrf_token": token}
        return reader.post("/blog/subscribe", data=data).status_code

    assert_alike(medians(subscribe))
    sent_to = outbox_addresses(blog_app)
    assert len(sent_to) == REQUESTS and "known@example.org" not in sent_to  # nothing new for it
