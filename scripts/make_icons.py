#!/usr/bin/env python3
"""Draw APEX's app icons (the web app manifest's and the iPhone home screen's) as PNGs.

Run once after changing the drawing; the PNGs are checked in under apex/static/icons/
(fingerprinted and precached like every static file). Pure Python (zlib): no imaging
package for four flat images. The mark is the header's: a yellow "A" on the dark bar.

    .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "apex" / "static" / "icons"
INK = (0x11, 0x11, 0x11)  # the header bar (theme colour)
YELLOW = (0xFF, 0xD4, 0x00)  # the header's APEX
# (file, size, scale of the mark): a maskable icon keeps it inside the central safe circle
# (radius 40 % of the size), so any mask shape a launcher applies leaves it whole.
ICONS = (("icon-192.png", 192, 0.72), ("icon-512.png", 512, 0.72),
         ("maskable-512.png", 512, 0.52), ("apple-touch-icon.png", 180, 0.66))


def _segments(size: int, scale: float) -> tuple[list[tuple[float, float, float, float]], float]:
    """The "A": two legs and a crossbar, in pixels, and the stroke's half width."""
    c, h = size / 2, size * scale
    top, bottom = c - h / 2, c + h / 2
    left, right = c - h * 0.42, c + h * 0.42
    bar_y = top + h * 0.64
    t = (bar_y - top) / (bottom - top)
    bar_l, bar_r = c + (left - c) * t, c + (right - c) * t
    return ([(c, top, left, bottom), (c, top, right, bottom), (bar_l, bar_y, bar_r, bar_y)],
            h * 0.075)


def _distance(px: float, py: float, seg: tuple[float, float, float, float]) -> float:
    x1, y1, x2, y2 = seg
    dx, dy = x2 - x1, y2 - y1
    t = max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))


def draw(size: int, scale: float) -> bytes:
    segments, half = _segments(size, scale)
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")  # PNG filter: none
        for x in range(size):
            d = min(_distance(x + 0.5, y + 0.5, s) for s in segments)
            cover = max(0.0, min(1.0, half - d + 0.5))  # a one-pixel soft edge
            row += bytes(round(i + (m - i) * cover) for i, m in zip(INK, YELLOW, strict=True))
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, scale in ICONS:
        (OUT / name).write_bytes(draw(size, scale))
        print(f"{name}: {size}x{size}, {(OUT / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
