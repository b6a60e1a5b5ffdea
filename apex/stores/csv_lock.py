"""The CSV store's lock: one transaction at a time per data folder, across threads
(a process-wide re-entrant lock) and processes (an exclusive ``flock`` on ``.lock``,
e.g. between gunicorn workers). apex.stores.csv_tables holds it per transaction."""

from __future__ import annotations

import fcntl
import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# One lock for every CsvStore of the process (threads); the flock covers processes.
_lock = threading.RLock()
_depth = 0  # how deep the thread holding _lock is in _transaction


def _reset_after_fork() -> None:
    """A forked child must not inherit a lock held by a thread it does not have."""
    global _lock, _depth
    _lock, _depth = threading.RLock(), 0


os.register_at_fork(after_in_child=_reset_after_fork)


@contextmanager
def transaction(lock_path: Path) -> Iterator[None]:
    """Hold the process lock and the folder's flock; re-entrant within a thread."""
    global _depth
    with _lock:
        fd = None
        if _depth == 0:  # opened per transaction, never kept: a fork must not share it
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        _depth += 1
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            _depth -= 1
            if fd is not None:
                os.close(fd)  # closing releases the flock


def locked(method: Callable[..., T]) -> Callable[..., T]:
    """A store method as one transaction of its ``_tables`` (every CsvStore method)."""
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> T:
        with self._tables.transaction():
            return method(self, *args, **kwargs)

    return wrapper
