"""What a save made from an older page means, decided once for every versioned record.

Every record a racer edits in a form (the event setup, the Shop Master, the profile,
the car, their own library baselines) carries a ``version`` that grows by one with
each save that changes it. A form carries the version it was loaded at; the store
locks the row, asks ``saved_version`` and writes (compare-and-set): a save from an
older version that would change something is refused (``StaleEditError``) and the
racer gets the choice ``conflicts`` lists, never a silent overwrite of the other
phone's save. A save from an older page whose values are what is stored already is
no conflict: it is the same save again (a lost answer, a double tap).

Pure functions: no Flask, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apex.store import StaleEditError


def changes_anything(stored: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether writing ``after`` over ``stored`` changes a value (keys ``after`` leaves
    out keep theirs)."""
    return any(stored.get(k) != v for k, v in after.items())


def saved_version(version: int, expected: int | None, changed: bool) -> int | None:
    """The version a save leaves on a record stored at ``version``: the same when it
    changes nothing, one more when it does. ``expected`` is the version the racer's page
    was loaded at (None: a write that is not a form, e.g. a push from an event, which
    merges into what is stored). None: refused, a stale save that would change
    something, so it would undo what was saved since unseen."""
    if not changed:
        return version
    if expected is not None and expected != version:
        return None
    return version + 1


def next_version(current: Any, stored: Mapping[str, Any], after: Mapping[str, Any],
                 expected: int | None) -> int:
    """The version to write with ``after`` over ``stored`` (the values of ``current``, the
    record as the store read it under its lock); StaleEditError(current) when refused."""
    version = saved_version(current.version, expected, changes_anything(stored, after))
    if version is None:
        raise StaleEditError(current)
    return version


# The records whose version only guards edits. An event setup's version is different:
# runs and changes name it (runs.setup_version), so an import keeps it as it is.
EDIT_VERSIONED = ("racer_profiles", "vehicles", "car_configs", "master_library")


def imported_version(stored: Mapping[str, Any], merged: Mapping[str, Any]) -> int:
    """The version an import leaves on a stored row it writes ``merged`` over: the
    stored one when only the version differs, one past it when a value changes (an
    older backup's version must not let a page open at the stored version save over
    the imported values unseen)."""
    version = int(stored.get("version") or 1)
    changed = any(merged.get(k) != v for k, v in stored.items() if k != "version")
    return version + 1 if changed else version


# -- the "yours vs stored" choice ----------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """One value the racer's save and the stored record disagree on (texts as a form
    shows them, "" for empty); ``keep_mine``: the choice starts on the racer's."""

    key: str
    label: str
    mine: str
    stored: str
    keep_mine: bool


def conflicts(stored: Mapping[str, str], mine: Mapping[str, str],
              seen: Mapping[str, str] | None, labels: Mapping[str, str],
              keys: Iterable[str]) -> list[Conflict]:
    """Every key (in ``keys``' order) where the racer's save differs from what is stored
    now. The choice starts on the racer's value where they changed it from what their
    page showed (``seen``), else on the stored one (the other phone changed it); without
    ``seen`` (an old page) every choice starts on the racer's."""
    found = []
    for key in keys:
        theirs, own = stored.get(key, "") or "", mine.get(key, "") or ""
        if theirs == own:
            continue
        touched = seen is None or (seen.get(key, "") or "") != own
        found.append(Conflict(key, labels.get(key, key), own, theirs, touched))
    return found


def seen_text(values: Mapping[str, str]) -> str:
    """What a form's hidden ``seen`` field carries: the values it was loaded with
    (empty ones left out, to keep a phone's page small)."""
    return json.dumps({k: v for k, v in values.items() if v}, separators=(",", ":"),
                      sort_keys=True)


def read_seen(text: str | None) -> dict[str, str] | None:
    """The ``seen`` field back (None when missing or not what ``seen_text`` writes)."""
    try:
        data = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return None
    return data


def choice(stored: Mapping[str, str], mine: Mapping[str, str], seen: Mapping[str, str] | None,
           labels: Mapping[str, str], keys: Iterable[str], version: int) -> dict[str, Any]:
    """What the conflict form (templates/_macros/conflict.html) needs after a stale save:
    the ``conflicts`` (texts of what is stored now, of what the racer sent, and the
    ``seen`` field their page carried), the stored ``version`` the choice will be saved
    over, the values nobody disagrees on (``kept``, sent back as they are) and the new
    ``seen`` (the stored values: what the racer has now seen)."""
    keys = list(keys)
    found = conflicts(stored, mine, seen, labels, keys)
    chosen = {c.key for c in found}
    return {"conflicts": found, "version": version, "seen": seen_text(stored),
            "kept": {k: stored.get(k, "") or "" for k in keys if k not in chosen}}
