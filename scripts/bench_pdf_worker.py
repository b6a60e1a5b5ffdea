"""What reading a PDF in apex.pdf_worker's child process costs, and what the hostile
PDFs of issue 12 cost now. Prints figures; asserts nothing (timing belongs here, not
in tests). Usage: .venv/bin/python scripts/bench_pdf_worker.py [--rounds N]"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apex import pdf_worker, theory  # noqa: E402
from apex.pdf_sheets import SheetError, form_fields  # noqa: E402
from tests.pdf_helpers import (  # noqa: E402
    many_fields,
    many_pages,
    operator_flood,
    sheet,
    tounicode_bomb,
    zlib_bomb,
)


def timed(call: Callable[[], object]) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        call()
        outcome = "read"
    except (theory.ExtractError, SheetError) as err:
        outcome = "refused: " + err.message[:60]
    return time.perf_counter() - start, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    limits = pdf_worker.Limits()
    small = sheet({"FDO": "7k", "CDO": "7k", "RDO": "5k"})
    inline = [timed(lambda: form_fields(small))[0] for _ in range(rounds)]
    child = [timed(lambda: pdf_worker.form_fields(small, limits))[0] for _ in range(rounds)]
    print(f"small setup sheet, in process:   median {statistics.median(inline) * 1000:7.1f} ms")
    print(f"small setup sheet, child process: median {statistics.median(child) * 1000:7.1f} ms"
          f"  (process start ~{(statistics.median(child) - statistics.median(inline)) * 1000:.0f}"
          " ms)")
    hostile: list[tuple[str, bytes, Callable[[bytes], object]]] = [
        ("ToUnicode bomb (25 M chars)", tounicode_bomb(),
         lambda d: pdf_worker.pdf_text(d, limits)),
        ("2 001 pages", many_pages(theory.MAX_PAGES + 1),
         lambda d: pdf_worker.pdf_text(d, limits)),
        ("20 000 form fields", many_fields(20_000),
         lambda d: pdf_worker.form_fields(d, limits)),
        ("operator flood, 3 pages (CPU)", operator_flood(pages=3),
         lambda d: pdf_worker.pdf_text(d, limits)),
        ("zlib bomb 70 MB (memory, limit 100 MB)", zlib_bomb(),
         lambda d: pdf_worker.pdf_text(d, pdf_worker.Limits(memory_mb=100))),
    ]
    for name, data, read in hostile:
        seconds, outcome = timed(lambda: read(data))  # noqa: B023 - called at once
        print(f"{name:40} {len(data):>9,} bytes {seconds:6.2f} s  {outcome}")


if __name__ == "__main__":
    main()
