"""scripts/run says plainly when its port is taken, before it prints a URL (issue 18, item 13).

Only the checks that come before the venv and the server are run here: they answer at
once and touch nothing.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

RUN = Path(__file__).resolve().parent.parent / "scripts" / "run"


def run(port: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(RUN)], env={**os.environ, "PORT": port},
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_a_busy_port_is_said_before_anything_starts() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(str(port))
    assert result.returncode == 1
    assert "running on" not in result.stdout + result.stderr
    assert f"port {port} is in use" in result.stderr
    assert f"PORT={port + 1} scripts/run" in result.stderr


def test_a_port_that_is_not_a_number_is_refused() -> None:
    result = run("5000x")
    assert result.returncode == 2 and "PORT must be a port number" in result.stderr
