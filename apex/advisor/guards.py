"""The TUNING §3 guards that look at the situation, before any candidate is tried.

Why separate from the engine: these read the event, its runs and changes (is the
racer confident, are the tyres done, is a change untested, is it a main, is the
driver far off their pace, has the temperature moved); the engine then tries the
symptom's candidates under what they decided. Each returns a ``Guard`` with the
numbers in its message, or None when it does not act.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from apex.advisor.advice import Guard
from apex.advisor.rules import Rules
from apex.advisor.values import recorded_text
from apex.catalogue import TYRE_KEYS, Value
from apex.compare import MINUS
from apex.lap_input import format_lap
from apex.lap_stats import event_run_stats
from apex.models import Event, Run, SetupChange
from apex.race_rules import untested
from apex.symptoms import BY_KEY as SYMPTOMS

# §3 in its order (1-10): the order guards are listed in an answer.
TITLES: dict[str, str] = {
    "confidence": "Confidence gate",
    "tyres": "Tyres first",
    "untested": "One change at a time",
    "main": "Limited changes before a main",
    "repeats": "No repeats",
    "history": "Learn from history",
    "driving": "Driving before setup",
    "temperature": "Temperature",
    "bounds": "Stay in bounds",
    "pairs": "Pairs stay together",
}


def guard(key: str, message: str, blocks: bool = False) -> Guard:
    return Guard(key, TITLES[key], message, blocks)


def confidence_guard(runs: Sequence[Run], rules: Rules, symptom: str = "") -> Guard | None:
    """§3.1: the last run's confidence rating below the gate blocks. An unrated last run
    does not: it may be the very track time the gate asked for. A safety symptom
    (``rules.safety_symptoms``: a traction roll) is answered at any confidence."""
    if not runs or runs[-1].confidence is None or (
            runs[-1].confidence >= rules.confidence_below):
        return None
    run = runs[-1]
    where = f"in {run.name}" if run.name else "in the last run"
    if symptom in rules.safety_symptoms:
        label = SYMPTOMS[symptom].label if symptom in SYMPTOMS else symptom
        return guard("confidence", f"Your confidence {where} was {run.confidence} of 5, but "
                                   f"“{label}” makes the car unsafe to drive: answered anyway "
                                   "(safety first).")
    return guard("confidence", f"Your confidence {where} was {run.confidence} of 5: get track "
                               "time before changing the setup.", blocks=True)


def tyre_runs(runs: Sequence[Run], changes: Sequence[SetupChange],
              fresh_since: datetime | None = None) -> int:
    """Runs on these tyres: the event's, or those since the last tread/compound change
    or the last fresh set (a run started after it)."""
    first = 0  # index of the first run on these tyres
    for c in changes:
        if c.status != "accepted" or c.parameter not in TYRE_KEYS:
            continue
        ids = [r.id for r in runs]
        if c.run_after is not None and c.run_after in ids:
            first = max(first, ids.index(c.run_after))
        elif c.run_after is None:
            after = [i for i, r in enumerate(runs)
                     if c.created_at is not None and r.started_at > c.created_at]
            first = max(first, after[0] if after else len(runs))
    if fresh_since is not None:
        after = [i for i, r in enumerate(runs) if r.started_at > fresh_since]
        first = max(first, after[0] if after else len(runs))
    return len(runs) - first


def tyre_limit(event: Event, rules: Rules) -> int | None:
    """The surface's wear limit in runs (§2), None for a surface without one."""
    return rules.tyre_wear_limit.get(event.surface)


def tyre_guard(event: Event, runs: int, rules: Rules) -> tuple[Guard | None, bool]:
    """§3.2: (the guard, whether fresh tyres come first) for ``runs`` on these tyres."""
    limit = tyre_limit(event, rules)
    if limit is None:
        return None, False
    if runs >= limit:
        return guard("tyres", f"The tyres have done {runs} runs; on a {event.surface} track "
                              f"they last about {limit}: fit fresh tyres before changing the "
                              "setup."), True
    if runs >= rules.tyre_warning_share * limit:
        share = f"{rules.tyre_warning_share * 100:.0f} %"
        return guard("tyres", f"The tyres have done {runs} of about {limit} runs on a "
                              f"{event.surface} track (at least {share}): plan fresh tyres "
                              "soon."), False
    return None, False


def untested_guard(changes: Sequence[SetupChange], values: Mapping[str, Value],
                   runs: Sequence[Run], insist: bool) -> Guard | None:
    """§3.3: accepted changes without a run after them block, unless the racer insists.
    A setup back where a run with laps was made (a restore, an undo) is tested."""
    waiting = untested(changes, values, {r.setup_version for r in runs if r.laps})
    if not waiting:
        return None
    which = ", ".join(recorded_text(c) for c in waiting)
    verb = "has" if len(waiting) == 1 else "have"
    if insist:
        return guard("untested", f"You asked for a change anyway: {which} {verb} no run after "
                                 "it yet, so you will not know which change did what.")
    return guard("untested", f"Test the last change first: {which} {verb} no run after it "
                             "yet. Run the car, then ask again.", blocks=True)


def limited_reason(event: Event, rules: Rules) -> str:
    """§3.4: why only quick trackside changes are allowed ("" when all are)."""
    if event.type in rules.limited_event_types:
        return f"This is a {event.type}"
    rounds = event.practice_rounds
    if rounds is not None and rounds < rules.min_practice_rounds:
        plural = "round is" if rounds == 1 else "rounds are"
        return f"Only {rounds} practice {plural} planned (fewer than {rules.min_practice_rounds})"
    return ""


def driving_guard(runs: Sequence[Run], own_best: float | None, rules: Rules) -> Guard | None:
    """§3.7: today's best top-5 average far off this car's best one at this track
    (clean laps only: short and incident laps never count)."""
    today = [s.top5 for s in event_run_stats(runs)
             if s is not None and s.comparable and s.top5 is not None]
    if own_best is None or not today:
        return None
    best = Decimal(repr(float(min(today))))
    own = Decimal(repr(float(own_best)))
    if best - own < rules.driving_gap:
        return None
    return guard("driving", f"This car's best top-5 average here today is {format_lap(best)}, "
                            f"{best - own:.1f} s off its best at this track "
                            f"({format_lap(own)}): practice gains more than setup.")


def temperature_shift(reference: int | None, now: int | None, rules: Rules
                      ) -> tuple[int, int]:
    """§3.8: (°C now minus the setup's reference, cSt for the shock oils); cSt 0 under a
    full step."""
    if now is None or reference is None:
        return 0, 0
    difference = now - reference
    steps = abs(difference) // rules.temperature_per_degrees
    return difference, (1 if difference > 0 else -1) * steps * rules.temperature_shock_oil


def temperature_words(reference: int, difference: int, cst: int) -> str:
    """``The track is 12 °C hotter than the shock oils are set for (20 °C then, 32 °C
    now): shock oil +50 cSt``."""
    warmer = "hotter" if difference > 0 else "colder"
    sign = "+" if cst > 0 else MINUS
    return (f"The track is {abs(difference)} °C {warmer} than the shock oils are set for "
            f"({reference} °C then, {reference + difference} °C now): "
            f"shock oil {sign}{abs(cst)} cSt")
