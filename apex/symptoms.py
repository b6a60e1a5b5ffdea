"""What a racer says the car does: the Race Support buttons and the advisor's input.

Kept as data (key, label, where in the corner) so the buttons, the notes they
leave and the advisor's rules all name a symptom the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Symptom:
    key: str
    label: str
    phase: str  # entry / mid / exit / general: how the buttons are grouped


SYMPTOMS: tuple[Symptom, ...] = (
    Symptom("push_entry", "Push entry", "entry"),
    Symptom("loose_entry", "Loose entry", "entry"),
    Symptom("push_mid", "Push mid", "mid"),
    Symptom("push_exit", "Push exit", "exit"),
    Symptom("loose_exit", "Loose exit", "exit"),
    Symptom("bottoming", "Bottoming", "general"),
    Symptom("bumps", "Bumps", "general"),
    Symptom("ruts", "Ruts", "general"),
    Symptom("traction_roll", "Traction roll", "general"),
    Symptom("lazy", "Lazy", "general"),
    Symptom("jumping", "Jumping", "general"),
    Symptom("fade", "Fade", "general"),
    Symptom("engine_rich", "Engine rich", "general"),
    Symptom("engine_lean", "Engine lean", "general"),
)
PHASES: tuple[str, ...] = ("entry", "mid", "exit", "general")
BY_KEY: dict[str, Symptom] = {s.key: s for s in SYMPTOMS}


def grouped() -> list[tuple[str, list[Symptom]]]:
    """The symptoms by phase, in ``PHASES`` order."""
    return [(phase, [s for s in SYMPTOMS if s.phase == phase]) for phase in PHASES]
