"""Handling keywords tagged in run notes and counted across runs."""

from __future__ import annotations

import pytest

from apex.note_tags import KEYWORDS, STEMS, count_keywords, tag_keywords


def test_every_keyword_has_stems():
    assert tuple(STEMS) == KEYWORDS
    assert all(STEMS[k] and all(s == s.lower() for s in STEMS[k]) for k in KEYWORDS)


def test_the_domain_example_in_keyword_order():
    note = "Bottomed out on the big double, loose on entry"
    assert tag_keywords(note) == ["bottoming", "loose", "entry"]


def test_order_is_keyword_order_not_note_order_and_each_once():
    note = "Exit was loose, loose again on exit; bottoming twice"
    assert tag_keywords(note) == ["bottoming", "loose", "exit"]


@pytest.mark.parametrize(("note", "expected"), [
    ("Front washes out mid-corner", ["wash"]),
    ("LANDING nose-heavy", ["land"]),
    ("landed flat off the triple", ["land"]),
    ("Unstable under braking", ["stability"]),
    ("much more stable now", ["stability"]),
    ("rotates well, good traction", ["traction", "rotation"]),
    ("inconsistent lap times", ["consistency"]),
    ("corner entries are twitchy", ["entry"]),
    ("jumping long; exiting wide", ["exit", "jump"]),
    ("(bottoming!!!)...", ["bottoming"]),
    ("wash/loose", ["wash", "loose"]),
    ("Stabilité parfaite", ["stability"]),  # accents folded
    ("2nd-gear entry", ["entry"]),
])
def test_word_forms_case_and_punctuation(note: str, expected: list[str]):
    assert tag_keywords(note) == expected


@pytest.mark.parametrize("note", [
    "", "Great run, no issues", "island", "unwashed", "reentry",
])
def test_no_keywords(note: str):
    # A stem must start a word: "island" holds no word "land", "unwashed" no word "wash".
    assert tag_keywords(note) == []


def test_hyphens_split_words():
    assert tag_keywords("re-entry, sub-exit") == ["entry", "exit"]


def test_count_keywords_counts_notes_not_mentions():
    notes = [
        "Loose on entry, loose on exit",  # loose, entry, exit
        "still loose",  # loose
        "bottomed on the jump landing",  # bottoming, jump, land
        "",
        "Nothing to note",
    ]
    counts = count_keywords(notes)
    assert counts == {"bottoming": 1, "loose": 2, "entry": 1, "exit": 1, "jump": 1, "land": 1}
    assert list(counts) == ["bottoming", "loose", "entry", "exit", "jump", "land"]


def test_count_keywords_of_nothing_is_empty():
    assert count_keywords([]) == {}
    assert count_keywords(iter(["fine", "smooth"])) == {}
