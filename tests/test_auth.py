"""Sign up, log in, log out, remember-me, login-required, on both stores."""

from __future__ import annotations

import pytest

from apex import login_throttle
from tests.conftest import PASSWORD, hx, make_app


def test_signup_creates_account_and_profile_and_logs_in(client, auth, app):
    response = auth.signup("alice")
    assert response.status_code == 303
    assert response.headers["Location"] == "/garage/"
    page = client.get("/garage/")
    assert page.status_code == 200
    user = app.extensions["apex.store"].find_user("alice")
    profile = app.extensions["apex.store"].get_profile(user.racer_id)
    assert profile.name == "alice" and profile.email == "alice@example.com"


def test_password_is_stored_hashed(auth, app):
    auth.signup("alice")
    user = app.extensions["apex.store"].find_user("alice")
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_a_real_app_hashes_with_scrypt_and_tests_only_choose_a_cheap_method(store_config):
    """The suite's cheap hash (tests/conftest.py) is a test app's choice: a real app's
    default is scrypt, and the environment cannot weaken it."""
    from apex.config import defaults, from_environment
    assert defaults("/tmp")["PASSWORD_HASH_METHOD"] == "scrypt"
    assert "PASSWORD_HASH_METHOD" not in from_environment(
        {"PASSWORD_HASH_METHOD": "plain", "APEX_PASSWORD_HASH_METHOD": "plain"})
    app = make_app(store_config, PASSWORD_HASH_METHOD="scrypt", WTF_CSRF_ENABLED=False)
    try:
        client = app.test_client()
        client.post("/auth/signup", data={"username": "sam", "email": "sam@example.com",
                                          "password": PASSWORD, "password_confirm": PASSWORD})
        assert app.extensions["apex.store"].find_user("sam").password_hash.startswith("scrypt:")
        client.post("/auth/logout")
        assert client.post("/auth/login", data={"login": "sam", "password": PASSWORD}
                           ).status_code == 303
    finally:
        app.extensions["apex.store"].close()


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"username": "", "email": "a@example.com"}, "username", "Choose a username."),
        ({"username": "al", "email": "a@example.com"}, "username", "Use 3 to 32 characters."),
        ({"username": "bad name!", "email": "a@example.com"}, "username", "Use letters"),
        ({"username": "alice", "email": "not-an-email"}, "email", "Enter a valid email."),
    ],
)
def test_signup_rejects_bad_input_with_message_and_keeps_values(client, app, form, field, message):
    data = {**form, "password": PASSWORD, "password_confirm": PASSWORD}
    response = client.post("/auth/signup", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="e-{field}"' in response.text
    if form["email"]:
        assert f'value="{form["email"]}"' in response.text
    assert PASSWORD not in response.text  # a password is never echoed back
    assert app.extensions["apex.store"].find_user("a@example.com") is None


def test_signup_refuses_short_password(client):
    response = client.post("/auth/signup", data={
        "username": "alice", "email": "a@example.com",
        "password": "short", "password_confirm": "short"})
    assert response.status_code == 422
    assert "at least 10 characters" in response.text


def test_signup_refuses_mismatched_passwords(client):
    response = client.post("/auth/signup", data={
        "username": "alice", "email": "a@example.com",
        "password": PASSWORD, "password_confirm": PASSWORD + "x"})
    assert response.status_code == 422
    assert "The passwords differ." in response.text


def test_signup_refuses_taken_username_case_insensitively(client, auth):
    auth.signup("alice")
    auth.logout()
    response = client.post("/auth/signup", data={
        "username": "ALICE", "email": "other@example.com",
        "password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 422
    assert "That username is taken." in response.text


def test_login_by_username_or_email(client, auth):
    auth.signup("alice")
    auth.logout()
    assert auth.login("alice").headers["Location"] == "/garage/"
    auth.logout()
    assert auth.login("Alice@Example.com").status_code == 303


def test_wrong_password_is_422_with_message(client, auth):
    auth.signup("alice")
    auth.logout()
    response = auth.login("alice", "wrong-password-123")
    assert response.status_code == 422
    assert "Wrong username or password." in response.text
    assert client.get("/garage/").status_code == 302


def test_unknown_user_gets_the_same_message(auth):
    response = auth.login("nobody", PASSWORD)
    assert response.status_code == 422
    assert "Wrong username or password." in response.text


def test_logout_ends_the_session(client, auth):
    auth.signup("alice")
    assert auth.logout().status_code == 303
    assert client.get("/garage/").status_code == 302


def test_remember_me_sets_a_long_lived_cookie(client, auth):
    auth.signup("alice")
    auth.logout()
    client.post("/auth/login", data={"login": "alice", "password": PASSWORD, "remember": "true"})
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only
    assert cookie.expires is not None


def test_next_parameter_only_follows_local_paths(client, auth):
    auth.signup("alice")
    auth.logout()
    ok = client.post("/auth/login?", data={"login": "alice", "password": PASSWORD,
                                           "next": "/garage/profile"})
    assert ok.headers["Location"] == "/garage/profile"
    auth.logout()
    evil = client.post("/auth/login", data={"login": "alice", "password": PASSWORD,
                                            "next": "https://evil.example/"})
    assert evil.headers["Location"] == "/garage/"


@pytest.mark.parametrize("path", ["/garage/", "/garage/profile", "/garage/cars/x/setup"])
def test_pages_require_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_unauthenticated_htmx_request_gets_hx_redirect_not_302(client):
    response = client.post("/garage/sponsors", data={"name": "X"}, headers=hx("sponsors"))
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/auth/login")
    assert "<html" not in response.text


def test_root_is_the_login_page_for_visitors_and_the_garage_for_racers(client, auth):
    """No redirect (one round trip): the landing page itself (a 302 before)."""
    response = client.get("/")
    assert response.status_code == 200 and 'id="login-form"' in response.text
    auth.signup("alice")
    response = client.get("/")
    assert response.status_code == 200 and "Location" not in response.headers
    assert 'href="/garage/" aria-current="page"' in response.text


def test_htmx_login_success_is_a_client_redirect(client, auth):
    auth.signup("alice")
    auth.logout()
    response = client.post("/auth/login", data={"login": "alice", "password": PASSWORD},
                           headers=hx("login-form"))
    assert response.headers["HX-Redirect"] == "/garage/"


def test_htmx_login_failure_returns_only_the_form(client):
    response = client.post("/auth/login", data={"login": "x", "password": "y"},
                           headers=hx("login-form"))
    assert response.status_code == 422
    assert "<html" not in response.text and 'id="login-form"' in response.text


def test_signups_are_rate_limited(store_config):
    # Login has its own limit (tests/test_login_limit.py); sign-up keeps Flask-Limiter's.
    app = make_app(store_config, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True,
                   APEX_LOGIN_LIMIT="3 per minute")
    try:
        client = app.test_client()
        codes = [client.post("/auth/signup", data={"username": "x"}).status_code
                 for _ in range(4)]
        assert codes == [422, 422, 422, 429]
        limited = client.post("/auth/signup", data={"username": "x"},
                              headers=hx("signup-form"))
        assert limited.status_code == 429 and "Too many attempts" in limited.text
        assert client.get("/auth/signup").status_code == 200  # only POSTs count
    finally:
        app.extensions["apex.store"].close()


def test_behind_a_trusted_proxy_each_racer_has_their_own_login_limit(store_config,
                                                                    monkeypatch):
    frozen = login_throttle.now()
    monkeypatch.setattr(login_throttle, "now", lambda: frozen)  # waits in throttle time
    app = make_app(store_config, WTF_CSRF_ENABLED=False, APEX_TRUSTED_PROXIES=1,
                   APEX_LOGIN_FREE_PER_ADDRESS=2, APEX_LOGIN_FREE_PER_ACCOUNT=100)
    try:
        client = app.test_client()

        def attempt(ip: str, login: str) -> int:
            return client.post("/auth/login", data={"login": login, "password": "y"},
                               headers={"X-Forwarded-For": ip}).status_code

        assert [attempt("203.0.113.1", f"x{i}") for i in range(3)] == [422, 422, 429]
        assert attempt("203.0.113.2", "x9") == 422  # another racer behind the same proxy
    finally:
        app.extensions["apex.store"].close()


@pytest.mark.parametrize("target", ["/\\evil.example/phish", "/garage/\x07", "//evil.example"])
def test_next_parameter_refuses_what_a_browser_would_take_off_site(client, auth, target):
    auth.signup("alice")
    auth.logout()
    response = client.post("/auth/login", data={"login": "alice", "password": PASSWORD,
                                                 "next": target}, headers=hx("login-form"))
    assert response.headers["HX-Redirect"] == "/garage/"
