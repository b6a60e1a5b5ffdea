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
    # What a typed note must say to suggest this symptom ("sounds like: Loose exit?"):
    # one word (or part of one) from each group, in any order, in lower case.
    hints: tuple[tuple[str, ...], ...] = ()

    @property
    def words(self) -> str:
        """The hints as the page's data attribute: groups by "|", words by ","."""
        return "|".join(",".join(group) for group in self.hints)


_PUSH = ("push", "understeer", "won't turn", "wont turn", "tight", "washes", "wash")
_LOOSE = ("loose", "oversteer", "spins", "spin", "rear steps", "slides out", "snaps")
_ENTRY = ("entry", "turn-in", "turn in", "into the corner", "braking")
_EXIT = ("exit", "on power", "on throttle", "out of the corner", "wheelspin")


SYMPTOMS: tuple[Symptom, ...] = (
    Symptom("push_entry", "Push entry", "entry", (_PUSH, _ENTRY)),
    Symptom("loose_entry", "Loose entry", "entry", (_LOOSE, _ENTRY)),
    Symptom("push_mid", "Push mid", "mid", (_PUSH, ("mid", "middle", "apex", "sweeper"))),
    Symptom("push_exit", "Push exit", "exit", (_PUSH, _EXIT)),
    Symptom("loose_exit", "Loose exit", "exit", (_LOOSE, _EXIT)),
    Symptom("bottoming", "Bottoming", "general", (("bottom", "hits the ground", "slams"),)),
    Symptom("bumps", "Bumps", "general", (("bump", "skip", "harsh", "kicks"),)),
    Symptom("ruts", "Ruts", "general", (("rut", "chatter", "washboard", "whoops"),)),
    Symptom("traction_roll", "Traction roll", "general",
            (("roll", "flips in", "tips over", "rolls over"),)),
    Symptom("lazy", "Lazy", "general", (("lazy", "slow to change", "sluggish", "chicane"),)),
    Symptom("nose_dive", "Nose-dive", "general",
            (("nose", "dive", "nosedive", "front first"),)),
    Symptom("lands_rear", "Lands rear", "general",
            (("lands on the rear", "back-flip", "backflip", "flips back", "rear first",
              "lands rear", "lands on rear", "wheelie"),)),
    Symptom("nervous", "Nervous", "general",
            (("nervous", "inconsistent", "twitchy", "hard to drive", "edgy", "unpredictable"),)),
    Symptom("low_grip", "Low grip", "general",
            (("no grip", "low grip", "slick", "slippery", "ice", "grip everywhere"),)),
    Symptom("fade", "Fade", "general", (("fade", "fades", "goes off", "worse at the end"),)),
    Symptom("engine_rich", "Engine rich", "general", (("rich", "bog", "smok"),)),
    Symptom("engine_lean", "Engine lean", "general", (("lean", "overheat", "cuts out", "hot"),)),
)
PHASES: tuple[str, ...] = ("entry", "mid", "exit", "general")
BY_KEY: dict[str, Symptom] = {s.key: s for s in SYMPTOMS}


def grouped() -> list[tuple[str, list[Symptom]]]:
    """The symptoms by phase, in ``PHASES`` order."""
    return [(phase, [s for s in SYMPTOMS if s.phase == phase]) for phase in PHASES]
