"""The order a symptom's candidates are tried in: the table's, then the track's
preference, then this car's history here.

Why in this order: the track context (TUNING §4: bumpy wants softer, high grip
wants stiffer) is a general rule, while what already worked or failed for this
car at this track and condition (§3.6) is evidence, so history has the last word.
Both moves are stable: candidates keep the table's order within each group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from apex.advisor.advice import PastTries
from apex.advisor.rules import Candidate, Rules
from apex.event_history import Tried
from apex.models import Event


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    history: str  # what this car's history here says about it ("" when nothing)


def preferred_feel(event: Event, rules: Rules) -> str:
    """"softer" / "stiffer" for this track, "" for none (the first matching preference)."""
    for preference in rules.preferences:
        if getattr(event, preference.when) in preference.words:
            return preference.feel
    return ""


def ranked(
    candidates: Sequence[Candidate],
    event: Event,
    history: Mapping[tuple[str, int], PastTries],
    rules: Rules,
) -> list[Ranked]:
    """The candidates in the order to try them, each with its history text: a move that
    made this car (else its model) faster here more often than slower goes first, one
    that made it slower more often goes last (TUNING §3.6)."""
    feel = preferred_feel(event, rules)
    items = list(candidates)
    if feel:
        items = [c for c in items if c.feel == feel] + [c for c in items if c.feel != feel]
    first: list[Ranked] = []
    middle: list[Ranked] = []
    last: list[Ranked] = []
    for candidate in items:
        past = history.get((candidate.param, candidate.direction))
        leaning = past.tried.leaning if past else ""
        if past and leaning == "success":
            first.append(Ranked(candidate, _worked(past)))
        elif past and leaning == "failure":
            last.append(Ranked(candidate, _failed(past)))
        else:
            middle.append(Ranked(candidate, ""))
    return first + middle + last


def _worked(past: PastTries) -> str:
    """"Worked here 2 of 3 times for this car, −0.40 % on average."."""
    t = past.tried
    return f"Worked here {t.faster} of {t.tries} times for {past.whose}{_mean(t)}."


def _failed(past: PastTries) -> str:
    t = past.tried
    return f"Slower here {t.slower} of {t.tries} times for {past.whose}{_mean(t)}: tried last."



def _mean(tried: Tried) -> str:
    return f", {tried.mean_text} on average" if tried.mean_text else ""
