"""The Setup Advisor's deterministic rule engine: a symptom in, up to three concrete
proposals out, with every TUNING §3 guard that acted shown beside them.

Why deterministic and offline: the racer asks at the track, often without a
signal, and must be able to see why each proposal came (the table's "why", the
track's preference, this car's history here) and why others did not (guards).
The rules themselves are data (``rules.toml``); this module only applies them:

1. Situation guards (``guards.py``): low confidence (unless the symptom is a
   safety one) or an untested change stop all setup advice; worn tyres put "Fit
   fresh tyres first" before it. A symptom's driving advice always comes first.
2. The symptom's candidates in order (``ordering.py``), the front/rear shock-oil
   pair carrying the temperature shift, each tried against: a main's quick-only,
   one-step, two-steps-from-the-start limit, repeats at this event, and the
   catalogue's bounds and step (``values.py``). A pair (§3.10) is one candidate:
   both ends pass or neither is proposed. The first ``max_proposals`` that pass
   are proposed.
3. If no proposal touches shock oil but the temperature moved a full step, the
   shock-oil pair gets a proposal for the temperature alone, if there is room:
   the answer never announces a proposal it does not make.
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
from apex.catalogue import PISTON_KEYS, coerce
from apex.compare import MINUS
from apex.verdicts import judge_event

FRESH_TYRES = "Fit fresh tyres first"
NO_SAFE_CHANGE = "No safe change — get track time"
# An undo (apex.race_rules.undo) and a restore to last known good (event/setup.py) put
# the setup back: no repeat of anything, whichever way they moved a value.
BACK_REASONS = ("Undo:", "Back to last known good")
_REPEAT_WORDS = {
    "pending": "already proposed, waiting for you",
    "accepted": "already made at this event",
    "denied": "you denied it at this event",
    "reverted": "undone at this event",
}
_FAILED = "judged a failure at this event"


def advise(situation: Situation, rules: Rules = RULES) -> Advice:
    """What to change for ``situation.symptom``, and which guards held what back.

    ValueError for a symptom the rules do not know.
    """
    s = situation
    if s.symptom not in rules.symptoms:
        raise ValueError(f"no advisor rules for symptom {s.symptom!r}")
    symptom = rules.symptoms[s.symptom]
    tyres, worn_out = tyre_guard(s.event, tyre_runs(s.runs, s.changes, s.tyres_since), rules)
    early = [
        confidence_guard(s.runs, rules, s.symptom),
        tyres,
        untested_guard(s.changes, s.values, s.runs, s.insist),
        driving_guard(s.runs, s.own_best_at_track, rules),
    ]
    notes = [line.note for line in symptom.advice if line.driving]
    notes += [FRESH_TYRES] if worn_out else []
    if any(g is not None and g.blocks for g in early):
        notes += [line.note for line in symptom.advice if not line.params and not line.driving]
        return Advice([], _in_order(early), notes)

    limited = limited_reason(s.event, rules)
    reference = s.reference_temperature
    difference, cst = temperature_shift(reference, s.temperature_now, rules)
    if not symptom.candidates:  # an engine question: shock oil is not the answer
        difference, cst = 0, 0
    picker = _Picker(s, rules, limited, failed={
        v.change.id for v in judge_event(s.runs, s.changes).changes if v.outcome == "failure"})
    history: list[str] = []
    for item in ranked(_shifted(symptom.candidates, picker, difference, cst, reference),
                       s.event, s.history, rules):
        if item.history:
            history.append(f"{_candidate_text(item.candidate)}: {item.history.rstrip('.')}")
        if len(picker.proposals) < rules.max_proposals:
            picker.take(item.candidate, item.history)
    from_rules = list(picker.proposals)
    if cst:
        _temperature_proposals(picker, difference, cst, reference)

    if not from_rules and symptom.candidates:
        notes.append(NO_SAFE_CHANGE)
    notes += [
        line.note for line in symptom.advice
        if not line.driving
        and (not limited or all(key in rules.quick_params for key in line.params))
    ]
    pairs = [f"{p.label} and {p.partner.label.lower()}" for p in picker.proposals
             if p.partner is not None]
    late = [
        guard("main", _sentence(f"{limited}: only quick trackside changes "
                                f"({', '.join(PARAMS[k].label for k in rules.quick_params)}), "
                                f"one step each, at most {rules.main_steps_from_start} steps "
                                "from where the event started", "Left out", picker.left_out))
        if limited else None,
        guard("repeats", _sentence("Not proposed again", "", picker.repeats))
        if picker.repeats else None,
        guard("history", _sentence("This car at this track and condition", "", history))
        if history else None,
        guard("temperature", _sentence(temperature_words(reference, difference, cst),
                                       "", picker.temperature))
        if cst and reference is not None else None,
        guard("bounds", _sentence("Skipped to stay in bounds", "", picker.bounds))
        if picker.bounds else None,
        guard("pairs", _sentence("Front and rear change together, as one proposal "
                                 f"(one of {rules.max_proposals})", "", pairs))
        if pairs else None,
    ]
    return Advice(picker.proposals, _in_order(early + late), notes)


@dataclass
class _Picker:
    """Tries candidates one by one and remembers why each skipped one was skipped."""

    situation: Situation
    rules: Rules
    limited: str
    proposals: list[Proposal] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # before a main
    repeats: list[str] = field(default_factory=list)
    bounds: list[str] = field(default_factory=list)
    temperature: list[str] = field(default_factory=list)  # what the shift did, for its guard
    failed: set[str] = field(default_factory=set)  # changes the laps judged a failure here
    cancelled: list[str] = field(default_factory=list)  # shock oils the shift cancelled out

    def take(self, c: Candidate, history: str = "") -> bool:
        text = _candidate_text(c)
        if self.limited:
            slow = [k for k in c.params if k not in self.rules.quick_params]
            if slow:
                self.left_out.append(text)
                return False
        for key in c.params:
            repeat = self._repeat(key, c.direction)
            if repeat:
                self.repeats.append(f"{text} ({repeat})")
                return False
        parts: list[Proposal] = []
        for key in c.params:
            outcome = apply_change(key, self.situation.values.get(key), c.change, self.rules)
            if outcome.problem:
                self.bounds.append(outcome.problem)
                return False
            current = self.situation.values.get(key)
            if key in PARAMS and PARAMS[key].is_numeric:
                current = coerce(PARAMS[key], current)
            if self.limited and self._too_far(key, outcome.value, c):
                self.left_out.append(f"{text} (more than {self.rules.main_steps_from_start} "
                                     "steps from where the event started)")
                return False
            parts.append(Proposal(key, current, outcome.value, c.why, c.speed, c.feel, history,
                                  temperature_ref=c.temperature_ref))
        first = parts[0] if len(parts) == 1 else replace(parts[0], partner=parts[1])
        self.proposals.append(first)
        return True

    def _repeat(self, key: str, direction: int) -> str:
        """Why a change of ``key`` in ``direction`` is a repeat at this event ("" if not)."""
        reason = ""
        for change in self.situation.changes:
            if (change.parameter != key or recorded_direction(change) != direction
                    or change.reason.startswith(BACK_REASONS)):
                continue
            if change.id in self.failed:
                reason = _FAILED
            elif change.status in _REPEAT_WORDS:
                reason = _REPEAT_WORDS[change.status]
        return reason

    def _too_far(self, key: str, proposed: object, c: Candidate) -> bool:
        """§3.4: ``proposed`` more than ``main_steps_from_start`` of ``c``'s step from the
        value ``key`` had when the event started."""
        if key in PISTON_KEYS or not PARAMS[key].is_numeric:
            return False
        param = PARAMS[key]
        start = next((c2.old_value for c2 in self.situation.changes if c2.parameter == key
                      and c2.status in ("accepted", "reverted")), None)
        first = coerce(param, start) if start is not None else coerce(
            param, self.situation.values.get(key))
        if first is None or proposed is None:
            return False
        distance = abs(Decimal(str(proposed)) - Decimal(str(first)))
        return distance > self.rules.main_steps_from_start * abs(c.change)


def _candidate_text(c: Candidate) -> str:
    return " + ".join(change_text(key, c.change) for key in c.params)


def _is_temperature_pair(c: Candidate, rules: Rules) -> bool:
    return set(c.params) == set(rules.temperature_params)


def _shifted(candidates: tuple[Candidate, ...], picker: _Picker, difference: int, cst: int,
             reference: int | None) -> list[Candidate]:
    """The candidates with the temperature's shock-oil shift added to the shock-oil pair
    (§3.8; a single shock is never compensated alone). Before a main nothing is added: one
    step each."""
    if not cst or picker.limited or reference is None:
        return list(candidates)
    shift = Decimal(cst)
    words = f"{'+' if cst > 0 else MINUS}{abs(cst)} cSt for the temperature"
    out: list[Candidate] = []
    for c in candidates:
        if not _is_temperature_pair(c, picker.rules):
            out.append(c)
        elif c.change + shift == 0:
            picker.cancelled.extend(c.params)
            picker.temperature.append(
                f"{_candidate_text(c)} and {words} cancel out: the shock oils stay")
        else:
            out.append(replace(c, change=c.change + shift, why=f"{c.why} Includes {words}.",
                               temperature_ref=_new_reference(reference, cst, picker.rules)))
    return out


def _new_reference(reference: int, cst: int, rules: Rules) -> int:
    """The temperature the shock oils are set for once ``cst`` is applied."""
    steps = abs(cst) // rules.temperature_shock_oil
    return reference + (1 if cst > 0 else -1) * steps * rules.temperature_per_degrees


def _temperature_proposals(picker: _Picker, difference: int, cst: int,
                           reference: int | None) -> None:
    """Say where the shift went; add a shock-oil pair proposal for it when none carried
    it and there is room. Never says a proposal is made that is not."""
    rules = picker.rules
    if reference is None:
        return
    keys = rules.temperature_params
    carried = [p for p in picker.proposals if p.temperature_ref is not None]
    if carried:
        picker.temperature.append(
            f"added to the proposal for {carried[0].shown}; once accepted the shock oils "
            f"are set for {carried[0].temperature_ref} °C")
        return
    if picker.cancelled:
        return
    touched = [PARAMS[p.param].label for q in picker.proposals for p in q.parts
               if p.param in keys]
    if touched:
        picker.temperature.append(
            f"not proposed now: this answer already changes {', '.join(touched)}; ask again "
            "after testing it")
        return
    if len(picker.proposals) >= rules.max_proposals:
        picker.temperature.append(
            f"not proposed now: {rules.max_proposals} proposals already; ask again after "
            "testing")
        return
    step = rules.temperature_shock_oil
    if picker.limited and abs(cst) > step:
        picker.temperature.append(f"one step before a main: {'+' if cst > 0 else MINUS}{step} "
                                  "cSt now, the rest later")
        cst = step if cst > 0 else -step
    warmer = "hotter" if difference > 0 else "colder"
    why = (f"The track is {abs(difference)} °C {warmer} than the shock oils are set for: "
           f"shock oil follows temperature ({rules.temperature_shock_oil} cSt per full "
           f"{rules.temperature_per_degrees} °C).")
    pair = Candidate(keys[0], Decimal(cst), "step", "", "quick", why,
                     partner=keys[1] if len(keys) > 1 else "",
                     temperature_ref=_new_reference(reference, cst, rules))
    if picker.take(pair):
        picker.temperature.append(
            f"proposed on its own: {picker.proposals[-1].shown}; once accepted the shock "
            f"oils are set for {pair.temperature_ref} °C")
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
