"""The demo race day tells one story a newcomer can follow (issue 18, item 12).

After each run the note says what the car did, the symptom logged is that one, and
the change made is the advice the advisor gives for it (its first candidate in
apex/advisor/rules.toml), accepted through the advisor, before the run that tests it.
"""

from __future__ import annotations

from apex import demo
from apex.advisor.rules import RULES
from apex.catalogue import PRESETS
from apex.note_tags import tag_keywords
from apex.store import Store
from apex.symptoms import BY_KEY as SYMPTOMS
from tests.conftest import NB48, new_user


def test_each_note_names_the_symptom_logged_with_it() -> None:
    for note, symptom, _ in demo._DAY:
        if symptom:
            label = SYMPTOMS[symptom].label
            assert set(tag_keywords(label)) <= set(tag_keywords(note)), (note, label)


def test_each_change_is_the_advisors_first_advice_for_the_symptom() -> None:
    setup = dict(PRESETS["Tekno NB48 2.2"])
    for _, symptom, advice in demo._DAY:
        if not advice:
            continue
        first = RULES.symptoms[symptom].candidates[0]  # a front/rear pair is one (§3.10)
        assert sorted(advice) == sorted(first.params), symptom
        for key in first.params:
            assert advice[key] == setup[key] + first.change, key
            setup[key] = advice[key]


def test_the_seeded_day_reads_run_by_run(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, {"brand": "Tekno", "model": "NB48 2.2"}, NB48)
    event_id = demo.seed_race_day(store, user.racer_id, car.id)
    runs = {r.id: r.name for r in store.list_runs(user.racer_id, event_id)}
    logs = [(runs[log.run_id], log.kind, log.note)
            for log in sorted(store.list_event_logs(user.racer_id, event_id),
                              key=lambda log: log.timestamp)]
    assert [(name, kind) for name, kind, _ in logs] == [
        ("Practice 1", "note"), ("Practice 1", "symptom"), ("Practice 2", "note"),
        ("Practice 2", "symptom"), ("Practice 3", "note")]
    assert [note for _, kind, note in logs if kind == "symptom"] == ["Bottoming", "Push entry"]
    changes = store.list_changes(user.racer_id, event_id)
    assert [(c.parameter, str(c.old_value), str(c.new_value), c.source, c.status)
            for c in changes] == [("SO_F", "450", "500", "advisor", "accepted"),
                                  ("SO_R", "400", "450", "advisor", "accepted"),
                                  ("DF", "7000", "6000", "advisor", "accepted")]
    assert changes[0].reason.startswith("Bottoming: Thicker shock oil")
    assert changes[2].reason.startswith("Push entry: A thinner front diff")
    # Each change sits between the run that showed the symptom and the one after it.
    order = list(runs)
    assert [(c.run_before, c.run_after) for c in changes] == [
        (order[0], order[1]), (order[0], order[1]), (order[1], order[2])]
