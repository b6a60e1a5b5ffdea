"""apex.versions: what a save from an older page means (pure, no store)."""

from __future__ import annotations

from apex import versions
from apex.versions import Conflict


def test_a_save_from_the_stored_version_moves_it_on_only_when_it_changes_something() -> None:
    assert versions.saved_version(3, 3, changed=True) == 4
    assert versions.saved_version(3, 3, changed=False) == 3
    assert versions.saved_version(3, None, changed=True) == 4  # not a form: merges


def test_a_stale_save_is_refused_unless_it_is_what_is_stored_already() -> None:
    assert versions.saved_version(3, 2, changed=True) is None
    assert versions.saved_version(3, 2, changed=False) == 3


def test_changes_anything_looks_only_at_the_keys_given() -> None:
    assert not versions.changes_anything({"a": 1, "b": 2}, {"a": 1})
    assert versions.changes_anything({"a": 1, "b": 2}, {"b": 3})


def test_the_choice_starts_on_yours_only_where_you_changed_it() -> None:
    stored = {"a": "6000", "b": "450", "c": "x"}
    seen = {"a": "7000", "b": "450", "c": "x"}
    mine = {"a": "7000", "b": "500", "c": "x"}
    labels = {"a": "A", "b": "B"}
    assert versions.conflicts(stored, mine, seen, labels, "abc") == [
        Conflict("a", "A", "7000", "6000", keep_mine=False),
        Conflict("b", "B", "500", "450", keep_mine=True)]
    # Without what the page showed, every choice starts on the racer's.
    assert all(c.keep_mine for c in versions.conflicts(stored, mine, None, labels, "abc"))


def test_seen_round_trips_and_anything_else_reads_as_unknown() -> None:
    texts = {"DF": "7000", "SO_F": "", "note": 'a "quoted" <b>'}
    assert versions.read_seen(versions.seen_text(texts)) == {"DF": "7000",
                                                             "note": 'a "quoted" <b>'}
    for bad in (None, "", "{", "[1]", '{"a": 1}', "null"):
        assert versions.read_seen(bad) is None


def test_choice_sends_back_the_values_nobody_disagrees_on() -> None:
    got = versions.choice({"a": "1", "b": "2"}, {"a": "1", "b": "3"}, None, {}, "ab", 5)
    assert got["version"] == 5 and got["kept"] == {"a": "1"}
    assert [c.key for c in got["conflicts"]] == ["b"]
    assert versions.read_seen(got["seen"]) == {"a": "1", "b": "2"}
