"""What a connection pool's connections send PostgreSQL, traced by libpq: the load bench
counts a page's round trips with it (scripts/bench_load.py), the tests read what a request
sent (tests/test_request_transaction.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from psycopg.pq import Trace


def traced(pool: Any, fileno: int, action: Callable[[], object]) -> int:
    """Run ``action`` with every connection it takes from ``pool`` traced into ``fileno``;
    how many it took."""
    taken = 0
    get, put = pool.getconn, pool.putconn

    def getconn(*args: Any, **kwargs: Any) -> Any:
        nonlocal taken
        conn = get(*args, **kwargs)
        taken += 1
        conn.pgconn.trace(fileno)
        conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
        return conn

    def putconn(conn: Any) -> None:
        conn.pgconn.untrace()
        put(conn)

    pool.getconn, pool.putconn = getconn, putconn
    try:
        action()
    finally:
        pool.getconn, pool.putconn = get, put
    return taken
