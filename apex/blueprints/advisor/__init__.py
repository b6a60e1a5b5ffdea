"""Setup Advisor (tab 2): a symptom in, concrete and explained changes out.

Routes in ``views.py``; what the rule engine is told (the event, its runs and
changes, this car's history at this track) is gathered in ``situation.py``; the
engine itself is apex.advisor (rules as data in apex/advisor/rules.toml).
Templates in ``templates/advisor/``. Proposals are stored as pending setup
changes (source "advisor"), so Race Support shows them too.
"""

from __future__ import annotations

from apex.blueprints.advisor import views  # noqa: F401  (their routes join bp)
from apex.blueprints.advisor.blueprint import bp

__all__ = ["bp"]
