"""The race day on a phone: start an event from Shop Master, tune it, note, laps, drift;
and a note that survives the Wi-Fi dropping out while it is sent.

Each test runs on both store backends, with CSRF on. Screenshots for a human go to
/tmp/apex-shots/ (never committed).
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, Route, expect

from apex.catalogue import LABELS, PARAM_KEYS
from tests.browser.journeys import (
    NB48,
    add_car,
    garage_with_nb48,
    open_tab,
    phone_layout,
    shot,
    signup,
)

pytestmark = pytest.mark.browser

TEN_LAPS = """Lap\tTime\tPosition
1\t33.105\t3
2\t31.842\t3
3\t1:02.417\t4
4\t31.566\t4
5\t31.490\t3
6\t31.702\t3
7\t31.388\t2
8\t31.911\t2
9\t31.457\t2
10\t31.620\t2"""


def start_event(page: Page, base: str, name: str = "Winter Cup") -> str:
    """From anywhere: the Event tab, the start form (from Shop Master); returns the event URL."""
    open_tab(page, base, "Event", "/event/")
    page.get_by_role("link", name="Start an event").click()
    page.wait_for_url(f"{base}/event/new")
    page.fill("#f-name", name)
    page.fill("#f-track", "Mac's Track")
    page.select_option("#f-condition", "Bumpy")
    page.select_option("#f-traction", "High")
    page.fill("#f-temperature", "18")
    expect(page.locator("#baseline-choice input[value=shop]")).to_be_checked()
    page.get_by_role("button", name="Start event").click()
    page.wait_for_url(re.compile(rf"{base}/event/[0-9a-f-]{{36}}$"))
    expect(page.locator("main h1")).to_contain_text(name)
    return page.url


def open_race_support(page: Page, base: str) -> None:
    """A new racer with an NB48, an event started from its Shop Master, on Race Support."""
    garage_with_nb48(page, base)
    start_event(page, base)
    page.get_by_role("link", name="Race Support").click()
    page.wait_for_url(re.compile(rf"{base}/race/"))


def tune(page: Page, changes: dict[str, str]) -> None:
    """Change parameters of the event setup and save it (an HTMX swap)."""
    for key, value in changes.items():
        page.fill(f"#p-{key}", value)
    page.locator("#event-setup").get_by_role("button", name="Save event setup").click()
    expect(page.locator("#event-setup .notice")).to_contain_text(
        f"Saved: {len(changes)} change")


def racer_id_of(app: Flask, page: Page) -> str:
    username = page.locator(".top .who").inner_text().strip()
    return app.extensions["apex.store"].find_user(username).racer_id


def test_race_day_from_shop_master_to_drift(page: Page, live_server: str,
                                            live_app: Flask) -> None:
    base = live_server
    garage_with_nb48(page, base)
    event_url = start_event(page, base)
    phone_layout(page, page.get_by_role("button", name="Save event setup"))
    shot(page, "event-setup")

    tune(page, {"DF": "6000", "SO_F": "500"})
    changes = page.locator("#changes")
    page.reload()
    expect(changes).to_contain_text("7000 → 6000")
    expect(changes).to_contain_text("450 → 500")

    page.get_by_role("link", name="Race Support").click()
    page.wait_for_url(re.compile(rf"{base}/race/[0-9a-f-]{{36}}"))
    phone_layout(page)
    race_url = page.url
    assert race_url.endswith(event_url.rsplit("/", 1)[1])

    # A note, with its keywords tagged.
    page.fill("#f-note", "Loose on entry to the sweeper, bottoming on the double")
    page.get_by_role("button", name="Save note").click()
    notes = page.locator("#note-list")
    expect(notes).to_contain_text("Loose on entry to the sweeper")
    expect(page.locator("#f-note")).to_have_value("")

    # A run, and ten laps pasted from the timing site's lap table.
    page.locator("#runs").get_by_role("button", name="Start").click()
    expect(page.locator("#runs .run-head")).to_contain_text("Practice 1")
    page.fill("#f-laps", TEN_LAPS)
    page.get_by_role("button", name="Add laps").click()
    # A table is interpreted: what was read is shown before it is saved.
    expect(page.locator("#runs .lap-preview")).to_contain_text("10 laps · best 31.388")
    page.get_by_role("button", name="Save 10 laps").click()
    expect(page.locator("#runs ol.laps li")).to_have_count(10)
    expect(page.locator("#runs ol.laps li.best")).to_contain_text("31.388")
    expect(page.locator("#runs ol.laps li").nth(2)).to_contain_text("1:02.417")

    # The drift view: every parameter changed since the Shop Master, with its delta.
    drift = page.locator("#setup-drift")
    expect(drift).to_contain_text("\u22121000 cSt")
    expect(drift).to_contain_text("+50 cSt")
    phone_layout(page, page.locator("#symptoms button.sym"), page.locator("#runs ol.laps button"))
    shot(page, "race-support")

    store = live_app.extensions["apex.store"]
    racer_id = racer_id_of(live_app, page)
    (event,) = store.list_events(racer_id)
    (run,) = store.list_runs(racer_id, event.id)
    assert [str(s) for s in run.seconds][:3] == ["33.105", "31.842", "62.417"]
    assert len(run.laps) == 10
    (note,) = store.list_event_logs(racer_id, event.id)
    assert (note.track, note.run_id) == ("Mac's Track", None)
    assert note.keywords.split() == ["bottoming", "loose", "entry"]
    assert [c.parameter for c in store.list_changes(racer_id, event.id)] == ["DF", "SO_F"]


def test_a_note_sent_while_offline_is_kept_retried_and_stored_once(
        page: Page, live_server: str, live_app: Flask) -> None:
    base = live_server
    open_race_support(page, base)
    text = "Pushes mid corner, rear steps out on exit"

    # Typed, then the page reloads (another tab, a crash): the draft is still there.
    page.locator("#f-note").press_sequentially(text[:20])
    page.reload()
    expect(page.locator("#f-note")).to_have_value(text[:20])
    page.fill("#f-note", text)

    # The Wi-Fi drops while the note is sent: nothing is lost, the banner offers a retry.
    page.context.set_offline(True)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#banner")).to_be_visible()
    expect(page.locator("#banner-text")).to_contain_text("no connection")
    expect(page.locator("#f-note")).to_have_value(text)
    key = page.locator("#f-note").get_attribute("data-draft")
    assert page.evaluate("k => localStorage.getItem(k)", key) == text

    # Back online, Retry sends the same form (same one-time key): exactly one note.
    page.context.set_offline(False)
    page.locator("#banner-retry").click()
    expect(page.locator("#note-list")).to_contain_text(text)
    expect(page.locator("#banner")).to_be_hidden()
    store = live_app.extensions["apex.store"]
    racer_id = racer_id_of(live_app, page)
    (event,) = store.list_events(racer_id)
    assert [log.note for log in store.list_event_logs(racer_id, event.id)] == [text]
    # The server confirmed it: the kept draft goes (app.js, once the answer is swapped in).
    page.wait_for_function("k => localStorage.getItem(k) === null", arg=key)
    page.reload()
    expect(page.locator("#f-note")).to_have_value("")


def test_a_note_whose_answer_is_lost_is_not_stored_twice_on_retry(
        page: Page, live_server: str, live_app: Flask) -> None:
    """The server stores the note but the answer never reaches the phone; Retry resends
    the same one-time key, and the server answers with the note it already has."""
    base = live_server
    open_race_support(page, base)
    text = "Traction rolls in the carousel"

    def lose_answer(route: Route) -> None:
        route.fetch()  # the server gets it and stores the note
        route.abort("connectionreset")  # the phone never hears back

    page.route(re.compile(r"/race/[^/]+/notes$"), lose_answer)
    page.fill("#f-note", text)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#banner-text")).to_contain_text("no connection")
    expect(page.locator("#f-note")).to_have_value(text)
    page.unroute(re.compile(r"/race/[^/]+/notes$"))
    page.locator("#banner-retry").click()
    expect(page.locator("#note-list")).to_contain_text(text)

    store = live_app.extensions["apex.store"]
    racer_id = racer_id_of(live_app, page)
    (event,) = store.list_events(racer_id)
    assert [log.note for log in store.list_event_logs(racer_id, event.id)] == [text]


def test_race_day_without_javascript(page_nojs: Page, live_server: str,
                                     live_app: Flask) -> None:
    """Every race-day control is a plain form: start, tune, note, run, laps."""
    page, base = page_nojs, live_server
    signup(page, base)
    add_car(page, "Tekno", "NB48 2.2", preset=NB48)
    page.wait_for_url(f"{base}/garage/#cars")
    start_event(page, base)
    page.fill("#p-DF", "6000")
    page.get_by_role("button", name="Save event setup").click()
    expect(page.locator(".flash")).to_contain_text("Saved: 1 change recorded.")
    expect(page.locator("#changes")).to_contain_text("7000 → 6000")

    page.get_by_role("link", name="Race Support").click()
    page.wait_for_url(re.compile(rf"{base}/race/"))
    page.fill("#f-note", "Lazy in the chicane")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#note-list")).to_contain_text("Lazy in the chicane")
    page.locator("#runs").get_by_role("button", name="Start").click()
    expect(page.locator("#runs .run-head")).to_contain_text("Practice 1")
    page.fill("#f-laps", "31.842, 32.105 1:02.417")
    page.get_by_role("button", name="Add laps").click()
    expect(page.locator("#runs ol.laps li")).to_have_count(3)
    expect(page.locator("#setup-drift")).to_contain_text("\u22121000 cSt")
    # The microphone needs JavaScript: without it the button is not offered.
    expect(page.locator("[data-dictate]")).to_be_hidden()


@pytest.mark.parametrize("listens", [True, False])
def test_the_microphone_is_offered_only_where_the_browser_can_listen(
        page: Page, live_server: str, listens: bool) -> None:
    if listens:  # a stand-in recogniser that "hears" one phrase
        page.add_init_script("""window.SpeechRecognition = function () {
            var self = this;
            self.start = function () { setTimeout(function () { self.onresult({resultIndex: 0,
                results: [Object.assign([{transcript: "pushes on entry"}], {isFinal: true})]});
                self.onend(); }, 10); };
            self.stop = function () {}; };
            window.webkitSpeechRecognition = window.SpeechRecognition;""")
    else:
        page.add_init_script("delete window.SpeechRecognition;"
                             " delete window.webkitSpeechRecognition;")
    garage_with_nb48(page, live_server)
    start_event(page, live_server)
    page.get_by_role("link", name="Race Support").click()
    mic = page.locator("[data-dictate]")
    if not listens:
        expect(mic).to_be_hidden()
        return
    expect(mic).to_be_visible()
    page.fill("#f-note", "Rear is loose,")
    mic.click()
    expect(page.locator("#f-note")).to_have_value("Rear is loose, pushes on entry")


# Raw parameter codes a racer must never read in Analysis: the catalogue keys that are
# not a word of their own label ("Spur" is the first word of "Spur gear").
RAW_CODES = re.compile(r"\b(" + "|".join(
    k for k in PARAM_KEYS if k.casefold() not in LABELS[k].casefold().split()) + r")\b")


def no_raw_codes(page: Page) -> None:
    text = page.locator("main").inner_text()
    assert not RAW_CODES.search(text), RAW_CODES.search(text)


def test_five_runs_with_a_trend_one_change_the_audit_and_the_history(
        page: Page, live_server: str, live_app: Flask) -> None:
    """TUNING §5 on a phone: the track gains ~0.1 s a run, DF thinner after run 3 gains
    0.3 s more. The verdict takes the drift off; the audit (2/5) is shown beside it."""
    base = live_server
    open_race_support(page, base)

    def run_with(median: float) -> None:
        laps = " ".join(f"{median + d:.1f}" for d in (-0.1, 0, 0.1, 0, -0.1, 0.1, 0))
        page.locator("#runs").get_by_role("button", name="Start").click()
        expect(page.locator("#runs .notice")).to_contain_text("Started")
        page.fill("#f-laps", laps)
        page.get_by_role("button", name="Add laps").click()
        expect(page.locator("#runs .notice")).to_contain_text("Added")

    for median in (31.2, 31.1, 31.0):
        run_with(median)
    page.locator("#setup-drift").get_by_role("link", name="Edit event setup").click()
    tune(page, {"DF": "6000"})
    page.get_by_role("link", name="Race Support").click()
    for median in (30.6, 30.5):
        run_with(median)

    open_tab(page, base, "Analysis", "/analysis/")
    page.get_by_role("link", name=re.compile("analyse and close")).click()
    page.wait_for_url(re.compile(rf"{base}/analysis/[0-9a-f-]{{36}}$"))
    impact = page.locator("#impact")
    # Unchanged pairs -0.321, -0.322, -0.327 %: d = -0.32 %/run. Raw 31.0 -> 30.6 is
    # -1.29 %; less the drift -0.97 % = 0.30 s/lap.
    expect(impact).to_contain_text("Success: 0.30 s/lap faster (± ")
    expect(impact).to_contain_text("track drift \u22120.32 %/run accounted for")
    expect(impact.locator("li strong")).to_have_text("Front diff oil 7000 → 6000 cSt")
    charts = page.locator("figure.chart svg[role=img]")
    expect(charts).to_have_count(7)  # 5 lap charts, run by run, the timeline
    assert charts.first.bounding_box()["width"] <= 390
    timeline = page.locator("figure.chart svg .chart-change-labels text")
    expect(timeline).to_have_text(["F diff oil thinner"])
    no_raw_codes(page)

    # The audit, step by step: a 2 asks what went wrong (the gains are not offered).
    audit = page.locator("#audit-form")
    audit.locator("label.pick", has_text="2").click()
    expect(audit.locator(".if-good")).to_be_hidden()
    audit.get_by_label("Rear loose").check()
    page.fill("#f-observation", "Loose on every exit")
    page.fill("#f-best_lap", "30.412")
    phone_layout(page, audit.locator("label.pick span"), page.get_by_role("button",
                                                                        name="Close the event"))
    shot(page, "analysis-audit")
    page.get_by_role("button", name="Close the event").click()
    expect(page.locator(".flash")).to_contain_text("rated 2/5")
    # The laps' verdict stands; the racer's opinion sits beside it (TUNING §5 "Audit").
    expect(impact).to_contain_text("Success: 0.30 s/lap faster")
    expect(impact.locator(".opinion")).to_have_text("laps: faster · you: felt worse")
    expect(page.locator("#audit")).to_contain_text("Rear loose")
    impact.scroll_into_view_if_needed()
    shot(page, "analysis-verdict")
    no_raw_codes(page)
    analysis_url = page.url
    page.get_by_role("link", name="Race report").click()
    expect(page.locator("textarea")).to_contain_text("laps: faster · you: felt worse")
    no_raw_codes(page)
    page.goto(analysis_url)

    # History: what worked at this track and condition, in words (a full page load, so
    # htmx is listening before the select changes).
    page.goto(f"{base}/analysis/", wait_until="load")
    page.select_option("#f-track", "Mac's Track")
    expect(page.locator("#worked-here")).to_be_visible()
    page.select_option("#f-condition", "Bumpy")
    worked = page.locator("#worked-here li")
    expect(worked).to_have_text(
        ["Front diff oil thinner: 1 try, 1 faster, \u22120.97 % on average"])
    expect(page.locator(".event-item .ok")).to_have_text(["✓ F diff oil thinner"])
    no_raw_codes(page)
    shot(page, "analysis-history")
    store = live_app.extensions["apex.store"]
    racer_id = racer_id_of(live_app, page)
    (event,) = store.list_events(racer_id)
    assert event.status == "closed"


def test_the_advisor_on_push_on_entry(page: Page, live_server: str, live_app: Flask) -> None:
    """Report "push on entry", accept the first proposal, see the setup and changes follow."""
    base = live_server
    garage_with_nb48(page, base)
    start_event(page, base)
    open_tab(page, base, "Advisor", re.compile(r"/advisor/[0-9a-f-]{36}$"))
    page.locator("#ask-form").get_by_role("button", name="Push entry").click()
    first = page.locator("#proposals li.proposal").first
    expect(first).to_contain_text("Front diff oil 7000 → 6000")
    expect(first).to_contain_text("Push entry")
    phone_layout(page, first.get_by_role("button", name="Accept"),
                 page.locator("#ask-form button.sym"))
    shot(page, "advisor")
    first.get_by_role("button", name="Accept").click()
    expect(page.locator("#advice .notice")).to_contain_text("Applied: Front diff oil 7000 → 6000")

    open_tab(page, base, "Event", "/event/")
    page.locator("a.event-link").first.click()
    expect(page.locator("#p-DF")).to_have_value("6000")
    expect(page.locator("#changes")).to_contain_text("7000 → 6000")
    expect(page.locator("#changes")).to_contain_text("advisor")
