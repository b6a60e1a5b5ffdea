"""Read an untrusted PDF in a child process with CPU, memory and wall-clock limits.

Why: pypdf is pure Python, and a PDF of a few KB can cost seconds of CPU and hundreds
of MB (a content stream of millions of operators, a font that expands each code, a
form of 20 000 fields). Parsed in the web worker, one upload would stall every racer
served by it, or take the process down. Here each PDF is read by
``python -m apex.pdf_worker`` (a fresh interpreter: no Flask app, no pool, no
inherited state), which limits itself before it reads a byte: ``RLIMIT_CPU`` (the
kernel ends it with SIGXCPU), ``RLIMIT_AS`` (an allocation past it is a MemoryError)
and no core files; the parent waits at most ``wall_seconds`` and kills it after.
A child that hits a limit is a refusal naming the limit, never an error in the app.

One child at a time per app process (``_one_at_a_time``): the memory a worker host
must have is then (gunicorn workers) x APEX_PDF_MEMORY_MB at most, however many threads
or racers upload at once. A second upload waits for the first, up to ``wall_seconds``,
then is told to try again.

The child answers one JSON object on stdout: ``{"text": ...}``, ``{"fields": {...}}``
or ``{"error": message}`` (the caps and messages of apex.theory and apex.pdf_sheets).
Starting it costs an interpreter start and the pypdf import (``scripts/bench_pdf_worker``
prints the figure), small beside a PDF upload over track Wi-Fi.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apex.pdf_sheets import SheetError
from apex.theory import ExtractError

log = logging.getLogger(__name__)
MEMORY_EXIT = 3  # the child's exit status when it ran out of its memory
_ROOT = str(Path(__file__).resolve().parent.parent)  # where ``apex`` is importable from
_MB = 1024 * 1024
_one_at_a_time = threading.BoundedSemaphore(1)
BUSY = "APEX is reading another PDF right now: try again in a minute."


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 15
    memory_mb: int = 1024
    wall_seconds: int = 20

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(int(config["APEX_PDF_CPU_SECONDS"]), int(config["APEX_PDF_MEMORY_MB"]),
                   int(config["APEX_PDF_WALL_SECONDS"]))

    def too_slow(self) -> str:
        return (f"This PDF takes too long to read (over {self.cpu_seconds} s of work): "
                "save it again (print it to PDF) or split it, then upload it.")

    def too_long(self) -> str:
        return (f"This PDF takes too long to read (over {self.wall_seconds} s): save "
                "it again (print it to PDF) or split it, then upload it.")

    def too_big(self) -> str:
        return (f"This PDF needs too much memory to read (over {self.memory_mb} MB): save "
                "it again (print it to PDF) or split it, then upload it.")


class WorkerError(Exception):
    """The child was stopped at a limit or died; ``message`` says why, for the racer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def run(kind: str, data: bytes, limits: Limits) -> dict[str, Any]:
    """The child's answer for ``kind`` ("text" or "fields"); WorkerError at a limit."""
    if not _one_at_a_time.acquire(timeout=limits.wall_seconds):
        raise WorkerError(BUSY)
    try:
        return _run(kind, data, limits)
    finally:
        _one_at_a_time.release()


def _run(kind: str, data: bytes, limits: Limits) -> dict[str, Any]:
    command = [sys.executable, "-m", "apex.pdf_worker", kind, str(limits.cpu_seconds),
               str(limits.memory_mb)]
    path = os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": path},
                          close_fds=True) as child:
        try:
            out, err = child.communicate(data, timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise WorkerError(limits.too_long()) from None
    if child.returncode == 0:
        try:
            answer = json.loads(out)
        except ValueError:
            answer = None
        if isinstance(answer, dict):
            return answer
    if child.returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # SIGKILL: the hard limit
        raise WorkerError(limits.too_slow())
    if child.returncode == MEMORY_EXIT:
        raise WorkerError(limits.too_big())
    log.warning("pdf worker exited %s: %s", child.returncode, err[-2000:].decode(errors="replace"))
    raise WorkerError("This PDF cannot be read (it may be damaged): save it again and upload it.")


def pdf_text(data: bytes, limits: Limits) -> str:
    """apex.theory.pdf_text in the child; ExtractError for a refusal or a limit."""
    try:
        answer = run("text", data, limits)
    except WorkerError as err:
        raise ExtractError(err.message) from None
    if "error" in answer:
        raise ExtractError(str(answer["error"]))
    return str(answer["text"])


def form_fields(data: bytes, limits: Limits) -> dict[str, str]:
    """apex.pdf_sheets.form_fields in the child; SheetError for a refusal or a limit."""
    try:
        answer = run("fields", data, limits)
    except WorkerError as err:
        raise SheetError(err.message) from None
    if "error" in answer:
        raise SheetError(str(answer["error"]))
    return {str(k): str(v) for k, v in answer["fields"].items()}


def _limit_self(cpu_seconds: int, memory_mb: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * _MB, memory_mb * _MB))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> int:
    """The child: limit itself, read the PDF from stdin, answer JSON on stdout."""
    from apex import pdf_sheets, theory  # before the limits: our own code, trusted

    kind, cpu_seconds, memory_mb = argv[0], int(argv[1]), int(argv[2])
    _limit_self(cpu_seconds, memory_mb)
    data = sys.stdin.buffer.read()
    try:
        if kind == "text":
            answer: dict[str, Any] = {"text": theory.pdf_text(data)}
        else:
            answer = {"fields": pdf_sheets.form_fields(data)}
    except (ExtractError, SheetError) as err:
        answer = {"error": err.message}
    except MemoryError:
        return MEMORY_EXIT
    try:
        sys.stdout.write(json.dumps(answer))
        sys.stdout.flush()
    except MemoryError:
        return MEMORY_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
