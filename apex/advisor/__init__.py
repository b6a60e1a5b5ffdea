"""The Setup Advisor: a symptom in, concrete setup changes out (TUNING.md §3-§4).

Deterministic and offline: the rules are data (``rules.toml``), the engine a pure
function (``advise``). The Flask view builds a ``Situation`` and renders the
``Advice``.
"""

from __future__ import annotations

from apex.advisor.advice import Advice, Guard, Proposal, Situation
from apex.advisor.engine import FRESH_TYRES, NO_SAFE_CHANGE, advise
from apex.advisor.rules import RULES, RulesError, load_rules

__all__ = [
    "FRESH_TYRES", "NO_SAFE_CHANGE", "RULES", "Advice", "Guard", "Proposal", "RulesError",
    "Situation", "advise", "load_rules",
]
