"""The login limit inside a request: which counts an attempt is checked against, and
the known-device cookie (the why is in apex/login_throttle.py)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Flask, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from apex import login_throttle
from apex.db import get_store
from apex.login_throttle import AttemptLog, Check, Policy
from apex.models import User

DEVICE_COOKIE = "apex_device"
_DEVICE_SALT = "apex-known-device"
_DEVICE_DAYS = 365
_EXTENSION = "apex.login_attempts"
# What a successful login clears: the account's and the device's counts. The address's
# only gets this attempt back (one good account must not buy an address more guesses).
_CLEARED_ON_SUCCESS = ("account:", "device:")


def init_app(app: Flask) -> None:
    if url := app.config.get("REDIS_URL"):
        from apex.login_attempts_redis import RedisAttempts  # only a Redis deploy needs it
        app.extensions[_EXTENSION] = RedisAttempts(url)


def attempt_log() -> AttemptLog:
    """Redis when configured (the store while it is down), else the store: either way
    every worker sees the counts."""
    redis_log: AttemptLog | None = current_app.extensions.get(_EXTENSION)
    if redis_log is None:
        return get_store()
    from apex.login_attempts_redis import WithFallback
    return WithFallback(redis_log, get_store())


def _devices() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=_DEVICE_SALT)


def known_device(user_id: str) -> str | None:
    """This browser's device id, if a login to ``user_id`` succeeded in it before."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    try:
        data = _devices().loads(cookie)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user_id or not data.get("d"):
        return None
    return str(data["d"])


@dataclass(frozen=True)
class Attempt:
    """One login attempt's counts: let in (and counted as a failure) before the password
    is checked, given back when it was right."""

    checks: Sequence[Check]
    device: str | None  # the known device's id, if the browser showed one

    def begin(self) -> int:
        """The seconds to wait; 0: go on (the attempt is counted already)."""
        return attempt_log().begin_login_attempt(self.checks, login_throttle.now())

    def succeeded(self) -> None:
        keys = [k for k, _ in self.checks]
        cleared = [k for k in keys if k.startswith(_CLEARED_ON_SUCCESS)]
        attempt_log().login_succeeded(cleared, [k for k in keys if k not in cleared])


def attempt_for(login: str, user: User | None) -> Attempt:
    """A known device is counted on its own; any other browser on the account (the user
    id, or the login typed when there is no such user) and on its address."""
    config = current_app.config
    per_account = Policy(free=config["APEX_LOGIN_FREE_PER_ACCOUNT"])
    device = known_device(user.id) if user else None
    if device:
        return Attempt([(login_throttle.key("device", device), per_account)], device)
    account = user.id if user else login.strip().lower()
    per_address = Policy(free=config["APEX_LOGIN_FREE_PER_ADDRESS"])
    return Attempt([(login_throttle.key("account", account), per_account),
                    (login_throttle.key("address", request.remote_addr or ""), per_address)],
                   None)


def remember_device(response: Response, user_id: str, device: str | None) -> None:
    """Mark this browser as a known device of ``user_id`` (after a successful login)."""
    value = _devices().dumps({"u": user_id, "d": device or secrets.token_urlsafe(18)})
    config = current_app.config
    response.set_cookie(DEVICE_COOKIE, value, max_age=_DEVICE_DAYS * 24 * 3600, path="/auth",
                        secure=bool(config.get("SESSION_COOKIE_SECURE")), httponly=True,
                        samesite="Lax")
