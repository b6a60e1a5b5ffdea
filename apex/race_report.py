"""An event summary in Markdown, to paste into a social-media post or a sponsor e-mail.

Why it is written this way:
- It must read well as plain text too (a post box shows the Markdown as typed), and on
  a phone: no tables, short ``- Label: value`` list items (plain lines would be joined
  into one paragraph when rendered), one line per run and per change.
- Lap times are printed as timing sites print them (``31.842``, ``1:02.417`` from a
  minute up), so a racer can compare them with the official results at a glance.
- The figures are the domain doc's (TUNING.md §5) through ``lap_stats`` and
  ``verdicts``: the report never does lap maths of its own, so it cannot
  disagree with the pages.
- Whatever the racer typed (names, observation) is text, not markup: it is written as
  given, but folded onto one line, so a line break in an observation cannot start a
  heading or a list item of its own.
- It never raises on a thin event: no runs, runs without laps, a single lap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from apex.catalogue import BY_KEY
from apex.lap_input import format_lap
from apex.lap_stats import Flag, RunStats, best_run, event_run_stats
from apex.models import Audit, Event, Run, SetupChange
from apex.verdicts import ChangeVerdict, judge_event

FOOTER = "Logged with APEX"
NO_LAPS = "No laps recorded."
NO_CHANGES = "No setup changes."

_MILLI = Decimal("0.001")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def race_report(event: Event, car_label: str, runs: Sequence[Run],
                changes: Sequence[SetupChange], audit: Audit | None) -> str:
    """The event as Markdown: where and how it ran, its best laps, every run, every
    setup change with what it did, the closing audit, and a last ``Logged with APEX``.

    ``runs`` and ``changes`` are reported in the order given (the stores give them in
    the order they happened); the text ends with a newline.
    """
    stats = event_run_stats(runs)
    sections = [
        [f"# {_title(event)}"],
        _listed(_where(event, car_label)),
        _bests(runs, stats),
        ["## Runs", *_runs(runs, stats)] if runs else [],
        ["## Setup changes", *_changes(changes, runs, audit)] if changes else [NO_CHANGES],
        ["## Audit", *_listed(_audit(audit))] if audit is not None else [],
        [FOOTER],
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


def _listed(lines: list[str]) -> list[str]:
    """``Label: value`` lines as list items: Markdown joins plain lines into one paragraph."""
    return [f"- {line}" for line in lines]


def date_text(start: date, end: date | None = None) -> str:
    """``18 Oct 2025``; a meeting over days as ``18–19 Oct 2025`` (no repeated month or
    year). Month names are fixed English, not the server's locale."""
    def day(d: date, month: bool = True, year: bool = True) -> str:
        return " ".join([str(d.day), *([_MONTHS[d.month - 1]] if month else []),
                         *([str(d.year)] if year else [])])

    if end is None or end == start:
        return day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{day(start, month=False, year=False)}–{day(end)}"
    if start.year == end.year:
        return f"{day(start, year=False)} – {day(end)}"
    return f"{day(start)} – {day(end)}"


def fahrenheit(celsius: int) -> int:
    """°C to whole °F, halves rounded up (24 °C -> 75 °F)."""
    return int((Decimal(celsius) * 9 / 5 + 32).quantize(Decimal(1), ROUND_HALF_UP))


def _text(value: str) -> str:
    """What the racer typed, on one line (see the module doc)."""
    return " ".join(value.split())


def _title(event: Event) -> str:
    parts = [_text(event.name), _text(event.type), date_text(event.start_date, event.end_date)]
    return " · ".join(p for p in parts if p)


def _where(event: Event, car_label: str) -> list[str]:
    lines = [f"Car: {_text(car_label)}"] if car_label.strip() else []
    track = _text(event.track)
    if track or event.track_size:
        size = _text(event.track_size).lower()
        lines.append(f"Track: {track} ({size})" if track and size
                     else f"Track: {track or size + ' track'}")
    said = [f"{_text(event.traction).lower()} traction" if event.traction.strip() else "",
            _text(event.surface).lower(), _text(event.condition).lower()]
    if any(said):
        conditions = ", ".join(s for s in said if s)
        lines.append(f"Conditions: {conditions[0].upper()}{conditions[1:]}")
    if event.temperature is not None:
        lines.append(f"Temperature: {event.temperature} °C / {fahrenheit(event.temperature)} °F")
    rounds = [f"{n} {what}" for n, what in ((event.practice_rounds, "practice"),
                                            (event.qualifying_rounds, "qualifying"))
              if n is not None]
    if rounds:
        lines.append(f"Rounds: {', '.join(rounds)}")
    return lines


