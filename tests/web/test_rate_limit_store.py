"""Rate limits in the production store: counted in Redis, shared by every worker process, and
still enforced (per worker) while Redis cannot be reached.

The Redis leg uses TEST_REDIS_URL (default redis://127.0.0.1:6379/0) with a key prefix of its
own for each test, whose keys are deleted afterwards, so parallel runs never share counts.
Without a Redis that answers, the leg is skipped and says why; REQUIRE_REDIS=1 (as in .ci/run)
makes that a failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
import redis

from consult.config import PROJECT_ROOT
from tests.conftest import Auth, submit_form

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
REQUIRE_REDIS = os.environ.get("REQUIRE_REDIS") == "1"
SIGN_IN_LIMIT = 10  # per minute, per address and per e-mail (accounts/routes.py)


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if REQUIRE_REDIS:
            pytest.fail(f"REQUIRE_REDIS=1 but Redis at {REDIS_URL} does not answer: {error}")
        pytest.skip(f"Redis leg skipped: {REDIS_URL} does not answer ({error})")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def key_prefix(redis_url) -> Iterator[str]:
    """A key prefix for this test alone; its keys are deleted when the test ends."""
    prefix = f"consult-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def limited_app(make_app, storage_uri: str, key_prefix: str):
    return make_app(
        {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": key_prefix}},
        RATELIMIT_STORAGE_URI=storage_uri,
    )


def failed_sign_ins(app, email: str, times: int) -> list[int]:
    browser = app.test_client()
    return [Auth(browser).sign_in(email, "not the password").status_code for _ in range(times)]


def in_another_worker(app, storage_uri: str, key_prefix: str, email: str, times: int) -> list[int]:
    settings = app.extensions["consult.settings"]
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "CONSULT_INSTANCE_DIR": str(settings.instance_dir),
        "RATELIMIT_STORAGE_URI": storage_uri,
        "LIMIT_KEY_PREFIX": key_prefix,
    }
    result = subprocess.run(  # noqa: S603  this interpreter, our own module, the test's values
        [sys.executable, "-m", "tests.fakes.limit_worker", email, str(times)],
        env=environment,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sign_in_limits_are_counted_in_redis_and_shared_by_every_worker(
    make_app, make_user, redis_url, key_prefix
):
    app = limited_app(make_app, redis_url, key_prefix)
    email = make_user().email
    assert failed_sign_ins(app, email, 6) == [422] * 6
    other_worker = in_another_worker(app, redis_url, key_prefix, email, 5)
    assert other_worker == [422] * 4 + [429]  # the 11th attempt, counted across processes
    assert failed_sign_ins(app, email, 1) == [429]

    client = redis.Redis.from_url(redis_url)
    assert list(client.scan_iter(match=f"{key_prefix}*"))  # the counts live in Redis
    client.close()
    other_run = limited_app(make_app, redis_url, f"{key_prefix}-other-run")  # a parallel run
    assert failed_sign_ins(other_run, email, 1) == [422]


def test_a_limit_per_target_is_counted_in_redis_for_every_worker(make_app, redis_url, key_prefix):
    """Starts for one address from three client addresses, then a fourth through an app of its
    own (a freshly started worker) on the same store: refused, 429, its answers kept.

    It runs before the unreachable-store test: the limiter is one object in this process, and
    once it has found its store unreachable it counts in memory until its next check.
    """
    first_worker = limited_app(make_app, redis_url, key_prefix)
    start = {"organisation": "Lakeside", "role_group": "clinical-leadership", "email": "l@x.org"}
    for number in range(3):
        visitor = first_worker.test_client()
        visitor.environ_base["REMOTE_ADDR"] = f"203.0.113.{number}"
        assert submit_form(visitor, "/portal/start", start, page="/portal/").status_code == 200
    client = redis.Redis.from_url(redis_url)
    assert list(client.scan_iter(match=f"{key_prefix}*portal-start-email*"))
    client.close()

    next_worker = limited_app(make_app, redis_url, key_prefix)
    visitor = next_worker.test_client()
    visitor.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    refused = submit_form(visitor, "/portal/start", start, page="/portal/")
    assert refused.status_code == 429 and 'value="Lakeside"' in refused.get_data(as_text=True)


def test_limits_still_hold_and_nothing_fails_while_redis_cannot_be_reached(make_app, make_user):
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        nowhere = f"redis://127.0.0.1:{placeholder.getsockname()[1]}/0"
    app = limited_app(make_app, nowhere, f"consult-test-{uuid.uuid4().hex}")
    email = make_user().email
    assert failed_sign_ins(app, email, SIGN_IN_LIMIT) == [422] * SIGN_IN_LIMIT
    assert failed_sign_ins(app, email, 1) == [429]  # counted in the worker's own memory
