"""The advisor's rules, read from ``rules.toml`` and checked once at import.

Why a data file: TUNING.md asks for the symptom table and the guards' numbers as
one table a racer-engineer can read and change, not as a chain of ``if``s. Why
the checks: a typo in that file must stop the app with a message naming the
place ("symptoms.push_entry #2: unknown parameter 'SBF'"), never turn into a
silently missing proposal on race day.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from apex.advisor.rules_reader import RulesError, Table
from apex.catalogue import BY_KEY, PISTON_KEYS, QUICK_KEYS
from apex.models import CONDITIONS, EVENT_TYPES, SURFACES, TRACTIONS
from apex.symptoms import BY_KEY as SYMPTOMS

RULES_FILE = Path(__file__).with_name("rules.toml")

FEELS: tuple[str, ...] = ("softer", "stiffer", "")
SPEEDS: tuple[str, ...] = ("quick", "medium", "slow")
# What a context preference can look at, and the words the event form offers for it.
CONTEXT_WORDS: dict[str, tuple[str, ...]] = {"condition": CONDITIONS, "traction": TRACTIONS}


@dataclass(frozen=True)
class Candidate:
    """One concrete change a symptom may get: ``param`` by ``change``.

    ``change`` is in the parameter's unit; for a piston (``kind == "piston"``) it
    is the hole size in mm (-0.1: ``4x1.2`` -> ``4x1.1``).
    """

    param: str
    change: Decimal
    kind: str  # "step" or "piston"
    feel: str
    speed: str
    why: str
    # The other end of a front/rear pair (§3.10: "SO_R" with "SO_F"), changed by as
    # much in the same proposal; "" for a single change.
    partner: str = ""
    # §3.8: a candidate carrying the temperature's shift sets the setup's reference.
    temperature_ref: int | None = None

    @property
    def direction(self) -> int:
        return 1 if self.change > 0 else -1

    @property
    def params(self) -> tuple[str, ...]:
        return (self.param, self.partner) if self.partner else (self.param,)


@dataclass(frozen=True)
class AdviceLine:
    """Advice shown as text only (springs, compounds, engine needles)."""

    text: str
    params: tuple[str, ...]  # catalogue keys it touches; () when it is not setup
    why: str
    driving: bool = False  # driving advice: shown first, never held back

    @property
    def note(self) -> str:
        return f"{self.text.rstrip('.')}. {self.why}"


@dataclass(frozen=True)
class Preference:
    """On these track words, candidates of ``feel`` go first."""

    when: str  # an Event field: "condition" or "traction"
    words: tuple[str, ...]
    feel: str


@dataclass(frozen=True)
class SymptomRules:
    candidates: tuple[Candidate, ...]
    advice: tuple[AdviceLine, ...]


@dataclass(frozen=True)
class Rules:
    max_proposals: int
    confidence_below: int
    safety_symptoms: tuple[str, ...]  # §3.1: answered at any confidence
    tyre_warning_share: Decimal
    limited_event_types: tuple[str, ...]
    min_practice_rounds: int
    main_steps_from_start: int  # §3.4: how far from the event's start a main allows
    quick_params: tuple[str, ...]  # the catalogue's quick ones (``Param.quick``)
    driving_gap: Decimal
    tyre_wear_limit: dict[str, int]  # surface -> runs
    temperature_per_degrees: int
    temperature_shock_oil: int  # cSt per full ``temperature_per_degrees`` hotter
    temperature_params: tuple[str, ...]
    piston_hole_min: Decimal
    piston_hole_max: Decimal
    preferences: tuple[Preference, ...]
    pairs: tuple[tuple[str, str], ...]  # §3.10: (front, rear) changed together
    symptoms: dict[str, SymptomRules]


def load_rules(path: Path = RULES_FILE) -> Rules:
    """Read and check a rules file (the shipped one by default)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"{path.name}: not valid TOML: {error}") from None
    return parse_rules(data)


