"""The login limit (issue 12 finding 8), on both stores: counted where every worker and
instance sees it, per account and per address, with growing waits; a known device
keeps its own count; with Redis configured the counts live there.

The throttle's clock is frozen (``clock``): waits are asserted in the throttle's seconds,
never in wall-clock time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from apex import login_throttle
from apex.login_throttle import Failures, Policy, after_failure, wait_seconds
from tests.conftest import PASSWORD, hx, running_app, store_of
from tests.redis_server import running_redis

NAT = "198.51.100.1"  # the pit Wi-Fi: every racer's phone behind one address
LIMITS = {"APEX_LOGIN_FREE_PER_ACCOUNT": 3, "APEX_LOGIN_FREE_PER_ADDRESS": 5}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(login_throttle, "now", lambda: c.now)
    return c


@contextmanager
def limited_app(store_config: dict, **overrides: object) -> Iterator[Flask]:
    with running_app(store_config, WTF_CSRF_ENABLED=False, **{**LIMITS, **overrides}) as app:
        yield app


def add_racer(app: Flask, name: str) -> None:
    store_of(app).create_user(name, f"{name}@example.com", generate_password_hash(PASSWORD))


def attempt(client: FlaskClient, login: str, password: str, address: str = NAT,
            headers: dict | None = None):
    return client.post("/auth/login", data={"login": login, "password": password},
                       environ_overrides={"REMOTE_ADDR": address}, headers=headers or {})


def test_two_app_instances_share_the_count(store_config, clock):
    with limited_app(store_config) as one, limited_app(store_config) as two:
        add_racer(one, "alice")
        a, b = one.test_client(), two.test_client()
        assert [attempt(c, "alice", "wrong").status_code for c in (a, b, a)] == [422] * 3
        blocked = attempt(b, "alice", PASSWORD)
        assert blocked.status_code == 429
        assert "Too many attempts, try again in 1 s." in blocked.text


def test_per_account_backoff_holds_from_every_address_and_grows(store_config, clock):
    with limited_app(store_config) as app:
        add_racer(app, "alice")
        client = app.test_client()
        logins = ("alice", "alice@example.com", "ALICE")  # one account, however it is typed
        for i, login in enumerate(logins):
            assert attempt(client, login, "wrong", f"203.0.113.{i}").status_code == 422
        elsewhere = app.test_client()
        blocked = attempt(elsewhere, "alice", PASSWORD, "192.0.2.77")
        assert blocked.status_code == 429  # backoff: even the right password waits
        assert "try again in 1 s." in blocked.text
        clock.advance(1)
        assert attempt(client, "alice", "wrong", "203.0.113.9").status_code == 422
        assert "try again in 2 s." in attempt(elsewhere, "alice", PASSWORD, "192.0.2.77").text
        clock.advance(2)
        assert attempt(elsewhere, "alice", PASSWORD, "192.0.2.77").status_code == 303
        # A success clears the account's count: one typo later costs no wait.
        assert attempt(app.test_client(), "alice", "wrong", "203.0.113.1").status_code == 422
        assert attempt(app.test_client(), "alice", PASSWORD, "203.0.113.1").status_code == 303


def test_a_known_device_behind_an_exhausted_nat_address_still_logs_in(store_config, clock):
    with limited_app(store_config) as app:
        add_racer(app, "alice")
        add_racer(app, "bob")
        phone = app.test_client()
        assert attempt(phone, "alice", PASSWORD).status_code == 303  # a known device now
        phone.post("/auth/logout")
        stranger = app.test_client()
        for i in range(5):  # one failure on each of five accounts: only the address counts
            assert attempt(stranger, f"nobody{i}", "guess").status_code == 422
        # The address is exhausted: a browser nobody knows waits, even with bob's password.
        assert attempt(app.test_client(), "bob", PASSWORD).status_code == 429
        # alice's phone, same address, right password: in.
        assert attempt(phone, "alice", PASSWORD).status_code == 303
        phone.post("/auth/logout")
        # The device cookie is alice's: it does not let bob past the address's wait.
        assert attempt(phone, "bob", PASSWORD).status_code == 429


def test_an_attack_on_an_account_does_not_lock_its_racers_phone_out(store_config, clock):
    with limited_app(store_config) as app:
        add_racer(app, "alice")
        phone = app.test_client()
        assert attempt(phone, "alice", PASSWORD, "192.0.2.10").status_code == 303
        phone.post("/auth/logout")
        attacker = app.test_client()
        for i in range(4):
            attempt(attacker, "alice", "guess", f"203.0.113.{i}")
        assert attempt(attacker, "alice", PASSWORD, "203.0.113.50").status_code == 429
        assert attempt(phone, "alice", PASSWORD, "192.0.2.10").status_code == 303
        phone.post("/auth/logout")
        # and the phone has a backoff of its own (a stolen device cookie gains little)
        assert [attempt(phone, "alice", "typo", "192.0.2.10").status_code
                for _ in range(4)] == [422, 422, 422, 429]


def test_the_wait_is_said_in_the_htmx_form_and_nothing_is_echoed(store_config, clock):
    with limited_app(store_config) as app:
        client = app.test_client()
        for _ in range(3):
            attempt(client, "alice", "secret-guess")
        response = attempt(client, "alice", "secret-guess", headers=hx("login-form"))
        assert response.status_code == 429
        assert "<html" not in response.text and 'id="login-form"' in response.text
        assert "Too many attempts, try again in 1 s." in response.text
        assert "secret-guess" not in response.text
        assert client.get("/auth/login").status_code == 200  # only attempts count


def test_with_redis_the_counts_live_in_redis(store_config, clock):
    with running_redis() as url, \
            limited_app(store_config, REDIS_URL=url, APEX_LOGIN_FREE_PER_ACCOUNT=1) as one, \
            limited_app(store_config, REDIS_URL=url, APEX_LOGIN_FREE_PER_ACCOUNT=1,
                        RATELIMIT_ENABLED=True) as two:
        add_racer(one, "alice")
        assert attempt(one.test_client(), "alice", "wrong").status_code == 422
        server = redis.Redis.from_url(url)
        keys = [login_throttle.key("address", NAT)]
        assert server.exists(f"apex:login:{keys[0]}")
        assert len(server.keys("apex:login:*")) == 2  # the account's and the address's
        assert store_of(one).login_failures(keys) == {}  # not in the store
        # the other instance sees the count in Redis
        assert attempt(two.test_client(), "alice", PASSWORD).status_code == 429
        # Flask-Limiter (sign-up) counts in Redis too
        assert two.config["RATELIMIT_STORAGE_URI"] == url
        two.test_client().post("/auth/signup", data={"username": "x"})
        assert server.keys("LIMITS*")


# --- the store's counts and the pure rule -------------------------------------------------

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_store_admits_counts_forgets_and_gives_back(store):
    free2 = Policy(free=2)
    both = [("account:a", free2), ("address:x", Policy(free=9))]
    assert store.begin_login_attempt(both, T0) == 0
    assert store.begin_login_attempt([("account:a", free2)], T0 + timedelta(seconds=5)) == 0
    assert store.login_failures(["account:a", "address:x", "account:b"]) == {
        "account:a": Failures(2, T0 + timedelta(seconds=5)), "address:x": Failures(1, T0)}
    # the third try must wait 1 s, and a refused try is not counted
    assert store.begin_login_attempt(both, T0 + timedelta(seconds=5)) == 1
    assert store.login_failures(["account:a"])["account:a"].count == 2
    # long after: counting starts again
    later = T0 + login_throttle.FORGET + timedelta(minutes=1)
    assert store.begin_login_attempt(both, later) == 0
    assert store.login_failures(["account:a", "address:x"]) == {
        "account:a": Failures(1, later), "address:x": Failures(1, later)}
    # the password was right: the account's count goes, the address gets its try back
    store.begin_login_attempt([("address:x", Policy(free=9))], later)
    store.login_succeeded(["account:a"], ["address:x"])
    assert store.login_failures(["account:a", "address:x"]) == {
        "address:x": Failures(1, later)}
    store.login_succeeded([], ["address:x"])
    assert store.login_failures(["address:x"]) == {}


def test_the_wait_doubles_after_the_free_failures_up_to_the_cap():
    policy = Policy(free=2, base=1, cap=10)
    failures = None
    waits = []
    for _ in range(7):
        failures = after_failure(failures, T0)
        waits.append(wait_seconds(failures, policy, T0))
    assert waits == [0, 1, 2, 4, 8, 10, 10]
    assert wait_seconds(failures, policy, T0 + timedelta(seconds=4)) == 6
    assert wait_seconds(failures, policy, T0 + login_throttle.FORGET * 2) == 0


def test_with_redis_down_logins_still_work_and_count_in_the_store(store_config, clock):
    from tests.pg_server import _free_port
    nowhere = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    with limited_app(store_config, REDIS_URL=nowhere, RATELIMIT_ENABLED=True) as app:
        add_racer(app, "alice")
        client = app.test_client()
        assert attempt(client, "alice", "wrong").status_code == 422
        assert store_of(app).login_failures([login_throttle.key("address", NAT)])
        assert attempt(client, "alice", PASSWORD).status_code == 303
        # sign-up's Flask-Limiter falls back to memory instead of failing
        assert app.test_client().post("/auth/signup", data={"username": "x"}).status_code == 422


def test_signing_up_makes_the_browser_a_known_device(store_config, clock):
    with limited_app(store_config) as app:
        phone = app.test_client()
        assert phone.post("/auth/signup", data={
            "username": "alice", "email": "alice@example.com", "password": PASSWORD,
            "password_confirm": PASSWORD}, environ_overrides={"REMOTE_ADDR": NAT},
        ).status_code == 303
        phone.post("/auth/logout")
        stranger = app.test_client()
        for i in range(5):
            attempt(stranger, f"nobody{i}", "guess")
        assert attempt(app.test_client(), "alice", PASSWORD).status_code == 429
        assert attempt(phone, "alice", PASSWORD).status_code == 303


@pytest.mark.parametrize("where", ["store", "redis"])
def test_simultaneous_guesses_get_no_more_tries_than_the_free_ones(store_config, clock, where):
    """The check and the count are one step: a burst of parallel guesses cannot all pass
    the check before any of them is counted."""
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from contextlib import ExitStack
    burst = 12
    with ExitStack() as stack:
        extra = {"REDIS_URL": stack.enter_context(running_redis())} if where == "redis" else {}
        app = stack.enter_context(limited_app(store_config, **extra))
        add_racer(app, "alice")
        ready = threading.Barrier(burst)

        def guess(i: int) -> int:
            client = app.test_client()
            ready.wait()
            return attempt(client, "alice", f"guess-{i}", f"203.0.113.{i}").status_code

        with ThreadPoolExecutor(burst) as pool:
            codes = list(pool.map(guess, range(burst)))
        assert sorted(codes) == [422] * 3 + [429] * (burst - 3)
