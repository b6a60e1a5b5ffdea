"""Store contract, the Theory library: tuning documents, who may delete them, search.

Every test runs on the CSV store and on PostgreSQL.
"""

from __future__ import annotations

import pytest

from apex import theory
from apex.store import Store
from tests.conftest import new_user

FILLER = ("The car was set up on the bench with the usual tools and the racer wrote down "
          "every value before the first practice of the day. ")


def _add(store: Store, user_id: str, title: str, content: str, category: str = "general",
         **kwargs):
    return store.add_theory_document(user_id, title, category, f"{title}.md", content, **kwargs)


def test_add_get_and_list_newest_first(store: Store) -> None:
    alice = new_user(store)
    first = _add(store, alice.id, "Diff oils", "Thicker front diff oil pulls the car out.",
                 "diffs")
    second = _add(store, alice.id, "Shock oil", "Thicker shock oil stops bottoming.",
                  "suspension")
    assert (first.title, first.category, first.filename, first.uploaded_by, first.uploader) == (
        "Diff oils", "diffs", "Diff oils.md", alice.id, "alice")
    assert first.content == "Thicker front diff oil pulls the car out."
    assert store.get_theory_document(first.id) == first
    listed = store.list_theory_documents()
    assert [d.id for d in listed] == [second.id, first.id]
    assert all(d.content == "" for d in listed)
    assert [d.id for d in store.list_theory_documents(category="diffs")] == [first.id]
    assert [d.id for d in store.list_theory_documents(category="Suspension")] == [second.id]
    assert store.list_theory_documents(category="engine") == []


def test_every_racer_reads_the_library(store: Store) -> None:
    alice, bob = new_user(store), new_user(store, "bob")
    doc = _add(store, alice.id, "Toe", "Rear toe-in plants the rear.")
    assert store.get_theory_document(doc.id).title == "Toe"
    assert bob.id != alice.id and [d.id for d in store.list_theory_documents()] == [doc.id]


@pytest.mark.parametrize("document_id", ["nope", "00000000-0000-0000-0000-000000000000", ""])
def test_a_missing_document_is_none(store: Store, document_id: str) -> None:
    assert store.get_theory_document(document_id) is None
    assert store.delete_theory_document(new_user(store).id, document_id, is_admin=True) is False


def test_an_unknown_uploader_is_refused(store: Store) -> None:
    for user_id in ("nope", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(LookupError):
            _add(store, user_id, "Ghost", "Nobody uploaded this.")
    assert store.list_theory_documents() == []


def test_text_is_stored_without_nul(store: Store) -> None:
    doc = _add(store, new_user(store).id, "Nul\x00", "one\x00two\r\nthree")
    assert store.get_theory_document(doc.id).content == "onetwo\nthree"
    assert doc.title == "Nul"


def test_only_the_uploader_or_an_admin_deletes(store: Store) -> None:
    alice, bob = new_user(store), new_user(store, "bob")
    doc = _add(store, alice.id, "Springs", "Softer springs for bumps.")
    assert store.delete_theory_document(bob.id, doc.id) is False
    assert store.delete_theory_document(alice.racer_id, doc.id) is False  # a profile id is not
    assert store.get_theory_document(doc.id) is not None
    assert store.delete_theory_document(alice.id, doc.id) is True
    assert store.get_theory_document(doc.id) is None
    assert store.delete_theory_document(alice.id, doc.id) is False
    other = _add(store, alice.id, "Bars", "Thicker sway bars.")
    assert store.delete_theory_document(bob.id, other.id, is_admin=True) is True
    assert store.list_theory_documents() == []


def test_a_retried_upload_with_the_same_key_stores_once(store: Store) -> None:
    alice, bob = new_user(store), new_user(store, "bob")
    key = "1" * 32
    assert _add(store, alice.id, "Camber", "Negative camber.", request_key=key) is not None
    assert _add(store, alice.id, "Camber", "Negative camber.", request_key=key) is None
    assert len(store.list_theory_documents()) == 1
    assert _add(store, bob.id, "Camber 2", "Keys are each user's.", request_key=key) is not None


def test_search_ranks_title_and_frequency_first(store: Store) -> None:
    alice = new_user(store)
    once = _add(store, alice.id, "Tyres", FILLER + "Softer compound helps when the damping "
                "is right." + FILLER)
    often = _add(store, alice.id, "Damping basics", FILLER + "Damping controls speed; "
                 "more damping for big jumps." + FILLER)
    _add(store, alice.id, "Gearing", FILLER + "A bigger spur gear for tight tracks." + FILLER)
    found = store.search_theory("damping")
    assert [p.document_id for p in found] == [often.id, once.id]
    assert found[0].rank > found[1].rank > 0
    assert (found[0].title, found[0].category) == ("Damping basics", "general")


def test_search_matches_any_word_and_limits(store: Store) -> None:
    alice = new_user(store)
    diff = _add(store, alice.id, "Diff", "Front diff oil at 7000.", "diffs")
    shock = _add(store, alice.id, "Shock", "Shock oil at 450.", "suspension")
    _add(store, alice.id, "Engine", "Lean the needle.", "engine")
    found = {p.document_id for p in store.search_theory("push entry front diff bottoming")}
    assert found == {diff.id}
    assert {p.document_id for p in store.search_theory("diff shock")} == {diff.id, shock.id}
    assert len(store.search_theory("oil", limit=1)) == 1
    assert [p.document_id for p in store.search_theory("oil", category="suspension")] == [
        shock.id]
    assert store.search_theory("") == [] and store.search_theory("!!! ???") == []
    assert store.search_theory("carburettor") == []


def test_search_stems_plurals_and_finds_catalogue_keys(store: Store) -> None:
    alice = new_user(store)
    springs = _add(store, alice.id, "Rates", "Stiffer springs hold the car up on landings.")
    shock = _add(store, alice.id, "Damping", "Front shock oil is the first change.")
    assert [p.document_id for p in store.search_theory("spring")] == [springs.id]
    assert [p.document_id for p in store.search_theory("landing")] == [springs.id]
    assert [p.document_id for p in store.search_theory("SO_F")] == [shock.id]  # its label


def test_snippets_carry_the_hits_marked(store: Store) -> None:
    alice = new_user(store)
    _add(store, alice.id, "Bars", FILLER * 5 + "A thicker rear sway bar cures a mid-corner "
         "push. " + FILLER * 5)
    (passage,) = store.search_theory("sway push")
    hits = [text.lower() for text, hit in passage.pieces if hit]
    assert "sway" in hits and "push" in hits
    assert "thicker rear sway bar" in passage.snippet
    assert len(passage.snippet) < 400 and passage.hits[:2] in (["sway", "push"],
                                                                ["push", "sway"])


def test_a_deleted_document_is_not_found(store: Store) -> None:
    alice = new_user(store)
    doc = _add(store, alice.id, "Ride height", "Raise the ride height for bumps.")
    store.delete_theory_document(alice.id, doc.id)
    assert store.search_theory("ride height") == []


def test_text_with_too_many_distinct_words_is_refused(store: Store) -> None:
    words = " ".join(f"w{n}x" for n in range(theory.MAX_DISTINCT_WORDS + 1))
    alice = new_user(store)
    with pytest.raises(ValueError, match="too many different words"):
        _add(store, alice.id, "Noise", words, request_key="2" * 32)
    assert store.list_theory_documents() == []
    assert _add(store, alice.id, "Fine", "fine", request_key="2" * 32)  # the key is unused
