"""A tap flags or unflags a lap by hand on the run's lap list (issue 13, TUNING.md §5
"Flags"), on both stores: HTMX and plain forms, bad input, another racer's lap, CSRF;
short and incident laps struck through and never BEST."""

from __future__ import annotations

import re

import pytest

from tests.conftest import hx, racer, running_app, store_of
from tests.race_helpers import add_run, start_event
from tests.test_csrf import signed_up_client

# R = median 31.2: lap 3 (12.0, a double hit) is short (under 23.4), lap 5 (45.5, a
# tumble) an incident (over 31.2 + 2.184); lap 6 (30.9) the best clean lap.
LAPS = ("31.100", "31.300", "12.000", "31.200", "45.500", "30.900", "31.250")


@pytest.fixture
def event(app, alice):
    return start_event(app)


def _flags(app, run, username="alice"):
    return [lap.flag for lap in store_of(app).get_run(racer(app, username), run.id).laps]


def _row(html: str, n: int) -> str:
    match = re.search(rf'<li[^>]*>\s*<span class="n">{n}</span>.*?</li>', html, re.S)
    assert match, n
    return match.group(0)


def test_the_lap_list_strikes_short_and_incident_laps_and_never_calls_them_best(
        alice, app, event):
    run = add_run(app, event, laps=LAPS)
    page = alice.get(f"/race/{event.id}?run={run.id}").text
    assert 'class="left-out short"' in _row(page, 3) and "<s>12.000</s>" in _row(page, 3)
    assert 'class="left-out incident"' in _row(page, 5) and "<s>45.500</s>" in _row(page, 5)
    assert 'class="best"' in _row(page, 6)
    assert "Left out of the figures: 1 incident (lap 5) · 1 short (lap 3)" in page
    # every tap names its lap for a screen reader and posts the flag it stores
    assert re.search(r'<button type="submit" name="flag" value="in" formaction="[^"]*/laps/5/'
                     r'flag"[^>]*aria-label="Count lap 5 \(45.500\)"', _row(page, 5))
    assert re.search(r'name="flag" value="out"[^>]*aria-label="Leave out lap 1 \(31.100\)"',
                     _row(page, 1))


def test_a_tap_leaves_a_lap_out_and_another_counts_it_again_htmx(alice, app, event):
    run = add_run(app, event, laps=LAPS)
    url = f"/race/{event.id}/runs/{run.id}/laps/6/flag"
    response = alice.post(url, data={"flag": "out", "laps_seen": "7"}, headers=hx("runs"))
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="runs"')
    assert _flags(app, run) == ["", "", "", "", "", "out", ""]
    assert "Lap 6 (30.900) left out of the figures." in response.text
    assert "<s>30.900</s>" in _row(response.text, 6)
    assert 'class="best"' in _row(response.text, 1)  # 31.100 is now the best clean lap
    # the tap on the left-out lap posts "" (back to as its time says)
    assert 'name="flag" value=""' in _row(response.text, 6)
    back = alice.post(url, data={"flag": "", "laps_seen": "7"}, headers=hx("runs"))
    assert back.status_code == 200 and _flags(app, run) == [""] * 7
    assert 'class="best"' in _row(back.text, 6)


def test_a_plain_form_counts_an_incident_lap_and_redirects(alice, app, event):
    run = add_run(app, event, laps=LAPS)
    response = alice.post(f"/race/{event.id}/runs/{run.id}/laps/5/flag",
                          data={"flag": "in", "laps_seen": "7"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#runs")
    assert _flags(app, run) == ["", "", "", "", "in", "", ""]
    page = alice.get(response.headers["Location"]).text
    assert "Lap 5 (45.500) counted in the figures." in page
    assert "<s>" not in _row(page, 5) and "counted" in _row(page, 5)


@pytest.mark.parametrize(("form", "status", "message"), [
    ({"flag": "crash", "laps_seen": "7"}, 422, "No such lap flag."),
    ({"flag": "out", "laps_seen": "6"}, 200, "The laps changed since this list was shown"),
])
def test_bad_or_stale_taps_flag_nothing(alice, app, event, form, status, message):
    run = add_run(app, event, laps=LAPS)
    response = alice.post(f"/race/{event.id}/runs/{run.id}/laps/2/flag", data=form,
                          headers=hx("runs"))
    assert response.status_code == status and message in response.text
    assert _flags(app, run) == [""] * 7
    missing = alice.post(f"/race/{event.id}/runs/{run.id}/laps/9/flag",
                         data={"flag": "out"}, headers=hx("runs"))
    assert missing.status_code == 200 and "nothing was flagged" in missing.text


def test_another_racers_lap_is_404(app, client, auth):
    auth.signup("alice")
    event = start_event(app)
    run = add_run(app, event, laps=LAPS)
    auth.logout()
    auth.signup("bob")
    own = start_event(app, "bob")
    for url in (f"/race/{event.id}/runs/{run.id}/laps/1/flag",  # alice's event and run
                f"/race/{own.id}/runs/{run.id}/laps/1/flag"):  # alice's run, bob's event
        assert client.post(url, data={"flag": "out"}).status_code == 404
        assert client.post(url, data={"flag": "out"}, headers=hx("runs")).status_code == 404
    assert _flags(app, run) == [""] * 7


def test_a_tap_without_the_csrf_token_is_refused(store_config):
    with running_app(store_config) as app:  # CSRF on, as in production
        client = signed_up_client(app)
        event = start_event(app)
        run = add_run(app, event, laps=LAPS)
        url = f"/race/{event.id}/runs/{run.id}/laps/1/flag"
        assert client.post(url, data={"flag": "out"}).status_code == 400
        assert client.post(url, data={"flag": "out"}, headers=hx("runs")).status_code == 400
        assert _flags(app, run) == [""] * 7
