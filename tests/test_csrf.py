"""CSRF stays on: plain forms need the field, HTMX requests the header."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, running_app


@pytest.fixture
def csrf_app(store_config):
    with running_app(store_config) as app:  # CSRF on, as in production
        yield app


def token_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_up_client(app):
    client = app.test_client()
    token = token_from(client.get("/auth/signup").text)
    response = client.post("/auth/signup", data={
        "csrf_token": token, "username": "alice", "email": "a@example.com",
        "password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 303
    return client


def test_post_without_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/auth/login", data={"login": "a", "password": "b"})
    assert response.status_code == 400
    assert "Reload the page" in response.text


def test_htmx_post_without_header_is_refused_and_saves_nothing(csrf_app):
    client = signed_up_client(csrf_app)
    response = client.post("/garage/sponsors", data={"name": "REDS"},
                           headers={"HX-Request": "true", "HX-Target": "sponsors"})
    assert response.status_code == 400
    assert "<html" not in response.text
    racer = csrf_app.extensions["apex.store"].find_user("alice").racer_id
    assert csrf_app.extensions["apex.store"].list_sponsors(racer) == []


def test_htmx_post_with_header_token_is_accepted(csrf_app):
    client = signed_up_client(csrf_app)
    page = client.get("/garage/").text
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post("/garage/sponsors", data={"name": "REDS"},
                           headers={"HX-Request": "true", "HX-Target": "sponsors",
                                    "X-CSRFToken": header_token})
    assert response.status_code == 200 and "REDS" in response.text


def test_token_has_no_time_limit(csrf_app):
    assert csrf_app.config["WTF_CSRF_TIME_LIMIT"] is None


def test_logged_out_htmx_post_is_sent_to_login_not_a_csrf_error(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/garage/sponsors", data={"name": "REDS"},
                           headers={"HX-Request": "true", "HX-Target": "sponsors"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/auth/login")
