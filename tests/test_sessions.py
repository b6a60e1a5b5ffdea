"""Revocable sessions (issue 12 finding 7), on both stores: a copied session cookie or
remember cookie stops working after logout, a password reset or "log out everywhere",
and a session left idle past PERMANENT_SESSION_LIFETIME ends."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from tests.conftest import PASSWORD, AuthActions, running_app, store_of

NEW_PASSWORD = "a-brand-new-password\n"
GARAGE = "/garage/"


def logged_in(res_code: int) -> bool:
    return res_code == 200


def copy_of(client: FlaskClient, app: Flask, *names: str) -> FlaskClient:
    """A second browser holding copies of ``client``'s cookies (a stolen cookie)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def log_in(client: FlaskClient, *, remember: bool) -> None:
    form = {"login": "alice", "password": PASSWORD}
    if remember:
        form["remember"] = "true"
    assert client.post("/auth/login", data=form).status_code == 303


@pytest.fixture
def racer_client(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.signup("alice")
    auth.logout()
    return client


def test_copied_session_cookie_stops_working_after_logout(racer_client, app):
    log_in(racer_client, remember=False)
    thief = copy_of(racer_client, app, "session")
    assert thief.get(GARAGE).status_code == 200  # the copy works while the login lasts
    racer_client.post("/auth/logout")
    assert thief.get(GARAGE).status_code == 302


def test_copied_remember_cookie_stops_working_after_logout(racer_client, app):
    log_in(racer_client, remember=True)
    thief = copy_of(racer_client, app, "remember_token")  # no session: the cookie logs in
    assert thief.get(GARAGE).status_code == 200
    thief = copy_of(racer_client, app, "remember_token")
    racer_client.post("/auth/logout")
    assert thief.get(GARAGE).status_code == 302


def test_reset_password_revokes_copied_session_and_remember_cookies(racer_client, app):
    log_in(racer_client, remember=True)
    by_session = copy_of(racer_client, app, "session")
    by_remember = copy_of(racer_client, app, "remember_token")
    result = app.test_cli_runner().invoke(
        args=["user", "reset-password", "alice", "--password-stdin"], input=NEW_PASSWORD)
    assert result.exit_code == 0, result.output
    assert by_session.get(GARAGE).status_code == 302
    assert by_remember.get(GARAGE).status_code == 302
    assert racer_client.get(GARAGE).status_code == 302  # the racer's own login too


def test_log_out_everywhere_ends_every_login_of_the_racer(racer_client, app):
    log_in(racer_client, remember=True)
    phone = app.test_client()
    log_in(phone, remember=True)
    stolen = copy_of(phone, app, "remember_token")
    page = racer_client.get("/garage/profile").text
    assert 'action="/auth/logout-everywhere"' in page
    response = racer_client.post("/auth/logout-everywhere")
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    for browser in (racer_client, phone, stolen):
        assert browser.get(GARAGE).status_code == 302
    log_in(phone, remember=False)  # the password still logs in: a new generation
    assert phone.get(GARAGE).status_code == 200


def test_logout_everywhere_needs_a_login(client):
    assert client.post("/auth/logout-everywhere").status_code == 302


def test_a_new_login_after_logout_works_and_the_old_copy_stays_dead(racer_client, app):
    log_in(racer_client, remember=False)
    thief = copy_of(racer_client, app, "session")
    racer_client.post("/auth/logout")
    log_in(racer_client, remember=False)
    assert racer_client.get(GARAGE).status_code == 200
    assert thief.get(GARAGE).status_code == 302


def _clock_ahead(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Session cookies are signed with their issue time: move the signer's clock."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: int(time.time() + seconds))


def _logged_in_for_the_day(app: Flask) -> FlaskClient:
    """Alice, signed up, then logged in without "Keep me logged in"."""
    client = app.test_client()
    AuthActions(client).signup("alice")
    AuthActions(client).logout()
    log_in(client, remember=False)
    return client


def test_an_idle_session_expires(store_config, monkeypatch):
    with running_app(store_config, WTF_CSRF_ENABLED=False,
                     PERMANENT_SESSION_LIFETIME=timedelta(hours=2)) as app:
        client = _logged_in_for_the_day(app)
        cookie = client.get_cookie("session")
        assert cookie is not None and cookie.expires is not None  # the browser forgets it too
        # Used within the idle time, the session slides on.
        _clock_ahead(monkeypatch, 1.5 * 3600)
        assert client.get(GARAGE).status_code == 200
        _clock_ahead(monkeypatch, 3.0 * 3600)
        assert client.get(GARAGE).status_code == 200
        # Left alone longer than that, even a copy kept by a thief is refused.
        thief = copy_of(client, app, "session")
        _clock_ahead(monkeypatch, 5.5 * 3600)
        assert thief.get(GARAGE).status_code == 302
        assert client.get(GARAGE).status_code == 302


def _session_set(response) -> bool:  # noqa: ANN001 (a test client's response)
    return any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))


