"""The README's "first race day" tour: every step of scripts/screenshots.py has its phone
screenshot checked in, the README shows each one, and each stays small (issue 18, item 13)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 100_000


def _steps() -> list[str]:
    path = ROOT / "scripts" / "screenshots.py"
    spec = importlib.util.spec_from_file_location("apex_tour_screenshots", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return [step.name for step in module.STEPS]


def test_every_step_has_a_small_phone_screenshot_the_readme_shows() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"\]\((docs/tour/[\w-]+\.png)\)", readme)
    steps = _steps()
    assert shown == [f"docs/tour/{name}.png" for name in steps]
    for name in steps:
        png = (ROOT / "docs" / "tour" / f"{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n", name
        size = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert size == (390, 844), name  # a phone's first screen
        assert len(png) < MAX_BYTES, name
