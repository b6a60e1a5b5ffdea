"""The Setup Advisor's deterministic rule engine: a symptom in, up to three concrete
changes out, with every TUNING §3 guard that acted shown beside them.

Why deterministic and offline: the racer asks at the track, often without a
signal, and must be able to see why each proposal came (the table's "why", the
track's preference, this car's history here) and why others did not (guards).
The rules themselves are data (``rules.toml``); this module only applies them:

1. Situation guards (``guards.py``): low confidence or an untested change stop
   all setup advice; worn tyres put "Fit fresh tyres first" before it.
2. The symptom's candidates in order (``ordering.py``), shock oils carrying the
   temperature shift, each tried against: a main's quick-only limit, repeats at
   this event, and the catalogue's bounds and step (``values.py``). The first
   ``max_proposals`` that pass are proposed.
3. If no proposal is shock oil but the temperature moved a full step, the shock
   oils get a proposal for the temperature alone, after the symptom's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from apex.advisor.advice import Advice, Guard, Proposal, Situation
from apex.advisor.guards import (
    TITLES,
    confidence_guard,
    driving_guard,
    guard,
    limited_reason,
    temperature_shift,
    temperature_words,
    tyre_guard,
    tyre_runs,
    untested_guard,
)
from apex.advisor.ordering import ranked
from apex.advisor.rules import RULES, Candidate, Rules
from apex.advisor.values import apply_change, change_text, recorded_direction
from apex.catalogue import BY_KEY as PARAMS
from apex.catalogue import coerce
from apex.compare import MINUS

FRESH_TYRES = "Fit fresh tyres first"
NO_SAFE_CHANGE = "No safe change — get track time"
_REPEAT_WORDS = {
    "pending": "already proposed, waiting for you",
    "accepted": "already made at this event",
    "denied": "you denied it at this event",
}


def advise(situation: Situation, rules: Rules = RULES) -> Advice:
    """What to change for ``situation.symptom``, and which guards held what back.

    ValueError for a symptom the rules do not know.
    """
    s = situation
    if s.symptom not in rules.symptoms:
        raise ValueError(f"no advisor rules for symptom {s.symptom!r}")
    symptom = rules.symptoms[s.symptom]
    tyres, worn_out = tyre_guard(s.event, tyre_runs(s.runs, s.changes), rules)
    early = [
        confidence_guard(s.runs, rules),
        tyres,
        untested_guard(s.changes, s.insist),
        driving_guard(s.runs, s.own_best_at_track, rules),
    ]
    notes = [FRESH_TYRES] if worn_out else []
    if any(g is not None and g.blocks for g in early):
        notes += [line.note for line in symptom.advice if not line.params]
        return Advice([], _in_order(early), notes)

    limited = limited_reason(s.event, rules)
    difference, cst = temperature_shift(s.event, s.temperature_now, rules)
    if not symptom.candidates:  # an engine question: shock oil is not the answer
        difference, cst = 0, 0
    picker = _Picker(s, rules, limited)
    for item in ranked(_shifted(symptom.candidates, picker, difference, cst),
                       s.event, s.history, rules):
        if len(picker.proposals) >= rules.max_proposals:
            break
        picker.take(item.candidate, item.history)
    from_rules = list(picker.proposals)
    if cst:
        _temperature_proposals(picker, difference, cst)

    if not from_rules and symptom.candidates:
        notes.append(NO_SAFE_CHANGE)
    notes += [
        line.note for line in symptom.advice
        if not limited or all(key in rules.quick_params for key in line.params)
    ]
    late = [
        guard("main", _sentence(f"{limited}: only quick trackside changes "
                                f"({', '.join(rules.quick_params)})", "Left out", picker.left_out))
        if limited else None,
        guard("repeats", _sentence("Not proposed again", "", picker.repeats))
        if picker.repeats else None,
        guard("temperature", _sentence(temperature_words(s.event, difference, cst),
                                       "", picker.temperature))
        if cst else None,
        guard("bounds", _sentence("Skipped to stay in bounds", "", picker.bounds))
        if picker.bounds else None,
    ]
    return Advice(picker.proposals, _in_order(early + late), notes)


@dataclass
class _Picker:
    """Tries candidates one by one and remembers why each skipped one was skipped."""

    situation: Situation
    rules: Rules
    limited: str
    proposals: list[Proposal] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # not quick, before a main
    repeats: list[str] = field(default_factory=list)
    bounds: list[str] = field(default_factory=list)
    temperature: list[str] = field(default_factory=list)  # what the shift did, for its guard
    cancelled: list[str] = field(default_factory=list)  # shock oils the shift cancelled out

    def take(self, c: Candidate, history: str = "") -> bool:
        text = change_text(c.param, c.change)
        if self.limited and c.param not in self.rules.quick_params:
            self.left_out.append(text)
            return False
        repeat = self._repeat(c.param, c.direction)
        if repeat:
            self.repeats.append(f"{text} ({repeat})")
            return False
        outcome = apply_change(c.param, self.situation.values.get(c.param), c.change, self.rules)
        if outcome.problem:
            self.bounds.append(outcome.problem)
            return False
        current = self.situation.values.get(c.param)
        if c.param in PARAMS and PARAMS[c.param].is_numeric:
            current = coerce(PARAMS[c.param], current)
        self.proposals.append(
            Proposal(c.param, current, outcome.value, c.why, c.speed, c.feel, history)
        )
        return True

    def _repeat(self, key: str, direction: int) -> str:
        """Why a change of ``key`` in ``direction`` is a repeat at this event ("" if not)."""
        reason = ""
        for change in self.situation.changes:
            if (change.parameter == key and change.status in _REPEAT_WORDS
                    and recorded_direction(change) == direction):
                reason = _REPEAT_WORDS[change.status]
        return reason


def _shifted(
    candidates: tuple[Candidate, ...], picker: _Picker, difference: int, cst: int
) -> list[Candidate]:
    """The candidates with the temperature's shock-oil shift added (§3.8)."""
    if not cst:
        return list(candidates)
    shift = Decimal(cst)
    words = f"{'+' if cst > 0 else MINUS}{abs(cst)} cSt for the temperature"
    out: list[Candidate] = []
    for c in candidates:
        if c.param not in picker.rules.temperature_params:
            out.append(c)
        elif c.change + shift == 0:
            picker.cancelled.append(c.param)
            picker.temperature.append(
                f"{change_text(c.param, c.change)} and {words} cancel out: {c.param} stays")
        else:
            out.append(replace(c, change=c.change + shift, why=f"{c.why} Includes {words}."))
    return out


