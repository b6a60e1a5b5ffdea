"""One cell or one header of a lap table, as timing systems write them (TUNING.md §5).

Kept apart from ``apex.lap_reader`` (which decides which cells to read) so the two
questions stay small: *what is this column?* and *what time is in this cell?*
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import Enum

from apex.lap_input import parse_time

_MILLI = Decimal("0.001")
# LiveRC lap-chart cells: position / lap time.
_LIVERC = re.compile(r"([0-9]{1,3})/(.+)")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2}):([0-9]{2}(?:\.[0-9]{1,3})?)")
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]{1,3}")
_WHOLE = re.compile(r"[0-9]+")
# Cells that say "no lap here" rather than a wrong lap.
_MARKER = re.compile(r"(?i)(dnf|dns|dsq|dq|pit|n/?a|-+|—|–|\*+)?")
# Timing sites mark a best lap or a penalty with a trailing sign.
_TRAILING_MARK = re.compile(r"[*!]+$")


class Kind(Enum):
    LAP_NUMBER = "lap number"
    POSITION = "position"
    TIME_OF_DAY = "time of day"
    GAP = "gap"
    ELAPSED = "elapsed total"
    DRIVER = "driver"
    LAP_TIME = "lap time"
    OTHER = "other"  # speed, sector, best lap, transponder: read, never used
    UNKNOWN = "unknown"  # a word the reader does not know: a driver's name, in a lap chart


_SPECIFIC_LAP_TIME = {"lap time", "laptime", "lap_time", "laptimes", "lap times", "rundenzeit",
                      "temps au tour", "lap sec", "lap seconds", "lap s", "lap ms"}
_GENERIC_LAP_TIME = {"time", "times", "seconds", "secs", "sec", "s", "ms", "zeit", "temps"}
_LAP_NUMBER = {"lap", "laps", "lap #", "lap no", "lap nr", "lap number", "#", "no", "nr", "l",
               "runde", "tour", "lap no."}
_POSITION = {"pos", "position", "place", "p", "rank", "pl", "pos."}
_DRIVER = {"driver", "name", "racer", "pilot", "competitor", "driver name", "fahrer", "pilote",
           "car", "kart"}
_OTHER = {"speed", "kph", "km/h", "mph", "best", "best lap", "best time", "transponder",
          "tx", "sector", "s1", "s2", "s3", "avg", "average", "class", "heat", "car #", "car no",
          "id", "number", "nb", "pace", "lap speed", "status", "pit", "date"}
_TIME_OF_DAY_WORDS = ("time of day", "tod", "clock", "timestamp", "time stamp", "passing",
                      "crossing", "hour", "uhrzeit", "datetime", "local time", "real time")
_GAP_WORDS = ("gap", "diff", "delta", "behind", "interval", "+/-", "ecart", "abstand")
_ELAPSED_WORDS = ("total", "elapsed", "race time", "cumulative", "cum", "running time",
                  "accumulated", "gesamt")


def normalize(header: str) -> str:
    """Lower case, units in brackets and surrounding punctuation dropped."""
    text = header.strip().strip('"').lower()
    text = re.sub(r"[(\[].*?[)\]]", "", text)
    return " ".join(text.replace("_", " ").split()).strip(" :")


def says_ms(header: str) -> bool:
    """``Lap time (ms)``, ``Laptime ms``, ``ms``: integer milliseconds in the cells."""
    words = re.split(r"[^a-z]+", header.lower())
    return "ms" in words or "millis" in words or "milliseconds" in words


def kind_of(header: str) -> Kind:
    name = normalize(header)
    if not name:
        return Kind.UNKNOWN
    # Order matters: "Lap time of day", "Total time", "Gap time" name a time that is no lap.
    if any(word in name for word in _TIME_OF_DAY_WORDS):
        return Kind.TIME_OF_DAY
    if any(word in name.split() or word == name or (" " in word and word in name)
           for word in _GAP_WORDS) or name.startswith(("gap", "diff", "delta")):
        return Kind.GAP
    if any(word in name.split() or (" " in word and word in name) for word in _ELAPSED_WORDS):
        return Kind.ELAPSED
    if name in _SPECIFIC_LAP_TIME or name in _GENERIC_LAP_TIME or name.replace(" ", "") in {
            "laptime", "laptimes", "laptimesec", "laptimems"}:
        return Kind.LAP_TIME
    if name in _LAP_NUMBER:
        return Kind.LAP_NUMBER
    if name in _POSITION:
        return Kind.POSITION
    if name in _DRIVER:
        return Kind.DRIVER
    if name in _OTHER or name.startswith(("best", "fastest", "speed", "sector", "avg")):
        return Kind.OTHER
    return Kind.UNKNOWN


def is_specific_lap_time(header: str) -> bool:
    """``Lap time`` rather than a bare ``Time``: wins when a table has both."""
    name = normalize(header)
    return name in _SPECIFIC_LAP_TIME or name.replace(" ", "") in {
        "laptime", "laptimes", "laptimesec", "laptimems"}


def is_marker(cell: str) -> bool:
    """Blank, ``DNF``, ``-``: a row with no lap, skipped and reported."""
    return _MARKER.fullmatch(cell.strip()) is not None


def has_decimal_comma(cell: str) -> bool:
    text = cell.strip()
    match = _LIVERC.fullmatch(text)
    return _DECIMAL_COMMA.fullmatch(match[2] if match else text) is not None


def is_liverc(cell: str) -> bool:
    return _LIVERC.fullmatch(cell.strip()) is not None


def is_whole(cell: str) -> bool:
    return _WHOLE.fullmatch(cell.strip()) is not None


def cell_seconds(cell: str, *, ms: bool = False, decimal_comma: bool = False) -> Decimal:
    """The lap time in one cell: ``40.517``, ``1:05.114``, ``0:00:40.517``, ``2/40.517``
    (LiveRC position/time), ``40,517`` when the caller saw only decimal commas, integer
    milliseconds when the header said ``ms``. Raises ``ValueError`` with the reason."""
    text = _TRAILING_MARK.sub("", cell.strip())
    if (match := _LIVERC.fullmatch(text)) is not None:
        text = match[2].strip()
    if decimal_comma:
        text = text.replace(",", ".")
    if ms and _WHOLE.fullmatch(text):
        value = (Decimal(text) / 1000).quantize(_MILLI)
        return parse_time(f"{value}")
    if (clock := _CLOCK.fullmatch(text)) is not None:
        hours, minutes = int(clock[1]), int(clock[2])
        if hours or minutes >= 60:
            raise ValueError("a lap time must be under 600 s (10 minutes)")
        return parse_time(f"{minutes}:{clock[3]}")
    return parse_time(text)
