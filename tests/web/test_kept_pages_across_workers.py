"""Pages kept by one worker process are never sent once another process has changed what they
show: the change counters are shared between gunicorn's workers, in a file without Redis and
in Redis with it, and a time booked through one worker is gone from every worker's kept pages
by the guest's next request.
"""

import json
import os
import shutil
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import redis

from tests.web.booking_flow import GUEST
from tests.web.live_server import Browser, LiveServer, open_day, prepare_database

SITE_ZONE = ZoneInfo("America/Chicago")
SLUG = "discovery-call"
WORKERS = 3
LOOKS = 12  # requests enough to reach every worker
REDIS_URL = "redis://127.0.0.1:6379/12"
STORES = {"file": {}, "redis": {"RATELIMIT_STORAGE_URI": REDIS_URL}}


def redis_or_skip() -> None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but Redis at {REDIS_URL} does not answer: {error}")
        pytest.skip(f"Redis leg skipped: {REDIS_URL} does not answer ({error})")
    finally:
        client.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def live_database(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "consult.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(params=sorted(STORES))
def server(request, live_database, tmp_path):
    if request.param == "redis":
        redis_or_skip()
    prepare_database(live_database)
    live = LiveServer(
        database_url=live_database,
        instance_dir=tmp_path / "live",
        workers=WORKERS,
        settings=STORES[request.param],
    )
    yield live
    live.stop()
    assert not live.errors(), "\n".join(live.errors())


def offered(browser, day) -> list[str]:
    query = urlencode({"date": day.isoformat(), "tz": SITE_ZONE.key})
    return json.loads(browser.get(f"/book/{SLUG}/slots.json?{query}"))["slots"]


def test_a_time_booked_through_one_worker_is_gone_from_every_worker_at_once(server):
    day = open_day()
    reader = Browser(server.url)  # no cookie: the finished pages in front of Flask answer it
    seen = [offered(reader, day) for _ in range(LOOKS)]
    assert all(times == seen[0] for times in seen) and seen[0]
    start = seen[0][0]
    guest = Browser(server.url)
    path = f"/book/{SLUG}/details?" + urlencode({"start": start, "tz": SITE_ZONE.key})
    data = {**GUEST, "start": start, "tz": SITE_ZONE.key, "csrf_token": guest.form_token(path)}
    status, page, _ = guest.request(path, data)
    assert status == 303, page[:500]
    for _ in range(LOOKS):
        assert start not in offered(reader, day)
