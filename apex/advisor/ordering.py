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

from apex.advisor.rules import Candidate, Rules
from apex.advisor.values import recorded_direction
from apex.models import Event, SetupChange


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


def past_verdicts(history: Sequence[SetupChange]) -> dict[tuple[str, int], SetupChange]:
    """(parameter, direction) -> the latest judged change of that kind in ``history``."""
    latest: dict[tuple[str, int], SetupChange] = {}
    for change in history:
        direction = recorded_direction(change)
        if change.verdict and direction:
            latest[(change.parameter, direction)] = change
    return latest


def ranked(
    candidates: Sequence[Candidate],
    event: Event,
    history: Sequence[SetupChange],
    event_names: Mapping[str, str],
    rules: Rules,
) -> list[Ranked]:
    """The candidates in the order to try them, each with its history text."""
    feel = preferred_feel(event, rules)
    items = list(candidates)
    if feel:
        items = [c for c in items if c.feel == feel] + [c for c in items if c.feel != feel]
    verdicts = past_verdicts(history)
    first: list[Ranked] = []
    middle: list[Ranked] = []
    last: list[Ranked] = []
    for candidate in items:
        past = verdicts.get((candidate.param, candidate.direction))
        verdict = past.verdict if past else ""
        where = event_names.get(past.event_id, "") if past else ""
        at = f" ({where})" if where else ""
        if verdict == "success":
            first.append(Ranked(candidate, f"Worked for this car here before{at}."))
        elif verdict == "failure":
            last.append(Ranked(candidate, f"Failed for this car here before{at}: tried last."))
        else:
            middle.append(Ranked(candidate, ""))
    return first + middle + last
