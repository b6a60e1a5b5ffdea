"""apex.car_rules: what archiving and deleting a car, and deleting an account, decide."""

from __future__ import annotations

from apex.car_rules import (
    OPEN_EVENT,
    anonymised,
    archive_refusal,
    car_notes,
    confirm_name,
    name_matches,
)
from apex.models import Car

BLUE = {"id": "c1", "brand": "Tekno", "model": "NB48 2.2", "nickname": "Blue"}
RED = {"id": "c2", "brand": "Tekno", "model": "NB48 2.2", "nickname": "Red"}
NT = {"id": "c3", "brand": "Tekno", "model": "NT48", "nickname": ""}


def test_an_open_event_refuses_the_archive():
    assert archive_refusal(["closed", "active"]) == OPEN_EVENT
    assert archive_refusal(["closed"]) is None and archive_refusal([]) is None


def test_the_confirm_name_is_the_nickname_else_brand_and_model_any_case():
    blue, plain = Car("c1", "r", "Tekno", "NB48 2.2", "Blue"), Car("c3", "r", "Tekno", "NT48")
    assert confirm_name(blue) == "Blue" and confirm_name(plain) == "Tekno NT48"
    assert name_matches(blue, " bLuE ") and name_matches(plain, "tekno   nt48")
    assert not name_matches(blue, "Tekno NB48 2.2") and not name_matches(plain, "NT48")


def test_a_cars_notes_are_its_events_and_those_naming_it():
    notes = [
        {"id": "n1", "car": "", "event_id": "e1"},                       # at its event
        {"id": "n2", "car": "Tekno NB48 2.2 “Blue”", "event_id": None},  # names it
        {"id": "n3", "car": "Tekno NB48 2.2 “Red”", "event_id": None},   # another car
        {"id": "n4", "car": "Tekno NB48 2.2", "event_id": None},         # old label: shared
        {"id": "n5", "car": "Tekno NB48 2.2 “Blue”", "event_id": "e9"},  # another car's event
        {"id": "n6", "car": "", "event_id": None},                       # no car's
    ]
    assert car_notes(BLUE, [BLUE, RED, NT], notes, {"e1"}) == ["n1", "n2"]
    # the old app's label is the car's own when no other car has that brand and model
    assert car_notes(BLUE, [BLUE, NT], notes, {"e1"}) == ["n1", "n2", "n4"]
    assert car_notes(NT, [BLUE, RED, NT], [{"id": "n7", "car": "tekno nt48",
                                            "event_id": None}], set()) == ["n7"]


def test_a_shared_baseline_stays_uncredited_and_loses_only_the_racers_own_name():
    mine = {"id": 1, "submitted_by": "r1", "driver_name": " Alice ", "track": "Ridge"}
    assert anonymised(mine, ("alice", "Alice Smith")) == {
        "id": 1, "submitted_by": None, "driver_name": "", "track": "Ridge"}
    pro = {**mine, "driver_name": "R. Maifield"}
    assert anonymised(pro, ("alice", ""))["driver_name"] == "R. Maifield"
