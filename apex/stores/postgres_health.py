"""Whether PostgreSQL answers, as this process last saw it: fail fast during an outage.

Without this, every request during an outage waits the pool's whole timeout for a
connection that cannot come, every gunicorn thread ends up waiting, and even the health
check queues behind them. So once the database is known to be down, requests are turned
away at once (the outage page) and one request at a time, at most every ``RETRY`` seconds,
tries a direct connection with a short connect timeout; when that succeeds the pool is
used again. The same direct check, outside the pool, answers the readiness check.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

import psycopg

from apex.store import StoreUnavailable

log = logging.getLogger(__name__)

# Seconds between two direct checks in one process (also how long an answer is reused).
RETRY = 1.0


def first_line(error: BaseException) -> str:
    """psycopg's connection errors span lines (one per address tried): the first says it."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class Availability:
    """The database's state for one process: up, or down since when and why."""

    def __init__(self, url: str, *, connect_timeout: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._url = url
        self._connect_timeout = connect_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self.reason = ""
        self._checked_at = -math.inf

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def gate(self) -> None:
        """Return if the database may be used; raise StoreUnavailable at once if not."""
        if self.down and not self.check():
            raise StoreUnavailable(self.reason)

    def check(self) -> bool:
        """Whether the database answers: a direct connection, not the pool.

        At most one check runs at a time and at most one per ``RETRY`` seconds; any other
        caller gets the last answer at once (a hung check must not hold every thread).
        """
        if self._clock() - self._checked_at < RETRY or not self._lock.acquire(blocking=False):
            return not self.down
        try:
            error = self._probe()
            if error is None:
                self._up()
            else:
                self._down(error)
            self._checked_at = self._clock()
        finally:
            self._lock.release()
        return not self.down

    def lost(self, reason: str) -> None:
        """A request found the database gone: the next one checks at once, and while the
        check fails, requests fail fast."""
        self._down(reason)
        self._checked_at = -math.inf

    def _down(self, reason: str) -> None:
        if self._down_since is None:
            self._down_since = self._clock()
            # Once per outage, not per request: the access log already counts the 503s.
            log.warning("database unreachable, serving the outage page: %s", reason)
        self.reason = reason

    def _up(self) -> None:
        if self._down_since is not None:
            log.warning("database reachable again after %.1f s",
                        self._clock() - self._down_since)
        self._down_since = None
        self.reason = ""

    def _probe(self) -> str | None:
        """None if a fresh connection answers ``SELECT 1``, else why not."""
        try:
            with psycopg.connect(self._url, connect_timeout=self._connect_timeout,
                                 autocommit=True) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            return first_line(exc)
        return None
