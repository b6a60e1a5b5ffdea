"""Change impact and event history (TUNING.md §5), on hand-computed runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from apex.change_impact import VARIATION, change_impacts
from apex.event_history import change_label, summarise, what_worked
from apex.models import Event, EventRecord, Lap, Run, SetupChange

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def run(rid: str, *laps: str) -> Run:
    return Run(rid, "e1", rid.upper(), T0, 1, None,
               tuple(Lap(rid, n, Decimal(s)) for n, s in enumerate(laps, start=1)))


def change(before: str | None, after: str | None, *, verdict: str = "",
           status: str = "accepted", parameter: str = "DF") -> SetupChange:
    return SetupChange("c1", "e1", parameter, "7000", "6000", "manual", status=status,
                       version=2, run_before=before, run_after=after, verdict=verdict)


# Steady runs of 5 laps (fewer clean laps give no verdict): sd 0.158 s
# (31.0 .. 31.4 around 31.2; 30.7 .. 31.1 around 30.9).
STEADY_SLOW = ("31.0", "31.1", "31.2", "31.3", "31.4")
STEADY_FAST = ("30.7", "30.8", "30.9", "31.0", "31.1")


@pytest.mark.parametrize(("before", "after", "verdict", "summary"), [
    # (30.9 - 31.2) / 31.2 = -0.96 %: faster by more than 0.2 % and than the 0.1 s spread
    (STEADY_SLOW, STEADY_FAST, "success", "0.96 % faster"),
    (STEADY_FAST, STEADY_SLOW, "failure", "0.97 % slower"),
    # 31.2 -> 31.15: -0.16 %, under the 0.2 % line
    (STEADY_SLOW, ("30.95", "31.05", "31.15", "31.25", "31.35"), "neutral", VARIATION),
])
def test_verdicts_on_the_median_clean_lap(before, after, verdict, summary):
    (impact,) = change_impacts([change("a", "b")], [run("a", *before), run("b", *after)])
    assert (impact.lap_verdict, impact.verdict, impact.summary) == (verdict, verdict, summary)


def test_a_run_with_fewer_than_5_clean_laps_gives_no_verdict():
    # 4 laps after (31.0 .. 30.6, 1.6 % faster): no verdict, whatever the gain
    four = ("31.0", "30.7", "30.8", "30.6")
    (impact,) = change_impacts([change("a", "b")], [run("a", *STEADY_SLOW), run("b", *four)])
    assert (impact.lap_verdict, impact.summary) == ("", "not enough laps yet")
    # 5 laps, one an incident (45.0 over R 30.7 + 2.149): 4 clean laps, still none
    tumble = ("30.6", "30.7", "45.0", "30.8", "30.6")
    (impact,) = change_impacts([change("a", "b")], [run("a", *STEADY_SLOW), run("b", *tumble)])
    assert (impact.lap_verdict, impact.summary) == ("", "not enough laps yet")


def test_a_tumble_does_not_hide_a_real_gain():
    # Before: 31.0 .. 31.4 (median 31.2); after: 30.7 .. 31.1 and a 45.0 tumble (R 30.95,
    # incident over 30.95 + 2.1665): the clean median 30.9 is 0.96 % faster.
    after = ("30.7", "30.8", "45.0", "30.9", "31.0", "31.1")
    (impact,) = change_impacts([change("a", "b")], [run("a", *STEADY_SLOW), run("b", *after)])
    assert (impact.lap_verdict, impact.summary) == ("success", "0.96 % faster")


def test_a_gain_inside_the_runs_own_spread_is_not_claimed():
    # Before: median 31.2, sd 0.6 (laps 30.6 .. 31.8); after: 30.9, 0.96 % faster but
    # 0.3 s < 0.6 s of the before run's lap-to-lap spread.
    wide = ("30.6", "31.8", "31.2", "30.6", "31.8", "31.2", "31.2")
    (impact,) = change_impacts([change("a", "b")], [run("a", *wide), run("b", *STEADY_FAST)])
    assert impact.within_spread and impact.lap_verdict == "neutral"
    assert impact.summary == VARIATION


def test_the_audits_stored_verdict_overrides_the_laps():
    (impact,) = change_impacts([change("a", "b", verdict="failure")],
                               [run("a", *STEADY_SLOW), run("b", *STEADY_FAST)])
    assert (impact.lap_verdict, impact.verdict) == ("success", "failure")


def test_an_empty_run_before_the_change_falls_back_to_the_last_driven_one():
    runs = [run("a", *STEADY_SLOW), run("empty"), run("b", *STEADY_FAST)]
    (impact,) = change_impacts([change("empty", "b")], runs)
    assert impact.before.id == "a" and impact.verdict == "success"


@pytest.mark.parametrize(("before", "after", "summary"), [
    (None, "b", "no run before it"), ("a", None, "not run yet"),
])
def test_missing_runs_say_why_there_is_no_verdict(before, after, summary):
    (impact,) = change_impacts([change(before, after)],
                               [run("a", *STEADY_SLOW), run("b", *STEADY_FAST)])
    assert (impact.verdict, impact.summary) == ("", summary)


def test_only_accepted_changes_are_judged():
    assert change_impacts([change("a", "b", status="reverted")], [run("a", "31")]) == []


def test_history_summary_and_what_worked():
    event = Event("e1", "r1", "car1", "Winter Cup", "Practice", date(2026, 11, 21),
                  track="Mac's Track", condition="Bumpy")
    record = EventRecord(event, [run("a", *STEADY_SLOW), run("b", *STEADY_FAST)],
                         [change("a", "b")])
    summary = summarise(record)
    assert summary.best.id == "b" and summary.best_lap == 30.7
    assert [change_label(i) for i in summary.worked] == ["DF \u22121000 cSt"]
    assert what_worked([summary, summary]) == ([("DF \u22121000 cSt", 2)], [])
