"""Change counters in Redis, mirrored in each process and kept true by announcements.

Asking Redis for the counters on every request would cost each page a round trip. Instead each
process subscribes to its database's channel, on which every bump announces the tables it
moved; it keeps the counters it has read, and before each read takes the announcements waiting
on its connection (a look at the socket, no round trip), forgetting the counters they name.
Redis sends an announcement to every subscriber before it answers the PUBLISH, so by the time a
writer has answered its visitor every other process can see it. A process that cannot hold its
subscription (Redis away) keeps nothing and asks Redis every time until it subscribes again;
one whose subscription was dropped and taken up again forgets what it kept.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from consult.site.change_counters import fresh_start

SUBSCRIBE_TIMEOUT_SECONDS = 2.0


class RedisChangeCounters:
    """The counters of one database, under `prefix` in Redis (`redis.Redis`, or a cluster
    client): each table's key is `prefix:table`, announced on the channel `prefix`. The prefix
    keeps databases that share one Redis apart; its braces keep a database's keys in one hash
    slot, so one MGET reads them on a Redis cluster too.
    """

    def __init__(self, client: Any, *, prefix: str):
        self.client = client
        self.channel = prefix
        self._unsent: set[str] = set()
        self._mirror: dict[str, int] = {}
        self._subscription: Any = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def _key(self, table: str) -> str:
        return f"{self.channel}:{table}"

    def bump(self, tables: Iterable[str]) -> None:
        """Move the counter of each table (after its transaction committed) and announce them.
        While Redis cannot be reached, the tables wait in this process for its next bump.
        """
        with self._lock:
            waiting = self._unsent | set(tables)
            pipeline = self.client.pipeline(transaction=False)
            for table in sorted(waiting):
                pipeline.set(self._key(table), fresh_start(), nx=True)
                pipeline.incr(self._key(table))
            pipeline.publish(self.channel, ",".join(sorted(waiting)))
            try:
                pipeline.execute()
            except Exception:
                self._unsent = waiting
                raise
            self._unsent = set()

    def read(self, tables: Sequence[str]) -> tuple[int, ...]:
        """The counters of `tables`, in their order (a missing one is started first)."""
        with self._lock:
            following = self._follow_announcements()
            missing = [table for table in tables if table not in self._mirror]
            fetched = dict(zip(missing, self._fetch(missing), strict=True)) if missing else {}
            if following:
                self._mirror.update(fetched)
            return tuple(
                fetched[table] if table in fetched else self._mirror[table] for table in tables
            )

    def _fetch(self, tables: Sequence[str]) -> list[int]:
        keys = [self._key(table) for table in tables]
        values = self.client.mget(keys)
        if any(value is None for value in values):
            pipeline = self.client.pipeline(transaction=False)
            for key, value in zip(keys, values, strict=True):
                if value is None:
                    pipeline.set(key, fresh_start(), nx=True)
            pipeline.execute()
            values = self.client.mget(keys)
        return [int(value) for value in values]

    def _follow_announcements(self) -> bool:
        """Forget the counters announced since the last read; False (and nothing kept) while
        this process holds no subscription.
        """
        if self._pid != os.getpid():  # a forked worker: the parent's connection is not ours
            self._subscription, self._pid = None, os.getpid()
        try:
            if self._subscription is None:
                self._mirror.clear()  # counters read before subscribing may have missed news
                self._subscription = self._subscribe()
            while (message := self._subscription.get_message(timeout=0)) is not None:
                if message["type"] == "message":
                    for table in _text(message["data"]).split(","):
                        self._mirror.pop(table, None)
                elif message["type"] == "subscribe":  # subscribed again after a reconnection
                    self._mirror.clear()
            return True
        except Exception:
            self._drop_subscription()
            return False

    def _subscribe(self) -> Any:
        """A subscription to the channel, confirmed by Redis before any counter is read."""
        subscription = self.client.pubsub()
        subscription.subscribe(self.channel)
        while True:
            message = subscription.get_message(timeout=SUBSCRIBE_TIMEOUT_SECONDS)
            if message is None:
                subscription.close()
                raise TimeoutError("Redis did not confirm the subscription")
            if message["type"] == "subscribe":
                # redis-py reconnects a dropped subscription by itself, and what was announced
                # meanwhile is lost: whatever was kept is forgotten as soon as it reconnects.
                subscription.connection.register_connect_callback(self._reconnected)
                return subscription

    def _reconnected(self, _connection: Any) -> None:
        self._mirror.clear()

    def _drop_subscription(self) -> None:
        subscription, self._subscription = self._subscription, None
        self._mirror.clear()
        if subscription is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to close cleanly
                subscription.close()


def _text(data: bytes | str) -> str:
    return data.decode() if isinstance(data, bytes) else data
