"""The event report: Markdown that reads as plain text, timing-site laps, never raises."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from apex.lap_input import format_lap
from apex.models import Audit, Event, Lap, Run, SetupChange
from apex.race_report import change_text, date_text, fahrenheit, race_report

CAR = "Tekno NB48 2.2 “Red”"


def event(**fields) -> Event:
    data = {"name": "Club Champs 2025", "type": "Club Race", "start_date": date(2025, 10, 18),
            "end_date": date(2025, 10, 19), "track": "Mac's Track", "track_size": "Medium",
            "traction": "High", "surface": "Dry", "condition": "Bumpy", "temperature": 24,
            "practice_rounds": 3, "qualifying_rounds": 2, **fields}
    return Event("e1", "r1", "c1", **data)


def bare_event(**fields) -> Event:
    return Event("e2", "r1", "c1", **{"name": "Test day", "type": "Practice",
                                      "start_date": date(2025, 1, 5), **fields})


def run(run_id: str, name: str, seconds: list[str], confidence: int | None = None) -> Run:
    laps = tuple(Lap(run_id, n, Decimal(s)) for n, s in enumerate(seconds, 1))
    return Run(run_id, "e1", name, datetime(2025, 10, 18, 9, tzinfo=UTC), 1, confidence, laps)


def change(parameter: str, old: str, new: str, **fields) -> SetupChange:
    return SetupChange(f"x-{parameter}", "e1", parameter, old, new,
                       **{"source": "manual", **fields})


# Q1's 50.000 is an incident (over its median 32.1 + 7 % = 34.347); its clean laps
# 32.0 32.2 32.1 32.1 32.1: median and top-5 32.100, sd sqrt(.02 / 4) = .0707,
# consistency 100 - 10 x .0707 / 32.1 x 100 = 97.8; fade from lap 2 over (2, 32.2)
# (3, 32.1) (5, 32.1) (6, 32.1): Sxy -.2 / Sxx 10 = -0.020 s/lap.
Q1 = run("q1", "Q1", ["32.000", "32.200", "32.100", "50.000", "32.100", "32.100"],
         confidence=3)
# Q2: median 31.900, top-5 159.572 / 5 = 31.914; fade over laps 2-5: Sxy -.055 / Sxx 5
# = -0.011 s/lap. The best run by top-5 (31.914 < 32.100).
Q2 = run("q2", "Q2", ["31.842", "31.900", "32.000", "31.950", "31.880"], confidence=4)
DIFF = change("DF", "7000", "6000", run_before="q1", run_after="q2",
              created_at=datetime(2025, 10, 18, 10, 15, tzinfo=UTC))
TOE = change("Toe_F", "-1.0", "-0.5", source="advisor", status="reverted")
AUDIT = Audit("a1", "e1", 4, gain="Corner exit", observation="Great on\nthe jumps",
              best_lap=Decimal("31.790"))


def test_full_event():
    assert race_report(event(), CAR, [Q1, Q2], [DIFF, TOE], AUDIT) == (
        "# Club Champs 2025 · Club Race · 18–19 Oct 2025\n"
        "\n"
        "- Car: Tekno NB48 2.2 “Red”\n"
        "- Track: Mac's Track (medium)\n"
        "- Conditions: High traction, dry, bumpy\n"
        "- Temperature: 24 °C / 75 °F\n"
        "- Rounds: 3 practice, 2 qualifying\n"
        "\n"
        "- Best lap: 31.842 (Q2, lap 1)\n"
        "- Best run: Q2, top-5 average 31.914, median 31.900\n"
        "\n"
        "## Runs\n"
        "- Q1: 6 laps, best 32.000, median 32.100, top-5 32.100, consistency 98,"
        " fade -0.020 s/lap, 1 incident lap, confidence 3/5\n"
        "- Q2: 5 laps, best 31.842, median 31.900, top-5 31.914, consistency 98,"
        " fade -0.011 s/lap, no laps left out, confidence 4/5\n"
        "\n"
        "## Setup changes\n"
        "- Front diff oil 7000 → 6000 cSt (manual): success: 0.20 s/lap faster (± 0.10),"
        " trend unknown; you: felt better\n"
        "- Front toe -1.0 → -0.5° (advisor): no run before it; you: felt better\n"
        "\n"
        "## Audit\n"
        "- Rating: 4/5\n"
        "- Gain: Corner exit\n"
        "- Observation: Great on the jumps\n"
        "- Official best lap: 31.790\n"
        "\n"
        "Logged with APEX\n"
    )


def test_empty_event():
    assert race_report(bare_event(), "", [], [], None) == (
        "# Test day · Practice · 5 Jan 2025\n"
        "\n"
        "No laps recorded.\n"
        "\n"
        "No setup changes.\n"
        "\n"
        "Logged with APEX\n"
    )


def test_runs_without_laps_and_a_single_lap():
    empty = run("p1", "Practice 1", [], confidence=2)
    single = run("p2", "Practice 2", ["33.500"])
    assert race_report(bare_event(), "Tekno NB48 2.2", [empty], [], None) == (
        "# Test day · Practice · 5 Jan 2025\n"
        "\n"
        "- Car: Tekno NB48 2.2\n"
        "\n"
        "No laps recorded.\n"
        "\n"
        "## Runs\n"
        "- Practice 1: no laps, confidence 2/5\n"
        "\n"
        "No setup changes.\n"
        "\n"
        "Logged with APEX\n"
    )
    text = race_report(bare_event(), "", [empty, single], [], None)
    # One lap is shown but compared with nothing: no best run.
    assert "- Best lap: 33.500 (Practice 2, lap 1)\n\n" in text and "Best run" not in text
    # One lap has no spread: no consistency figure rather than a made-up one.
    assert "- Practice 2: 1 lap, best 33.500, median 33.500, no laps left out\n" in text


def test_formula_looking_run_name_is_plain_text_in_markdown():
    name = '=HYPERLINK("http://evil.example","Q1")'
    text = race_report(bare_event(), "", [run("q1", name, ["31.000", "31.100"])], [], None)
    assert f"- Best lap: 31.000 ({name}, lap 1)\n" in text
    assert f"\n- {name}: 2 laps, best 31.000" in text


def test_laps_over_a_minute_as_timing_sites_print_them():
    long = run("m1", "A-Main", ["62.417", "61.9", "63.05"])
    text = race_report(bare_event(), "", [long], [], None)
    assert "- Best lap: 1:01.900 (A-Main, lap 2)\n" in text
    assert "- A-Main: 3 laps, best 1:01.900, median 1:02.417," in text


@pytest.mark.parametrize(("seconds", "text"), [
    (Decimal("31.842"), "31.842"), (Decimal("31.8"), "31.800"), (Decimal("9.5"), "9.500"),
    (Decimal("59.999"), "59.999"), (Decimal("59.9996"), "1:00.000"), (Decimal("60"), "1:00.000"),
    (Decimal("62.417"), "1:02.417"), (125.5, "2:05.500"), (Decimal("600.001"), "10:00.001"),
])
def test_format_lap(seconds, text):
    assert format_lap(seconds) == text


def test_change_lines_for_every_status_and_outcome():
    steady = run("s1", "Q3", ["32.000", "32.600", "31.700", "32.300", "32.150"])  # sd 0.34
    # median 32.075 against 32.150: 0.23 % faster, inside Q3's spread
    close = run("s2", "Q4", ["32.100", "32.050", "32.200", "31.900", "32.075"])
    changes = [
        change("SO_F", "450", "400", run_before="s1", run_after="s2"),
        change("Bell", "13", "14", run_before="q1", run_after="q2"),
        change("Venturi", "7.0", "7.5", run_before="s2"),
        change("SP_F", "Green", "", source="library", status="denied"),
        change("Pipe", "", "REDS 2143", source="package", status="pending"),
        change("OLD", "a", "b"),
    ]
    text = race_report(bare_event(), "", [Q1, Q2, steady, close], changes, None)
    assert text.split("## Setup changes\n")[1].split("\n\n")[0].splitlines() == [
        # Q2 -> Q3 ran unchanged: +0.78 %/run of drift, taken off each change's effect.
        "- Front shock oil 450 → 400 cSt (manual): neutral: within your normal variation: "
        "0.33 s/lap faster (± 0.39), track drift +0.78 %/run accounted for",
        "- Clutch bell 13 → 14 T (manual): success: 0.45 s/lap faster (± 0.10), "
        "track drift +0.78 %/run accounted for",
        "- Venturi 7.0 → 7.5 mm (manual): not run yet",
        "- Front spring Green → unset (library): denied",
        "- Pipe unset → REDS 2143 (package): pending",
        "- OLD a → b (manual): no run before it",
    ]


def test_change_text_puts_the_unit_on_the_value_that_is_set():
    assert change_text(change("DF", "7000", "6000")) == "Front diff oil 7000 → 6000 cSt"
    assert change_text(change("DF", "7000", "")) == "Front diff oil 7000 cSt → unset"
    assert change_text(change("C_R", "", "-3.0")) == "Rear camber unset → -3.0°"


def test_audit_with_a_symptom_and_nothing_else():
    audit = Audit("a2", "e2", 2, symptom="Rear loose")
    text = race_report(bare_event(), "", [], [], audit)
    assert text.endswith("## Audit\n- Rating: 2/5\n- Symptom: Rear loose\n\nLogged with APEX\n")


def test_where_lines_only_for_what_was_given():
    text = race_report(bare_event(track_size="Large", surface="Wet", temperature=-5), "", [],
                       [], None)
    assert "\n- Track: large track\n- Conditions: Wet\n- Temperature: -5 °C / 23 °F\n\n" in text
    assert "Rounds" not in text and "Car" not in text


def test_typed_text_cannot_break_the_layout():
    text = race_report(bare_event(name="Round 3\n# not a heading"), "", [], [],
                       Audit("a3", "e2", 3, observation="fine\n\n- not a list item  "))
    assert text.startswith("# Round 3 # not a heading · Practice")
    assert "\n- Observation: fine - not a list item\n" in text


@pytest.mark.parametrize(("start", "end", "text"), [
    (date(2025, 10, 18), None, "18 Oct 2025"),
    (date(2025, 10, 18), date(2025, 10, 18), "18 Oct 2025"),
    (date(2025, 10, 18), date(2025, 10, 19), "18–19 Oct 2025"),
    (date(2025, 10, 31), date(2025, 11, 2), "31 Oct – 2 Nov 2025"),
    (date(2025, 12, 31), date(2026, 1, 1), "31 Dec 2025 – 1 Jan 2026"),
])
def test_date_text(start, end, text):
    assert date_text(start, end) == text


@pytest.mark.parametrize(("c", "f"), [(24, 75), (0, 32), (-5, 23), (-3, 27), (1, 34), (37, 99)])
def test_fahrenheit(c, f):
    assert fahrenheit(c) == f
