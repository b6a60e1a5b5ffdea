"""Fragment-or-page decisions, Vary, boosted and history-restore requests, error fragments."""

from __future__ import annotations

import re

from tests.conftest import HX, hx, make_app


def test_fragment_for_a_whitelisted_target(alice):
    response = alice.get("/garage/", headers=hx("sponsors"))
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="sponsors"')
    assert "HX-Request" in response.headers["Vary"]


def test_same_url_without_htmx_is_the_full_page(alice):
    response = alice.get("/garage/")
    assert "<!doctype html>" in response.text and 'id="sponsors"' in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_unknown_target_gets_the_full_page(alice):
    response = alice.get("/garage/", headers=hx("layout"))
    assert "<!doctype html>" in response.text


def test_boosted_navigation_gets_the_full_page(alice):
    response = alice.get("/garage/", headers={**hx("sponsors"), "HX-Boosted": "true"})
    assert "<!doctype html>" in response.text


def test_history_restore_gets_the_full_page(alice):
    headers = {**hx("sponsors"), "HX-History-Restore-Request": "true"}
    assert "<!doctype html>" in alice.get("/garage/", headers=headers).text


def test_page_carries_csrf_header_and_htmx_config(alice):
    text = alice.get("/garage/").text
    assert "hx-headers='{\"X-CSRFToken\":" in text
    assert '"code":"422","swap":true' in text


def test_navigation_lists_only_working_areas(alice):
    nav = alice.get("/garage/").text.split('<nav class="tabs"')[1].split("</nav>")[0]
    names = re.findall(r"</svg>(\w+)</a>", nav)
    assert names == ["Garage", "Event", "Advisor", "Race", "Analysis", "Library", "Theory"]
    assert nav.count('aria-current="page"') == 1


def test_boosted_post_success_is_a_303_that_xhr_follows(alice):
    headers = {**HX, "HX-Boosted": "true"}
    response = alice.post("/garage/sponsors", data={"name": "REDS"}, headers=headers)
    assert response.status_code == 303


def test_missing_page_is_404_page_and_fragment(alice):
    page = alice.get("/garage/cars/does-not-exist/edit")
    assert page.status_code == 404 and "<!doctype html>" in page.text
    fragment = alice.get("/garage/cars/does-not-exist/edit", headers=hx("car-form"))
    assert fragment.status_code == 404 and "<html" not in fragment.text
    assert 'class="error-message"' in fragment.text


def test_wrong_method_is_405_not_500(alice):
    assert alice.get("/garage/sponsors").status_code == 405


def test_server_error_is_a_friendly_500_page_and_fragment(store_config):
    app = make_app(store_config, TESTING=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    try:
        client = app.test_client()
        page = client.get("/boom")
        assert page.status_code == 500
        assert "kaboom" not in page.text and "Nothing was saved" in page.text
        fragment = client.get("/boom", headers=hx("main"))
        assert fragment.status_code == 500 and "<html" not in fragment.text
    finally:
        app.extensions["apex.store"].close()


def test_pages_cannot_be_framed(alice):
    response = alice.get("/garage/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
