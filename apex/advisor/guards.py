"""The TUNING §3 guards that look at the situation, before any candidate is tried.

Why separate from the engine: these read the event, its runs and changes (is the
racer confident, are the tyres done, is a change untested, is it a main, is the
driver far off their pace, has the temperature moved); the engine then tries the
symptom's candidates under what they decided. Each returns a ``Guard`` with the
numbers in its message, or None when it does not act.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from apex.advisor.advice import Guard
from apex.advisor.rules import Rules
from apex.advisor.values import recorded_text
from apex.catalogue import TYRE_KEYS
from apex.compare import MINUS
from apex.lap_input import format_lap
from apex.lap_stats import event_run_stats
from apex.models import Event, Run, SetupChange

# §3 in its order: the order guards are listed in an answer.
TITLES: dict[str, str] = {
    "confidence": "Confidence gate",
    "tyres": "Tyres first",
    "untested": "One change at a time",
    "main": "Limited changes before a main",
    "repeats": "No repeats",
    "driving": "Driving before setup",
    "temperature": "Temperature",
    "bounds": "Stay in bounds",
}


def guard(key: str, message: str, blocks: bool = False) -> Guard:
    return Guard(key, TITLES[key], message, blocks)


def confidence_guard(runs: Sequence[Run], rules: Rules) -> Guard | None:
    """§3.1: the last run's confidence rating below the gate blocks. An unrated last run
    does not: it may be the very track time the gate asked for."""
    if not runs or runs[-1].confidence is None or (
            runs[-1].confidence >= rules.confidence_below):
        return None
    run = runs[-1]
    where = f"in {run.name}" if run.name else "in the last run"
    return guard("confidence", f"Your confidence {where} was {run.confidence} of 5: get track "
                               "time before changing the setup.", blocks=True)


def tyre_runs(runs: Sequence[Run], changes: Sequence[SetupChange]) -> int:
    """Runs on these tyres: all the event's, or those since the last tread/compound change."""
    fitted = [c for c in changes if c.status == "accepted" and c.parameter in TYRE_KEYS]
    if not fitted:
        return len(runs)
    if fitted[-1].run_after is None:
        return 0
    ids = [r.id for r in runs]
    return len(runs) - ids.index(fitted[-1].run_after) if fitted[-1].run_after in ids else len(runs)


def tyre_guard(event: Event, runs: int, rules: Rules) -> tuple[Guard | None, bool]:
    """§3.2: (the guard, whether fresh tyres come first) for ``runs`` on these tyres."""
    limit = rules.tyre_wear_limit.get(event.surface)
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


def untested_guard(changes: Sequence[SetupChange], insist: bool) -> Guard | None:
    """§3.3: accepted changes without a run after them block, unless the racer insists."""
    untested = [c for c in changes if c.status == "accepted" and c.run_after is None]
    if not untested:
        return None
    which = ", ".join(recorded_text(c) for c in untested)
    verb = "has" if len(untested) == 1 else "have"
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
    """§3.7: the event's best lap far off the racer's own best here."""
    # The best clean lap: a double transponder hit (a 4.2 s "lap") is no best.
    laps = [s.best for s in event_run_stats(runs) if s is not None]
    if own_best is None or not laps:
        return None
    best, own = min(Decimal(str(lap)) for lap in laps), Decimal(repr(float(own_best)))
    if best - own < rules.driving_gap:
        return None
    return guard("driving", f"Your best lap here today is {format_lap(best)}, "
                            f"{best - own:.1f} s off your best at this track "
                            f"({format_lap(own)}): practice gains more than setup.")


def temperature_shift(event: Event, now: int | None, rules: Rules) -> tuple[int, int]:
    """§3.8: (°C now minus the setup's, cSt for the shock oils); cSt 0 under a full step."""
    if now is None or event.temperature is None:
        return 0, 0
    difference = now - event.temperature
    steps = abs(difference) // rules.temperature_per_degrees
    return difference, (1 if difference > 0 else -1) * steps * rules.temperature_shock_oil


def temperature_words(event: Event, difference: int, cst: int) -> str:
    """``The track is 12 °C hotter than when this setup was made (20 °C then, 32 °C now):
    shock oil +50 cSt``."""
    assert event.temperature is not None
    warmer = "hotter" if difference > 0 else "colder"
    sign = "+" if cst > 0 else MINUS
    return (f"The track is {abs(difference)} °C {warmer} than when this setup was made "
            f"({event.temperature} °C then, {event.temperature + difference} °C now): "
            f"shock oil {sign}{abs(cst)} cSt")