def test_an_unchanged_session_is_sent_again_only_every_few_minutes(store_config,
                                                                   monkeypatch):
    """Not a 400-byte cookie on every page (apex.session_cookie): an unchanged session is
    signed again once REFRESH_AFTER has passed; a changed one at once; the idle limit
    still slides with use."""
    from apex.session_cookie import REFRESH_AFTER

    with running_app(store_config, WTF_CSRF_ENABLED=False,
                     PERMANENT_SESSION_LIFETIME=timedelta(hours=2)) as app:
        client = _logged_in_for_the_day(app)
        client.get(GARAGE)  # the first page's forms put a CSRF token in the session
        first = client.get(GARAGE)
        assert first.status_code == 200 and not _session_set(first)
        assert "Cookie" in first.headers["Vary"]  # the page still depends on it
        _clock_ahead(monkeypatch, REFRESH_AFTER.total_seconds() - 30)
        assert not _session_set(client.get(GARAGE))
        _clock_ahead(monkeypatch, REFRESH_AFTER.total_seconds() + 30)
        refreshed = client.get(GARAGE)
        assert refreshed.status_code == 200 and _session_set(refreshed)
        assert not _session_set(client.get(GARAGE))  # signed anew: not due again yet
        # Used every hour, the login outlives its first two idle hours.
        for hours in (1.5, 3.0, 4.5):
            _clock_ahead(monkeypatch, hours * 3600)
            assert client.get(GARAGE).status_code == 200
        # A changed session is sent at once (logging out empties it).
        assert not _session_set(client.get(GARAGE))
        assert _session_set(client.post("/auth/logout"))


def test_idle_time_and_remember_duration_come_from_the_environment(monkeypatch, tmp_path):
    from apex import config
    monkeypatch.setenv("APEX_SESSION_IDLE_MINUTES", "90")
    monkeypatch.setenv("APEX_REMEMBER_DAYS", "7")
    loaded = config.load(str(tmp_path), {"TESTING": True}, debug=False)
    assert loaded["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=90)
    assert loaded["REMEMBER_COOKIE_DURATION"] == timedelta(days=7)


def test_store_keeps_the_generation(app):
    store = store_of(app)
    user = store.create_user("bob", "bob@example.com", "hash")
    assert user.session_generation == 0
    assert store.revoke_sessions(user.id) == 1
    assert store.get_user(user.id).session_generation == 1
    store.set_password(user.id, "new-hash")
    assert store.find_user("bob").session_generation == 2
    assert store.revoke_sessions("00000000-0000-0000-0000-000000000000") is None
    assert store.revoke_sessions("nope") is None


def test_log_out_everywhere_needs_the_csrf_token(store_config):
    from tests.test_csrf import signed_up_client, token_from
    with running_app(store_config) as app:  # CSRF on, as in production
        client = signed_up_client(app)
        assert client.post("/auth/logout-everywhere").status_code == 400  # a forged post
        assert store_of(app).find_user("alice").session_generation == 0
        token = token_from(client.get("/garage/profile").text)
        response = client.post("/auth/logout-everywhere", data={"csrf_token": token})
        assert response.status_code == 303
        assert store_of(app).find_user("alice").session_generation == 1


def test_a_remember_cookie_ends_after_the_remember_duration_even_copied(store_config,
                                                                         monkeypatch):
    from apex import auth_setup
    with running_app(store_config, WTF_CSRF_ENABLED=False,
                     REMEMBER_COOKIE_DURATION=timedelta(days=30)) as app:
        client = app.test_client()
        AuthActions(client).signup("alice")
        AuthActions(client).logout()
        log_in(client, remember=True)
        issued = auth_setup.now()

        def thief_after(days: float) -> int:
            monkeypatch.setattr(auth_setup, "now", lambda: issued + timedelta(days=days))
            return copy_of(client, app, "remember_token").get(GARAGE).status_code

        assert thief_after(29) == 200  # the browser would still send it: it works
        assert thief_after(31) == 302  # past the duration the server refuses it too
