"""Login failure counts in Redis (``REDIS_URL``): shared by every worker and machine."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import redis

from apex.login_throttle import FORGET, AttemptLog, Check, Failures, admit, forgiven

T = TypeVar("T")
log = logging.getLogger(__name__)
PREFIX = "apex:login:"


def _name(key: str) -> str:
    return PREFIX + key


def _read(client: Any, keys: Sequence[str]) -> dict[str, Failures]:
    found: dict[str, Failures] = {}
    for k in keys:
        raw = client.hgetall(_name(k))
        if raw:
            found[k] = Failures(int(raw[b"count"]),
                                datetime.fromtimestamp(float(raw[b"last"]), UTC))
    return found


def _write(pipe: Any, key: str, failures: Failures | None) -> None:
    if failures is None:
        pipe.delete(_name(key))
        return
    pipe.hset(_name(key), mapping={"count": failures.count,
                                   "last": failures.last_at.timestamp()})
    pipe.expire(_name(key), int(FORGET.total_seconds()))


class RedisAttempts:
    """One hash per key (count, last failure as epoch seconds), expiring after FORGET.

    Each change is a WATCHed read, the rule, then MULTI/EXEC: a concurrent change to the
    same keys makes redis-py run it again, so no count is lost between workers.
    """

    def __init__(self, url: str) -> None:
        # A login waits on this: fail fast, and fall back (WithFallback), when Redis is down.
        self.client: Any = redis.Redis.from_url(url, socket_connect_timeout=1,
                                                socket_timeout=2)

    def login_failures(self, keys: Sequence[str]) -> dict[str, Failures]:
        return _read(self.client, keys)

    def begin_login_attempt(self, checks: Sequence[Check], now: datetime) -> int:
        keys = [k for k, _ in checks]

        def step(pipe: Any) -> int:
            wait, new = admit(_read(pipe, keys), checks, now)
            pipe.multi()
            for k, f in new.items():
                _write(pipe, k, f)
            return wait

        return int(self.client.transaction(step, *map(_name, keys), value_from_callable=True))

    def login_succeeded(self, clear: Sequence[str], forgive: Sequence[str]) -> None:
        def step(pipe: Any) -> None:
            found = _read(pipe, forgive)
            pipe.multi()
            for k in clear:
                _write(pipe, k, None)
            for k in forgive:
                _write(pipe, k, forgiven(found.get(k)))

        self.client.transaction(step, *map(_name, [*clear, *forgive]))


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

    def begin_login_attempt(self, checks: Sequence[Check], now: datetime) -> int:
        return self._either(lambda log_: log_.begin_login_attempt(checks, now))

    def login_succeeded(self, clear: Sequence[str], forgive: Sequence[str]) -> None:
        self._either(lambda log_: log_.login_succeeded(clear, forgive))
