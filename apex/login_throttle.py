"""The login limit: growing waits after failed logins, counted where every worker sees them.

Why it is built this way (issue 12 finding 8):
- Counts live in Redis when ``REDIS_URL`` is set, otherwise in the store
  (``login_attempts``: a PostgreSQL table, or a CSV file under the data folder's lock),
  so every gunicorn worker and every machine counts the same failures.
- Per account *and* per address: spraying one password over many accounts from one
  address is slowed by the address count; guessing one account from many addresses by
  the account count.
- Backoff, not lockout: the first failures are free, each further one doubles the wait
  before the next try (up to ``Policy.cap``); a success clears the account's count.
- Checking and counting are one atomic step (``admit``): an attempt allowed in is
  counted as a failure at once and taken back if the password was right, so a burst of
  parallel guesses cannot all pass the check before any of them is counted.
- Known devices (OWASP "device cookies"): a successful login leaves a signed cookie naming
  the user. A browser showing one for the account it logs in to is counted on its own
  key instead of the account's and the address's: a pit full of racers behind one NAT
  address, or a stranger hammering a racer's account, cannot lock that racer's own phone
  out, while a stolen device cookie still meets its own backoff.

The rule (``admit``, ``forgiven``) is pure; both stores and Redis call it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

# A count untouched this long is forgotten (and pruned from the store).
FORGET = timedelta(hours=24)


@dataclass(frozen=True)
class Failures:
    """Failed logins under one key, and when the last one was."""

    count: int
    last_at: datetime


@dataclass(frozen=True)
class Policy:
    """``free`` failures cost nothing; then the wait doubles from ``base`` up to ``cap``."""

    free: int
    base: float = 1.0
    cap: float = 15 * 60.0


Check = tuple[str, Policy]  # a count's key and the policy it is held to


class AttemptLog(Protocol):
    """Where the counts live: both stores, and ``RedisAttempts``."""

    def login_failures(self, keys: Sequence[str]) -> dict[str, Failures]:
        """The counts of those keys that have one."""

    def begin_login_attempt(self, checks: Sequence[Check], now: datetime) -> int:
        """In one atomic step, ``admit``: the seconds to wait, or 0 and the attempt
        counted as a failure under every key."""

    def login_succeeded(self, clear: Sequence[str], forgive: Sequence[str]) -> None:
        """The password was right: drop the counts under ``clear``, take the attempt's
        failure back under ``forgive`` (``forgiven``), atomically."""


def now() -> datetime:
    """The throttle's clock (tests move it; stores are handed its value)."""
    return datetime.now(UTC)


def live(failures: Failures | None, at: datetime) -> Failures | None:
    """The count, unless it is old enough to be forgotten."""
    if failures is None or at - failures.last_at > FORGET:
        return None
    return failures


def after_failure(failures: Failures | None, at: datetime) -> Failures:
    """The count after one more failure at ``at``."""
    current = live(failures, at)
    return Failures((current.count if current else 0) + 1, at)


def wait_seconds(failures: Failures | None, policy: Policy, at: datetime) -> int:
    """Whole seconds before the next try is allowed (0: now)."""
    current = live(failures, at)
    if current is None or current.count < policy.free:
        return 0
    delay = min(policy.cap, policy.base * 2 ** (current.count - policy.free))
    left = (current.last_at + timedelta(seconds=delay) - at).total_seconds()
    return max(0, math.ceil(left))


def admit(found: Mapping[str, Failures], checks: Sequence[Check], at: datetime
          ) -> tuple[int, dict[str, Failures]]:
    """The wait the counts ask for; when there is none, the attempt counted as a failure
    under every key (the new counts to write)."""
    wait = max((wait_seconds(found.get(k), p, at) for k, p in checks), default=0)
    if wait:
        return wait, {}
    return 0, {k: after_failure(found.get(k), at) for k, _ in checks}


def forgiven(failures: Failures | None) -> Failures | None:
    """The count with one failure taken back (None: nothing left)."""
    if failures is None or failures.count <= 1:
        return None
    return Failures(failures.count - 1, failures.last_at)


def key(kind: str, value: str) -> str:
    """A count's key: the kind, then a hash (no login, address or device id is stored)."""
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"

