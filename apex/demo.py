"""Demo data for a new install: a racer with an NB48 and an NT48, and a library to browse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apex.catalogue import BY_KEY, PRESETS, Value, coerce
from apex.passwords import hash_password
from apex.store import Store
from apex.theory import note_rows
from apex.transfer import Report, Row

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-racer-2026"

_CARS = (
    ({"brand": "Tekno", "model": "NB48 2.2", "nickname": "Race buggy",
      "transponder": "8421337", "class_name": "1/8 Nitro Buggy"}, "Tekno NB48 2.2"),
    ({"brand": "Tekno", "model": "NT48 2.2", "nickname": "",
      "transponder": "8421338", "class_name": "1/8 Nitro Truggy"}, "Tekno NT48 2.2"),
)

# Variations on the two starting setups, after TUNING.md §4: bumpy tracks run thinner
# diffs and oil, softer springs, thinner bars and more ride height; high-grip tracks
# the opposite.
_BUMPY: dict[str, Value] = {"DF": 6000, "DC": 7000, "DR": 4000, "SO_F": 400, "SO_R": 350,
                            "SB_F": "2.1", "SB_R": "2.3", "RH_F": "28.5", "RH_R": "29.5"}
_GRIPPY: dict[str, Value] = {"DF": 10000, "DC": 15000, "DR": 7000, "SO_F": 500, "SO_R": 450,
                             "SB_F": "2.6", "SB_R": "2.8", "RH_F": "26.0", "RH_R": "27.0"}
_WET: dict[str, Value] = {"DF": 5000, "DC": 7000, "DR": 3000, "Compound": "Super Soft",
                          "Tread": "Chisel"}

# (track, brand, vehicle, condition, date, source, driver, base preset, changes)
_LIBRARY: tuple[tuple, ...] = (
    ("Thunder Alley", "Tekno", "NB48 2.2", "High Traction, Smooth", "2025-11-02",
     "Factory Base", "", "Tekno NB48 2.2", _GRIPPY),
    ("Thunder Alley", "Tekno", "NT48 2.2", "High Traction, Smooth", "2025-11-02",
     "Factory Base", "", "Tekno NT48 2.2", _GRIPPY),
    ("Thunder Alley", "Associated", "RC8B4", "Medium Traction, Bumpy", "2025-11-16",
     "Pro Sheet", "Ryan Maifield", "Tekno NB48 2.2", _BUMPY),
    ("Mac's Track", "Tekno", "NB48 2.2", "Bumpy, Dusty", "2025-10-18",
     "User Upload", "Demo Racer", "Tekno NB48 2.2", _BUMPY),
    ("Mac's Track", "Associated", "RC8B4", "Bumpy, Dusty", "2025-10-18",
     "Friend/Teammate", "Sam Ortiz", "Tekno NB48 2.2", {**_BUMPY, "SB_F": "0.0"}),
    ("Mac's Track", "Mugen", "MBX8R", "Rutted, Dry", "2025-09-21",
     "Online Forum", "", "Tekno NB48 2.2", {**_BUMPY, "ST_R": "124.0"}),
    ("Silver Dollar", "Mugen", "MBX8R", "Medium Traction", "2025-08-30",
     "Other", "", "Tekno NT48 2.2", {}),
    ("Silver Dollar", "Tekno", "NT48 2.2", "High Traction, Dry", "2025-08-31",
     "Pro Sheet", "Jared Tebo", "Tekno NT48 2.2", _GRIPPY),
    ("Circuit du Lac — Montréal", "Xray", "XB8", "Wet, Muddy", "2025-09-07",
     "Online Forum", "Élodie \"Lo\" Martin", "Tekno NB48 2.2", _WET),
    ("Circuit du Lac — Montréal", "Tekno", "NB48 2.2", "Wet, Muddy", "2025-09-07",
     "Friend/Teammate", "Élodie \"Lo\" Martin", "Tekno NB48 2.2", _WET),
    ("Pit Lane Raceway", "Kyosho", "MP10", "Low Traction, Smooth", "2025-07-12",
     "Factory Base", "", "Tekno NB48 2.2", {"Compound": "Soft", "SO_F": 425}),
    ("Pit Lane Raceway", "Tekno", "EB48 2.2", "Medium Traction, Smooth", "2025-07-13",
     "User Upload", "Demo Racer", "Tekno NB48 2.2",
     {"Venturi": None, "Pipe": None, "Clutch": None, "Bell": None, "Spur": 46}),
)


def library_rows(submitted_by: str | None) -> list[Row]:
    """A dozen community baselines on several tracks and conditions."""
    rows: list[Row] = []
    for track, brand, vehicle, condition, day, source, driver, preset, changes in _LIBRARY:
        values = {**PRESETS[preset], **{k: coerce(BY_KEY[k], v) for k, v in changes.items()}}
        rows.append({"id": None, "track": track, "brand": brand, "vehicle": vehicle,
                     "condition": condition, "date": date.fromisoformat(day), "source": source,
                     "driver_name": driver, "submitted_by": submitted_by, "notes": "",
                     **values})
    return rows


def seed_demo(store: Store) -> tuple[bool, Report]:
    """Create the demo racer (unless there), the library and the Theory library's notes;
    running it again adds nothing."""
    user = store.find_user(DEMO_USERNAME)
    created = user is None
    if user is None:
        password_hash = hash_password(DEMO_PASSWORD)
        user = store.create_user(DEMO_USERNAME, "demo@apex.example", password_hash)
        store.update_profile(user.racer_id, {
            "name": "Demo Racer", "email": "demo@apex.example", "facebook": "",
            "instagram": "@apex_demo", "transponder": "8421337",
            "experience_level": "Intermediate", "driving_style": "Smooth, late apex, brakes early",
        })
        store.add_sponsor(user.racer_id, "JConcepts", "Tyres")
        store.add_sponsor(user.racer_id, "REDS Racing", "Engines")
        cars = [store.add_car(user.racer_id, fields, PRESETS[preset])
                for fields, preset in _CARS]
        if cars[0] is None:  # None answers only a repeated request key, and none is given
            raise RuntimeError("the store added no demo car")
        seed_race_day(store, user.racer_id, cars[0].id)
    # The Theory library's notes come in the same import: fixed ids, so once only.
    return created, store.import_rows({"master_library": library_rows(user.racer_id),
                                       "theory_documents": note_rows(None)})


def demo_laps(run: int, count: int) -> list[Decimal]:
    """A run's lap times, made up but shaped like real ones: a slower first lap, a
    crash lap, and a pace that gets better run by run (no randomness: benches repeat)."""
    base = Decimal("32.400") - Decimal("0.350") * run
    wobble = (Decimal("0.000"), Decimal("0.420"), Decimal("0.180"), Decimal("0.610"),
              Decimal("0.250"), Decimal("0.090"), Decimal("0.370"))
    laps = [base + wobble[(i * 3 + run) % len(wobble)] for i in range(count)]
    laps[0] += Decimal("1.2")
    if count > 6:
        laps[count // 2] += Decimal("19.5")  # a crash lap
    return laps


# The demo race day at Mac's Track (bumpy, dusty), run by run, as a newcomer should read
# it: what the racer noted after the run, the symptom they logged and asked the advisor
# about, and the advice they took (the advisor's first candidate for that symptom in
# apex/advisor/rules.toml, with its reason; tests/test_demo.py holds them together).
# The lap times get better run by run (``demo_laps``).
_DAY: tuple[tuple[str, str, dict[str, Value]], ...] = (
    ("Bottoming hard on the big double landing: the chassis slaps. Turn-in is fine.",
     "bottoming", {"SO_F": 500, "SO_R": 450}),
    ("Lands flat off the big double now. Pushes on entry into the sweeper: won't turn in.",
     "push_entry", {"DF": 6000}),
    ("Turns in and lands flat: best run so far, the car is easy to drive.", "", {}),
)
_LATER: tuple[str, str, dict[str, Value]] = ("Same again: consistent, nothing to change.", "", {})


def _advice_taken(store: Store, racer_id: str, event_id: str, symptom: str,
                  values: dict[str, Value]) -> None:
    """Propose ``values`` as the advisor does for ``symptom`` (its reason), and accept."""
    from apex.advisor.rules import RULES
    from apex.symptoms import BY_KEY as SYMPTOMS

    why = {key: c.why for c in RULES.symptoms[symptom].candidates for key in c.params}
    # One proposal (a front/rear pair is one, TUNING §3.10): accepted as one change.
    ask = f"demo:{event_id}:{symptom}"
    pair = f"{ask}:{next(iter(values))}" if len(values) > 1 else ""
    proposals = [store.propose_change(racer_id, event_id, param, value,
                                      f"{SYMPTOMS[symptom].label}: {why[param]}",
                                      ask_id=ask, pair_id=pair)
                 for param, value in values.items()]
    taken = [p for p in proposals if p is not None]
    if len(taken) != len(values) or store.accept_proposal(racer_id, taken[0].id) is None:
        raise RuntimeError(f"the store took no demo advice for {', '.join(values)}")


def seed_race_day(store: Store, racer_id: str, car_id: str, *, runs: int = 3,
                  laps_per_run: int = 12) -> str:
    """An active event with ``runs`` runs of laps (practice at Mac's Track): after each
    run a note, and when something was wrong the symptom logged and the advisor's change
    accepted (``_DAY``): what a racer's phone holds by mid-afternoon. Returns the event id."""
    from apex.note_tags import tag_keywords
    from apex.symptoms import BY_KEY as SYMPTOMS

    car = store.get_car_config(racer_id, car_id)
    event = store.start_event(racer_id, {
        "car_id": car_id, "name": "Club Practice", "type": "Practice",
        "start_date": date.today(), "track": "Mac's Track", "track_size": "Large",
        "traction": "Medium", "surface": "Dusty", "condition": "Bumpy", "temperature": 24,
        "practice_rounds": 4, "qualifying_rounds": 3, "baseline": "the Shop Master",
    }, car.values if car else {})
    if event is None:  # None answers only a repeated request key, and none is given
        raise RuntimeError("the store started no demo event")
    for n in range(runs):
        run = store.add_run(racer_id, event.id, f"Practice {n + 1}")
        if run is None:  # as above: no request key
            raise RuntimeError("the store added no demo run")
        store.add_laps(racer_id, run.id, demo_laps(n, laps_per_run))
        store.set_run_confidence(racer_id, run.id, 3 + min(n, 2))
        note, symptom, advice = _DAY[n] if n < len(_DAY) else _LATER
        store.add_event_log(racer_id, event.id, "note", note, run_id=run.id,
                            keywords=" ".join(tag_keywords(note)))
        if symptom:
            label = SYMPTOMS[symptom].label
            store.add_event_log(racer_id, event.id, "symptom", label, run_id=run.id,
                                keywords=" ".join(tag_keywords(label)))
        if advice and n + 1 < runs:  # the change waits for the next run to test it
            _advice_taken(store, racer_id, event.id, symptom, advice)
    return event.id
