"""Change counters: committed writes move them, every process sees them, and a store that loses
them never hands back a value it had before.
"""

import os

import pytest
from sqlalchemy import Integer, String, create_engine, delete, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from consult.site.change_counters import (
    FileChangeCounters,
    attach,
    counters_file,
    watch_sessions,
)
from consult.site.redis_counters import RedisChangeCounters

REDIS_URL = "redis://127.0.0.1:6379/14"


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(20))


class Other(Base):
    __tablename__ = "others"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


def test_a_file_counter_starts_at_random_and_moves_by_one(tmp_path):
    counters = FileChangeCounters(counters_file(f"sqlite:///{tmp_path / 'one.sqlite3'}"))
    (start,) = counters.read(["things"])
    assert counters.read(["things"]) == (start,)
    counters.bump(["things"])
    assert counters.read(["things"]) == (start + 1,)
    elsewhere = FileChangeCounters(counters_file(f"sqlite:///{tmp_path / 'two.sqlite3'}"))
    assert elsewhere.read(["things"]) != (start + 1,)  # another database counts apart


def test_a_database_server_s_counters_are_in_the_temporary_folder(tmp_path):
    one = counters_file("postgresql+psycopg://postgres@127.0.0.1:5432/one")
    assert one != counters_file("postgresql+psycopg://postgres@127.0.0.1:5432/two")
    assert one.parent.name == "consult-change-counters"
    assert counters_file(f"sqlite:///{tmp_path / 'a.sqlite3'}").parent == tmp_path


def test_every_process_on_the_machine_sees_a_file_bump(tmp_path):
    path = counters_file(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    worker, other = (FileChangeCounters(path) for _ in range(2))
    before = worker.read(["things", "others"])
    assert other.read(["things", "others"]) == before
    for _ in range(3):  # several bumps within the file system's time resolution
        other.bump(["things"])
        assert worker.read(["things", "others"]) == (before[0] + 1, before[1])
        before = worker.read(["things", "others"])
    other.bump(["things"])
    other.bump(["things"])  # the file's inode is reused and its size and time may not move
    assert worker.read(["things"]) == (before[0] + 2,)


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def test_redis_counters_are_seen_by_another_process_without_asking_each_time(redis_client):
    prefix = "consult:changes:{test}"
    worker = RedisChangeCounters(redis_client, prefix=prefix)
    other = RedisChangeCounters(redis_client.__class__.from_url(REDIS_URL), prefix=prefix)
    before = worker.read(["things", "others"])
    asked = []
    real_mget = worker.client.mget
    worker.client.mget = lambda keys: asked.append(keys) or real_mget(keys)
    assert worker.read(["things", "others"]) == before and asked == []  # from its mirror
    other.bump(["things"])
    assert worker.read(["things", "others"]) == (before[0] + 1, before[1])
    assert asked == [[f"{prefix}:things"]]  # the announced counter only is asked again


def test_redis_losing_its_counters_never_repeats_a_version(redis_client):
    prefix = "consult:changes:{test}"
    counters = RedisChangeCounters(redis_client, prefix=prefix)
    first = counters.read(["things"])
    redis_client.flushdb()  # a Redis restarted without its data
    counters._drop_subscription()  # as its dropped connection would
    again = counters.read(["things"])
    assert again != first  # a fresh random start, not 0 or 1 again


def test_a_lost_subscription_asks_redis_each_time_until_it_is_back(redis_client):
    prefix = "consult:changes:{test}"
    counters = RedisChangeCounters(redis_client, prefix=prefix)
    counters.read(["things"])
    counters._subscription.connection.disconnect()  # the subscription breaks
    redis_client.incr(f"{prefix}:things")  # a change whose announcement it cannot receive
    assert counters.read(["things"]) == (int(redis_client.get(f"{prefix}:things")),)


class Recorder:
    def __init__(self):
        self.bumps: list[set[str]] = []

    def bump(self, tables):
        self.bumps.append(set(tables))

    def read(self, tables):
        return tuple(0 for _ in tables)


@pytest.fixture
def watched(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'things.sqlite3'}")
    Base.metadata.create_all(engine)
    recorder = Recorder()
    attach(engine, recorder)
    watch_sessions()
    yield engine, recorder
    engine.dispose()


def test_a_commit_moves_the_counters_of_the_tables_it_wrote_once_done(watched):
    engine, recorder = watched
    with Session(engine) as session:
        session.add(Thing(id=1, name="one"))
        session.flush()
        assert recorder.bumps == []  # not before the commit
        session.commit()
    assert recorder.bumps == [{"things"}]
    with Session(engine) as session:
        session.get(Thing, 1).name = "uno"
        session.add(Other(id=1))
        session.commit()
        session.delete(session.get(Other, 1))
        session.commit()
    assert recorder.bumps[1:] == [{"things", "others"}, {"others"}]


def test_statements_executed_through_a_session_count_and_a_rollback_does_not(watched):
    engine, recorder = watched
    with Session(engine) as session:
        session.add(Thing(id=1, name="one"))
        session.commit()
        session.execute(update(Thing).values(name="changed"))
        session.commit()
        session.execute(delete(Other))
        session.rollback()
        session.commit()
    assert recorder.bumps == [{"things"}, {"things"}]


def test_a_session_of_another_engine_on_the_same_database_counts_too(watched, tmp_path):
    _engine, recorder = watched
    another = create_engine(f"sqlite:///{tmp_path / 'things.sqlite3'}")
    with Session(another) as session:
        session.add(Thing(id=7, name="seven"))
        session.commit()
    another.dispose()
    assert recorder.bumps == [{"things"}]


def test_a_released_savepoint_moves_nothing_before_the_outer_commit(watched):
    engine, recorder = watched
    with Session(engine) as session:
        session.add(Thing(id=1, name="one"))
        session.flush()
        with session.begin_nested():
            session.add(Other(id=1))
        assert recorder.bumps == []  # a page drawn now would show the rows before the commit
        session.commit()
    assert recorder.bumps == [{"things", "others"}]


def test_a_rolled_back_savepoint_keeps_what_was_written_before_it(watched):
    engine, recorder = watched
    with Session(engine) as session:
        session.add(Thing(id=1, name="one"))
        session.flush()
        savepoint = session.begin_nested()
        session.add(Other(id=1))
        session.flush()
        savepoint.rollback()
        session.commit()
    assert recorder.bumps and "things" in recorder.bumps[0]
    with Session(engine) as session:
        session.add(Thing(id=2, name="two"))
        session.flush()
        with session.begin_nested():
            session.add(Other(id=2))
        session.rollback()
        session.commit()
    assert len(recorder.bumps) == 1  # the outer rollback undid both
