"""Sign up, log in, log out (here, or everywhere)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import ValidationError
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response as BaseResponse

from apex import login_guard
from apex.auth_setup import LoginUser
from apex.db import get_store
from apex.extensions import limiter
from apex.htmx import redirect_to, render, see_other
from apex.models import User
from apex.passwords import dummy_hash, hash_password
from apex.schemas import form_dict
from apex.schemas.auth import PASSWORD_MIN, LoginSchema, SignupSchema
from apex.store import DuplicateError

bp = Blueprint("auth", __name__, url_prefix="/auth")

LOGIN_BLOCKS = {"login-form": "login_form"}
SIGNUP_BLOCKS = {"signup-form": "signup_form"}


def _login_limit() -> str:
    return current_app.config["APEX_LOGIN_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot bounce a racer elsewhere."""
    # NOTE: browsers read "\\" as "/", so "/\\evil.example" would leave the site.
    if target and target.isprintable() and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("garage.show_garage")


@bp.get("/login")
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("garage.show_garage"))
    return render("auth/login.html", LOGIN_BLOCKS, values={}, errors={},
                  next=request.args.get("next", ""))


@bp.post("/login")
def login_post() -> ResponseReturnValue:
    # NOTE: no Flask-Limiter here: its per-address count in each worker's memory locked
    # a whole pit Wi-Fi out; apex/login_throttle.py counts accounts, addresses and known
    # devices where every worker sees them.
    values = form_dict(request.form)
    next_url = request.form.get("next", "")
    try:
        data = LoginSchema().load(values)
    except ValidationError as err:
        return render("auth/login.html", LOGIN_BLOCKS, 422, values=values,
                      errors=err.messages, next=next_url)
    values.pop("password", None)  # never echoed back
    user = get_store().find_user(data["login"])
    attempt = login_guard.attempt_for(data["login"], user)
    if wait := attempt.begin():
        return render("auth/login.html", LOGIN_BLOCKS, 429, values=values, errors={},
                      next=next_url, limited=f"Too many attempts, try again in {wait} s.")
    if not check_password_hash(user.password_hash if user else dummy_hash(), data["password"]) \
            or user is None:
        errors = {"password": ["Wrong username or password."]}
        return render("auth/login.html", LOGIN_BLOCKS, 422, values=values, errors=errors,
                      next=next_url)
    attempt.succeeded()
    response = _log_in(user, remember=data["remember"], target=_safe_next(next_url))
    login_guard.remember_device(response, user.id, attempt.device)
    return response


def _log_in(user: User, *, remember: bool, target: str) -> BaseResponse:
    session.clear()  # nothing of an earlier visitor (flashes, next) carries over
    # Permanent: the cookie is re-signed on every request, so PERMANENT_SESSION_LIFETIME
    # is the idle time after which even a copy of it is refused.
    session.permanent = True
    login_user(LoginUser(user), remember=remember)
    return _redirect_after_auth(target)


@bp.get("/signup")
def signup() -> ResponseReturnValue:
    return render("auth/signup.html", SIGNUP_BLOCKS, values={}, errors={},
                  password_min=PASSWORD_MIN)


@bp.post("/signup")
@limiter.limit(_login_limit, methods=["POST"])
def signup_post() -> ResponseReturnValue:
    values = form_dict(request.form)
    try:
        data = SignupSchema().load(values)
        user = get_store().create_user(
            data["username"], data["email"], hash_password(data["password"])
        )
    except ValidationError as err:
        return _signup_invalid(values, err.messages_dict)
    except DuplicateError as err:
        return _signup_invalid(values, {err.field: [err.message]})
    response = _log_in(user, remember=True, target=url_for("garage.show_garage"))
    login_guard.remember_device(response, user.id, None)  # the racer's own browser
    return response


def _signup_invalid(values: dict, errors: dict) -> ResponseReturnValue:
    # Never echo a password back into the page.
    kept = {k: v for k, v in values.items() if not k.startswith("password")}
    return render("auth/signup.html", SIGNUP_BLOCKS, 422, values=kept, errors=errors,
                  password_min=PASSWORD_MIN)


def _redirect_after_auth(target: str) -> BaseResponse:
    # The session cookie changed: a full navigation gives every region the new state.
    return redirect_to(target, 303)


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """Log out, and revoke every copy of this login.

    NOTE: a signed cookie cannot be recalled, so making this login's copies worthless
    means moving the racer's session generation on, which ends the racer's logins on
    every device (DESIGN.md: "logout revokes them everywhere"). Telling this login from
    the others would need a server-side row per login; one racer, one or two phones,
    logging in again is the cheaper price.
    """
    return _log_out_everywhere()


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere() -> ResponseReturnValue:
    """The profile page's button: the same revocation, named for a lost phone."""
    return _log_out_everywhere()


def _log_out_everywhere() -> ResponseReturnValue:
    get_store().revoke_sessions(current_user.user.id)
    # Clear first: logout_user() leaves the flag that deletes the remember-me cookie.
    session.clear()
    logout_user()
    return see_other("auth.login")
