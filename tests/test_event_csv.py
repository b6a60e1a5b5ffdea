"""An event's laps and changes as CSV: the library export's conventions, no formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from apex.event_csv import changes_csv, laps_csv, seconds_text, time_text
from apex.models import Audit, Event, Lap, Run, SetupChange

LAPS_HEADER = "\ufeffevent,run,lap,seconds,flag,manual,best\r\n"
CHANGES_HEADER = ("\ufeffevent,time,parameter,label,old_value,new_value,source,reason,status,"
                  "run_before,run_after,verdict,effect_pct,effect_s,band_pct,band_s,trend_pct,"
                  "together_with,audit,result\r\n")
HYPERLINK = '=HYPERLINK("http://evil.example","Q1")'


def event(name: str = "Club Champs 2025") -> Event:
    return Event("e1", "r1", "c1", name, "Club Race", date(2025, 10, 18))


def run(run_id: str, name: str, seconds: list[str], flags: list[str] | None = None) -> Run:
    marks = flags or [""] * len(seconds)
    laps = tuple(Lap(run_id, n, Decimal(s), f)
                 for n, (s, f) in enumerate(zip(seconds, marks, strict=True), 1))
    return Run(run_id, "e1", name, datetime(2025, 10, 18, 9, tzinfo=UTC), 1, None, laps)


def change(parameter: str, old: str, new: str, **fields) -> SetupChange:
    return SetupChange(f"x-{parameter}", "e1", parameter, old, new,
                       **{"source": "manual", **fields})


# Q1's 50.000 is an incident: over its median 32.1 + max(7 % = 2.247, 4 x 1.4826 x MAD .05);
# its clean median 32.1 (sd 0.0707107), Q2's 31.9 (sd 0.0616993): 0.2 / 32.1 = 0.62 %
# faster; band 1.96 x 1.253 x sqrt(0.005 / 5 + 0.0038068 / 5) = 0.1031 s = 0.32 %; no
# unchanged pair of runs, so the trend is unknown.
Q1 = run("q1", "Q1", ["32.000", "32.200", "32.100", "50.000", "32.100", "32.100"])
Q2 = run("q2", "Q2", ["31.842", "31.900", "32.000", "31.950", "31.880"])
DIFF = change("DF", "7000", "6000", reason="more steering", run_before="q1", run_after="q2",
              created_at=datetime(2025, 10, 18, 10, 15, tzinfo=UTC))
TOE = change("Toe_F", "-1.0", "-0.5", source="advisor", reason="=wash on entry",
             status="reverted", run_before="q1", run_after="q2",
             created_at=datetime(2025, 10, 18, 11, 0))  # naive: taken as UTC


def cells(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_laps_of_a_full_event():
    assert laps_csv(event(), [Q1, Q2]) == (
        LAPS_HEADER
        + "Club Champs 2025,Q1,1,32.000,,,yes\r\n"
        + "Club Champs 2025,Q1,2,32.200,,,\r\n"
        + "Club Champs 2025,Q1,3,32.100,,,\r\n"
        + "Club Champs 2025,Q1,4,50.000,incident,,\r\n"
        + "Club Champs 2025,Q1,5,32.100,,,\r\n"
        + "Club Champs 2025,Q1,6,32.100,,,\r\n"
        + "Club Champs 2025,Q2,1,31.842,,,yes\r\n"
        + "Club Champs 2025,Q2,2,31.900,,,\r\n"
        + "Club Champs 2025,Q2,3,32.000,,,\r\n"
        + "Club Champs 2025,Q2,4,31.950,,,\r\n"
        + "Club Champs 2025,Q2,5,31.880,,,\r\n"
    )


def test_changes_of_a_full_event():
    audit = Audit("a1", "e1", 2, symptom="Rear loose")  # the racer felt it worse
    assert changes_csv(event(), [DIFF, TOE], [Q1, Q2], audit) == (
        CHANGES_HEADER
        + "Club Champs 2025,2025-10-18T10:15:00Z,DF,Front diff oil,7000,6000,manual,"
          "more steering,accepted,Q1,Q2,success,-0.62,-0.20,0.32,0.10,,Front toe more toe-in,"
          "failure,\"0.20 s/lap faster (± 0.10), trend unknown\"\r\n"
        # Undone after Q2 ran it: judged with DF (one bundle); -1.0 stays a number, the
        # reason is neutralised.
        + "Club Champs 2025,2025-10-18T11:00:00Z,Toe_F,Front toe,-1.0,-0.5,advisor,"
          "'=wash on entry,reverted,Q1,Q2,success,-0.62,-0.20,0.32,0.10,,"
          "Front diff oil thinner,failure,\"0.20 s/lap faster (± 0.10), trend unknown\"\r\n"
    )


def test_empty_event():
    assert laps_csv(event(), []) == LAPS_HEADER
    assert changes_csv(event(), [], []) == CHANGES_HEADER
    assert laps_csv(event(), [run("p1", "Practice 1", [])]) == LAPS_HEADER


def test_formula_run_and_event_names_are_neutralised():
    text = laps_csv(event("+44 Racing"), [run("q1", HYPERLINK, ["31.000"])])
    assert text == (LAPS_HEADER
                    + "'+44 Racing,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Q1\"\")\","
                      "1,31.000,,,yes\r\n")
    assert cells(text)[0]["run"] == "'" + HYPERLINK
    named = changes_csv(event(), [change("DF", "7000", "6000", run_before="q1")],
                        [run("q1", HYPERLINK, ["31.000"])])
    assert cells(named)[0]["run_before"] == "'" + HYPERLINK


def test_values_stay_numbers_only_when_they_are_plain_numbers_of_numeric_parameters():
    rows = cells(changes_csv(event(), [
        change("C_F", "-2.0", "-2.5"),
        change("SP_F", "-Green", "=1+1"),  # text parameter: always text
        change("Bell", "13", "+14"),  # not a plain number
        change("OLD", "-1", "@x", source="@package", reason="\tnote"),  # unknown parameter
    ], []))
    assert [(r["old_value"], r["new_value"]) for r in rows] == [
        ("-2.0", "-2.5"), ("'-Green", "'=1+1"), ("13", "'+14"), ("'-1", "'@x")]
    assert (rows[3]["label"], rows[3]["source"], rows[3]["reason"]) == ("", "'@package",
                                                                         "'\tnote")


def test_laps_over_a_minute_are_seconds_and_read_back_as_numbers():
    text = laps_csv(event(), [run("m1", "A-Main", ["62.417", "61.9", "63.05"])])
    rows = cells(text)
    assert [r["seconds"] for r in rows] == ["62.417", "61.900", "63.050"]
    assert [float(r["seconds"]) for r in rows] == [62.417, 61.9, 63.05]
    assert [r["best"] for r in rows] == ["", "yes", ""]


def test_flags_the_racers_own_and_the_best():
    # R = median of 7 laps (12 30 30 [30.5] 31 31 45) = 30.5: 12.000 under .75 x 30.5 =
    # 22.875 is short; MAD .5 -> 45.000 over 30.5 + max(2.135, 4 x 1.4826 x .5 = 2.965)
    # is an incident; lap 6 is out by hand. Equal fastest clean laps: the first is best.
    rows = cells(laps_csv(event(), [run(
        "r1", "Heat", ["30.000", "12.000", "30.000", "31.000", "45.000", "31.000", "30.500"],
        ["", "", "", "", "", "out", ""])]))
    assert [(r["lap"], r["flag"], r["manual"], r["best"]) for r in rows] == [
        ("1", "", "", "yes"), ("2", "short", "", ""), ("3", "", "", ""), ("4", "", "", ""),
        ("5", "incident", "", ""), ("6", "out", "out", ""), ("7", "", "", "")]


def test_change_outcomes_by_status():
    rows = cells(changes_csv(event(), [
        change("Venturi", "7.0", "7.5", run_before="q2"),  # accepted, nothing after it
        change("Bell", "13", "14", run_before="q1", run_after="q2"),
        change("Pipe", "", "REDS 2143", status="pending", run_before="gone"),
    ], [Q1, Q2]))
    assert [(r["run_before"], r["run_after"], r["verdict"], r["result"]) for r in rows] == [
        ("Q2", "", "", "not run yet"),
        ("Q1", "Q2", "success", "0.20 s/lap faster (± 0.10), trend unknown"),
        ("", "", "", ""),  # a pending proposal was never raced; a run not in the list: no name
    ]
    assert rows[2]["time"] == "" and rows[2]["old_value"] == ""


def test_time_text_and_seconds_text():
    assert time_text(None) == ""
    assert time_text(datetime(2025, 10, 18, 11, 0)) == "2025-10-18T11:00:00Z"
    cest = timezone(timedelta(hours=2))
    assert time_text(datetime(2025, 10, 18, 12, 30, 45, 123456, cest)) == "2025-10-18T10:30:45Z"
    assert seconds_text(Decimal("1E+2")) == "100.000"
    assert seconds_text(31.8) == "31.800"