def _bests(runs: Sequence[Run], stats: Sequence[RunStats | None]) -> list[str]:
    """The fastest clean lap of the event (the earlier one on a tie) and the best run
    (lowest top-5 average, apex.lap_stats.best_run)."""
    laps = [(lap.seconds, i, lap.lap_number) for i, (r, s) in enumerate(zip(runs, stats,
                                                                           strict=True))
            if s is not None for lap, f in zip(r.laps, s.flags, strict=True) if f == "clean"]
    if not laps:
        return [NO_LAPS]
    seconds, at, number = min(laps)
    lines = [f"- Best lap: {format_lap(seconds)} ({_text(runs[at].name)}, lap {number})"]
    best = best_run(runs)
    if best is not None and (s := stats[best]) is not None and s.top5 is not None:
        lines.append(f"- Best run: {_text(runs[best].name)}, top-5 average "
                     f"{format_lap(s.top5)}, median {format_lap(s.median)}")
    return lines


def _runs(runs: Sequence[Run], stats: Sequence[RunStats | None]) -> list[str]:
    return [f"- {_text(r.name)}: {_run_figures(r, s)}" for r, s in zip(runs, stats, strict=True)]


def _run_figures(run: Run, s: RunStats | None) -> str:
    """Laps, best, median, top-5, consistency (none with one clean lap), the laps left
    out (short, incident, flagged by hand), confidence."""
    parts = ["no laps"] if s is None else [
        _plural(s.laps, "lap"), f"best {format_lap(s.best)}", f"median {format_lap(s.median)}",
        *([f"top-5 {format_lap(s.top5)}"] if s.top5 is not None else []),
        *([f"consistency {s.consistency:.0f}"] if s.consistency is not None else []),
        *([f"fade {s.fade:+.3f} s/lap{' (fading)' if s.fading else ''}"]
          if s.fade is not None else []),
        _left_out(s),
    ]
    if run.confidence is not None:
        parts.append(f"confidence {run.confidence}/5")
    return ", ".join(parts)


def _left_out(s: RunStats) -> str:
    kinds: tuple[tuple[str, Flag], ...] = (
        ("short lap", "short"), ("incident lap", "incident"), ("lap left out", "out"))
    parts = [_plural(len(laps), what) for what, flag in kinds if (laps := s.laps_flagged(flag))]
    return ", ".join(parts) if parts else "no laps left out"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _changes(changes: Sequence[SetupChange], runs: Sequence[Run],
             audit: Audit | None) -> list[str]:
    judged = judge_event(runs, changes, audit)
    return [f"- {change_text(c)} ({_text(c.source)}): {_outcome(c, judged.of(c))}"
            for c in changes]


def change_text(change: SetupChange) -> str:
    """``Front diff oil 7000 → 6000 cSt``: the catalogue label, the unit once, at the
    end (on the old value when the new one is unset); ``unset`` for an empty value.
    The stored texts are shown as they are (not through ``catalogue.with_unit``, which
    would parse them), so an odd stored value cannot make the report fail."""
    param = BY_KEY.get(change.parameter)
    label = param.label if param else _text(change.parameter)
    unit = param.unit if param else ""
    old, new = _text(change.old_value), _text(change.new_value)

    def shown(value: str, with_unit: bool) -> str:
        if not value:
            return "unset"
        if not (with_unit and unit):
            return value
        return f"{value}{unit}" if unit == "°" else f"{value} {unit}"

    return f"{label} {shown(old, not new)} → {shown(new, True)}"


def _outcome(change: SetupChange, verdict: ChangeVerdict | None) -> str:
    """On the car: ``success: 0.45 s/lap faster (± 0.20), trend unknown``, with the
    parameters judged together and the racer's opinion; a denied or pending change
    only its status (it was never raced)."""
    if verdict is None:
        return change.status
    parts = [f"{verdict.outcome}: {verdict.sentence}" if verdict.outcome else verdict.sentence]
    if verdict.together:
        parts.append("together with " + ", ".join(verdict.together))
    if verdict.opinion_words:
        parts.append(verdict.opinion_words)
    return "; ".join(parts)


def _audit(audit: Audit) -> list[str]:
    lines = [f"Rating: {audit.rating}/5"]
    if audit.symptom:
        lines.append(f"Symptom: {_text(audit.symptom)}")
    if audit.gain:
        lines.append(f"Gain: {_text(audit.gain)}")
    if audit.observation.strip():
        lines.append(f"Observation: {_text(audit.observation)}")
    if audit.best_lap is not None:
        lines.append(f"Official best lap: {format_lap(audit.best_lap)}")
    return lines
