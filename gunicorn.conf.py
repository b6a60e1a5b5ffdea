"""Gunicorn settings for APEX: ``gunicorn wsgi:app -c gunicorn.conf.py``.

Everything comes from environment variables (see DEPLOY.md), so one file serves
Railway, a Procfile host and a plain server. This file must not import ``apex``:
the master process never loads the app (see ``preload_app``).
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cpus() -> int:
    # The CPUs this process may run on (a container's share), not the host's count.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# --- where to listen ------------------------------------------------------------------------
# Railway and most platforms hand the port in $PORT and route to any interface.
bind = f"0.0.0.0:{_int('PORT', 8000)}"

# --- processes and threads ------------------------------------------------------------------
# Each worker is a process with its own PostgreSQL pool (APEX_POOL_MAX connections), so
# workers x APEX_POOL_MAX must stay below the server's max_connections (DEPLOY.md).
# CPUs + 1: APEX is CPU-bound (Python and Jinja; a few ms a page in PostgreSQL), so more
# processes than CPUs only add memory; the table in DEPLOY.md (scripts/bench_load.py) is
# how this was chosen.
workers = _int("WEB_CONCURRENCY", min(_cpus() + 1, 8))
threads = _int("GUNICORN_THREADS", 2)
# gthread also when threads == 1: it keeps idle keep-alive connections off the worker.
worker_class = "gthread"

# NOTE: never preload. The app opens its psycopg connection pool (and its pool's
# background threads) in create_app; a pool opened in the master and inherited by
# forked workers would share sockets between processes and corrupt the protocol.
# Without preload each worker imports wsgi.py and opens its own pool after the fork.
preload_app = False

# The heartbeat file each worker touches: in memory where there is /dev/shm, since a
# container's disk-backed /tmp can stall the fchmod and get a healthy worker killed.
if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
    worker_tmp_dir = "/dev/shm"

# --- time limits ----------------------------------------------------------------------------
timeout = _int("GUNICORN_TIMEOUT", 30)  # a worker silent this long is killed and replaced
graceful_timeout = 30  # on SIGTERM/restart: let requests in flight finish
keepalive = 5  # seconds an idle keep-alive connection (from the proxy) stays open

# Workers are not recycled by default: under load max_requests=1000 restarted a worker
# every few seconds, each restart costing about a second of CPU (imports, the pool, the
# templates compiled at boot) and resetting the connections it held (scripts/bench_load.py,
# DEPLOY.md). GUNICORN_MAX_REQUESTS=N bounds a slow leak if one ever shows: a worker is then
# replaced after N to 1.5 N requests, the jitter large so the workers never restart together.
max_requests = max(_int("GUNICORN_MAX_REQUESTS", 0), 0)
max_requests_jitter = max_requests // 2

# --- behind a proxy ---------------------------------------------------------------------------
# X-Forwarded-Proto etc. are trusted only from these addresses (comma separated, CIDR
# allowed, "*" for any): then a request that reached the proxy over HTTPS is seen as
# https by the app. On Railway, Heroku and the like the proxy's address is not known in
# advance and the app is reachable only through it: set FORWARDED_ALLOW_IPS="*" there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# --- logs -------------------------------------------------------------------------------------
accesslog = "-"  # stdout
errorlog = "-"  # stderr
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The usual combined format, plus the time taken and the worker's pid.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %(p)s'
)

# --- runtime control socket -------------------------------------------------------------------
# Gunicorn >= 25.1 opens a control socket at one fixed path in $HOME by default, which
# two servers on one machine would fight over (and $HOME may be read-only in a container).
# Off unless asked for with GUNICORN_CONTROL_SOCKET=/path/to/gunicorn.ctl.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
