"""Login failure counts in Redis (``REDIS_URL``): shared by every worker and machine."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import redis

from apex.login_throttle import FORGET, AttemptLog, Failures, after_failure

T = TypeVar("T")
log = logging.getLogger(__name__)

PREFIX = "apex:login:"


class RedisAttempts:
    """One hash per key (count, last failure as epoch seconds), expiring after FORGET."""

    def __init__(self, url: str) -> None:
        # A login waits on this: fail fast, and fall back (WithFallback), when Redis is down.
        self.client: Any = redis.Redis.from_url(url, socket_connect_timeout=1,
                                                socket_timeout=2)

    def _name(self, key: str) -> str:
        return PREFIX + key

    def _read(self, pipe: Any, keys: Sequence[str]) -> dict[str, Failures]:
        found: dict[str, Failures] = {}
        for k in keys:
            raw = pipe.hgetall(self._name(k))
            if raw:
                found[k] = Failures(int(raw[b"count"]),
                                    datetime.fromtimestamp(float(raw[b"last"]), UTC))
        return found

    def login_failures(self, keys: Sequence[str]) -> dict[str, Failures]:
        return self._read(self.client, keys)

    def record_login_failure(self, keys: Sequence[str], now: datetime) -> None:
        names = [self._name(k) for k in keys]

        def update(pipe: Any) -> None:
            # WATCHed read, then MULTI: a concurrent failure makes redis-py retry,
            # so no increment is lost between workers.
            found = self._read(pipe, keys)
            pipe.multi()
            for k, name in zip(keys, names, strict=True):
                new = after_failure(found.get(k), now)
                pipe.hset(name, mapping={"count": new.count, "last": new.last_at.timestamp()})
                pipe.expire(name, int(FORGET.total_seconds()))

        self.client.transaction(update, *names)

    def clear_login_failures(self, keys: Sequence[str]) -> None:
        if keys:
            self.client.delete(*(self._name(k) for k in keys))


class WithFallback:
    """Redis, or the store while Redis does not answer: a Redis outage must not stop
    racers logging in (nor lift the limit: the store is shared by every worker too)."""

    def __init__(self, primary: AttemptLog, fallback: AttemptLog) -> None:
        self.primary, self.fallback = primary, fallback

    def _either(self, call: Callable[[AttemptLog], T]) -> T:
        try:
            return call(self.primary)
        except redis.RedisError as exc:
            log.warning("login limit: Redis unavailable, counting in the store: %s", exc)
            return call(self.fallback)

    def login_failures(self, keys: Sequence[str]) -> dict[str, Failures]:
        return self._either(lambda log_: log_.login_failures(keys))

    def record_login_failure(self, keys: Sequence[str], now: datetime) -> None:
        self._either(lambda log_: log_.record_login_failure(keys, now))

    def clear_login_failures(self, keys: Sequence[str]) -> None:
        self._either(lambda log_: log_.clear_login_failures(keys))
