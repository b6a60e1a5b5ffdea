"""flask-login wiring: who is logged in, and what an anonymous request gets."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, abort, current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import UserMixin, current_user

from apex import login_guard
from apex.db import get_store
from apex.extensions import login_manager
from apex.htmx import redirect_to
from apex.login_session import login_id, parse_login_id
from apex.models import User


def now() -> datetime:
    """The login clock (tests move it)."""
    return datetime.now(UTC)


class LoginUser(UserMixin):
    """The session's user; ``racer_id`` scopes every racer-owned query."""

    def __init__(self, user: User, issued: datetime | None = None) -> None:
        self.user = user
        self.id = user.id
        self.racer_id = user.racer_id
        self.username = user.username
        self.issued = issued or now()  # when this login was made

    def get_id(self) -> str:
        # flask-login keeps this in the session and signs it into the remember cookie:
        # with the generation in it, a revocation (apex/login_session.py) ends both.
        return login_id(self.user.id, self.user.session_generation, self.issued)


def current_racer_id() -> str:
    """The logged-in racer's profile id (views run behind ``login_required``)."""
    if not current_user.is_authenticated:
        abort(401)
    return current_user.racer_id


def _load_user(cookie_id: str) -> LoginUser | None:
    """Checked on every request: the cookie's generation must still be the user's, and
    the login no older than the remember duration (however the browser kept it)."""
    ref = parse_login_id(cookie_id)
    if ref is None or ref.expired(now(), current_app.config["REMEMBER_COOKIE_DURATION"]):
        return None
    user = get_store().get_user(ref.user_id)
    if user is None or user.session_generation != ref.generation:
        return None
    return LoginUser(user, ref.issued)


def _unauthorized() -> ResponseReturnValue:
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    return redirect_to(target)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = "basic"
    login_guard.init_app(app)