def _temperature_proposals(picker: _Picker, difference: int, cst: int) -> None:
    """Say where the shift went; add shock-oil proposals for it when none carried it."""
    keys = picker.rules.temperature_params
    carried = [p.param for p in picker.proposals if p.param in keys]
    if carried:
        picker.temperature.append(f"added to the proposal for {', '.join(carried)}")
        return
    warmer = "hotter" if difference > 0 else "colder"
    why = (f"The track is {abs(difference)} °C {warmer} than when this setup was made: "
           f"shock oil follows temperature ({picker.rules.temperature_shock_oil} cSt per "
           f"full {picker.rules.temperature_per_degrees} °C).")
    added = [
        key for key in keys
        if key not in picker.cancelled
        and picker.take(Candidate(key, Decimal(cst), "step", "", "quick", why))
    ]
    if added:
        picker.temperature.append(f"proposed on its own for {', '.join(added)}")
    else:
        picker.temperature.append("no shock-oil proposal could take it (see below)")


def _sentence(lead: str, label: str, items: list[str]) -> str:
    """``lead: a; b.`` or ``lead. Label: a; b.`` — a guard message with its list."""
    if not items:
        return f"{lead}."
    joined = "; ".join(items)
    return f"{lead}. {label}: {joined}." if label else f"{lead}: {joined}."


def _in_order(guards: list[Guard | None]) -> list[Guard]:
    order = list(TITLES)
    return sorted((g for g in guards if g is not None), key=lambda g: order.index(g.key))