def parse_rules(data: dict[str, Any]) -> Rules:
    """Check parsed TOML and build the rules; RulesError names the first problem."""
    top = Table(data, "rules")
    guards = Table(top.table("guards"), "guards")
    temperature = Table(top.table("temperature"), "temperature")
    pistons = Table(top.table("pistons"), "pistons")
    if "quick_params" in guards.data:
        raise RulesError("guards.quick_params: quick trackside parameters are marked in "
                         "apex/catalogue.py (quick=True), not here")
    pairs_table = Table(top.table("pairs"), "pairs")
    pairs = _pairs(pairs_table)
    wear = top.table("tyre_wear_limit")
    for surface, runs in wear.items():
        if surface not in SURFACES:
            raise RulesError(f"tyre_wear_limit: unknown surface {surface!r}: one of {SURFACES}")
        if not isinstance(runs, int) or isinstance(runs, bool) or runs < 1:
            raise RulesError(f"tyre_wear_limit.{surface}: a whole number of runs, at least 1")
    rules = Rules(
        max_proposals=guards.integer("max_proposals"),
        confidence_below=guards.integer("confidence_below"),
        safety_symptoms=guards.words("safety_symptoms", tuple(SYMPTOMS)),
        tyre_warning_share=guards.number("tyre_warning_share"),
        limited_event_types=guards.words("limited_event_types", EVENT_TYPES),
        min_practice_rounds=guards.integer("min_practice_rounds"),
        main_steps_from_start=guards.integer("main_steps_from_start"),
        quick_params=QUICK_KEYS,
        driving_gap=guards.number("driving_gap_seconds"),
        tyre_wear_limit=dict(wear),
        temperature_per_degrees=temperature.integer("per_degrees"),
        temperature_shock_oil=temperature.integer("shock_oil_change"),
        temperature_params=temperature.params("params", numeric=True),
        piston_hole_min=pistons.number("hole_min_mm"),
        piston_hole_max=pistons.number("hole_max_mm"),
        preferences=tuple(
            _preference(Table(item, f"prefer #{n}"))
            for n, item in enumerate(top.tables("prefer"), 1)
        ),
        pairs=pairs,
        symptoms={
            key: _symptom(key, entries, pairs) for key, entries in top.table("symptoms").items()
        },
    )
    for table in (top, guards, temperature, pistons, pairs_table):
        table.done()
    if rules.max_proposals < 1:
        raise RulesError("guards.max_proposals: at least 1")
    if not 0 < rules.tyre_warning_share <= 1:
        raise RulesError("guards.tyre_warning_share: a share above 0 and at most 1 (0.75)")
    if rules.temperature_per_degrees < 1:
        raise RulesError("temperature.per_degrees: at least 1 °C")
    if not 0 < rules.piston_hole_min < rules.piston_hole_max:
        raise RulesError("pistons: hole_min_mm must be above 0 and below hole_max_mm")
    for key in rules.temperature_params:
        step = BY_KEY[key].step
        if step is None or rules.temperature_shock_oil % step:
            raise RulesError(f"temperature.shock_oil_change: not on {key}'s step")
    return rules


def _preference(table: Table) -> Preference:
    when = table.text("when")
    if when not in CONTEXT_WORDS:
        raise RulesError(f"{table.where}.when: one of {tuple(CONTEXT_WORDS)}, not {when!r}")
    preference = Preference(when, table.words("is", CONTEXT_WORDS[when]),
                            table.choice("feel", ("softer", "stiffer")))
    table.done()
    return preference


def _pairs(table: Table) -> tuple[tuple[str, str], ...]:
    """``together``: front/rear pairs written ``"SO_F/SO_R"``."""
    raw = table.strings("together")
    pairs: list[tuple[str, str]] = []
    for text in raw:
        keys = str(text).split("/")
        if len(keys) != 2 or any(k not in BY_KEY or not BY_KEY[k].is_numeric for k in keys):
            raise RulesError(f"{table.where}.together: {text!r} is not two numeric "
                             "parameters written FRONT/REAR")
        pairs.append((keys[0], keys[1]))
    return tuple(pairs)


def _symptom(key: str, entries: Any, pairs: tuple[tuple[str, str], ...] = ()) -> SymptomRules:
    if key not in SYMPTOMS:
        raise RulesError(f"symptoms.{key}: unknown symptom: one of {tuple(SYMPTOMS)}")
    if not isinstance(entries, list) or not entries:
        raise RulesError(f"symptoms.{key}: write its entries as [[symptoms.{key}]]")
    candidates: list[Candidate] = []
    advice: list[AdviceLine] = []
    for n, entry in enumerate(entries, 1):
        table = Table(entry, f"symptoms.{key} #{n}")
        if "advice" in table.data:
            params = table.params("param", numeric=None, optional=True)
            driving = table.boolean("driving")
            if driving and params:
                raise RulesError(f"{table.where}.driving: a driving line names no parameter")
            advice.append(AdviceLine(table.text("advice"), params, table.text("why"), driving))
        else:
            candidates.extend(_candidates(table, pairs))
        table.done()
    return SymptomRules(tuple(candidates), tuple(advice))


def _candidates(table: Table, pairs: tuple[tuple[str, str], ...] = ()) -> list[Candidate]:
    """One entry's candidates: one proposal for a pair of ``pairs`` ("SO_F/SO_R"), else one
    per parameter ("DF/DC/DR"), in that order."""
    kind = table.choice("kind", ("piston",), default="step")
    params = table.params("param", numeric=kind == "step")
    change = table.number("change")
    if change == 0:
        raise RulesError(f"{table.where}.change: a change of 0 changes nothing")
    for key in params:
        step = BY_KEY[key].step
        if kind == "piston" and not BY_KEY[key].piston:
            raise RulesError(f"{table.where}: kind 'piston' is for {PISTON_KEYS}, not {key!r}")
        if step is not None and change % step:
            raise RulesError(f"{table.where}.change: {change} is not on {key}'s step ({step})")
    feel, speed, why = table.choice("feel", FEELS), table.choice("speed", SPEEDS), table.text("why")
    if len(params) == 2 and (params[0], params[1]) in pairs:
        return [Candidate(params[0], change, kind, feel, speed, why, partner=params[1])]
    return [Candidate(key, change, kind, feel, speed, why) for key in params]


RULES: Rules = load_rules()
