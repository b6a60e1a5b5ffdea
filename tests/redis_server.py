"""A throwaway redis-server for the tests that need one (Debian's ``redis-server``,
installed by scripts/test): a free local port, no persistence, stopped afterwards."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.pg_server import _free_port


@contextmanager
def running_redis() -> Iterator[str]:
    """The URL of a fresh redis-server, for the length of the block."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not found: scripts/test installs Debian's")
    folder = Path(tempfile.mkdtemp(prefix="apex-redis-"))
    for _attempt in range(3):  # the free port may be taken before the server binds it
        port = _free_port()
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        if _answers(url, process):
            break
        process.kill()
        process.wait()
    else:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError("redis-server did not start")
    try:
        yield url
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _answers(url: str, process: subprocess.Popen) -> bool:
    client = redis.Redis.from_url(url)
    for _ in range(100):
        if process.poll() is not None:
            return False
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            time.sleep(0.05)
    return False
