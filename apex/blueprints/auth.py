"""Sign up, log in, log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import ValidationError
from werkzeug.security import check_password_hash, generate_password_hash

from apex.auth_setup import LoginUser
from apex.db import get_store
from apex.extensions import limiter
from apex.htmx import redirect_to, render, see_other
from apex.schemas import form_dict
from apex.schemas.auth import PASSWORD_MIN, LoginSchema, SignupSchema
from apex.store import DuplicateError

bp = Blueprint("auth", __name__, url_prefix="/auth")

LOGIN_BLOCKS = {"login-form": "login_form"}
SIGNUP_BLOCKS = {"signup-form": "signup_form"}
# Hashing a throwaway password keeps "no such user" as slow as "wrong password".
_DUMMY_HASH = generate_password_hash("not-a-real-password")


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
@limiter.limit(_login_limit, methods=["POST"])
def login_post() -> ResponseReturnValue:
    values = form_dict(request.form)
    next_url = request.form.get("next", "")
    try:
        data = LoginSchema().load(values)
    except ValidationError as err:
        return render("auth/login.html", LOGIN_BLOCKS, 422, values=values,
                      errors=err.messages, next=next_url)
    user = get_store().find_user(data["login"])
    if not check_password_hash(user.password_hash if user else _DUMMY_HASH, data["password"]) \
            or user is None:
        values.pop("password", None)
        errors = {"password": ["Wrong username or password."]}
        return render("auth/login.html", LOGIN_BLOCKS, 422, values=values, errors=errors,
                      next=next_url)
    session.clear()  # nothing of an earlier visitor (flashes, next) carries over
    login_user(LoginUser(user), remember=data["remember"])
    return _redirect_after_auth(_safe_next(next_url))


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
            data["username"], data["email"], generate_password_hash(data["password"])
        )
    except ValidationError as err:
        return _signup_invalid(values, err.messages_dict)
    except DuplicateError as err:
        return _signup_invalid(values, {err.field: [err.message]})
    session.clear()
    login_user(LoginUser(user), remember=True)
    return _redirect_after_auth(url_for("garage.show_garage"))


def _signup_invalid(values: dict, errors: dict) -> ResponseReturnValue:
    # Never echo a password back into the page.
    kept = {k: v for k, v in values.items() if not k.startswith("password")}
    return render("auth/signup.html", SIGNUP_BLOCKS, 422, values=kept, errors=errors,
                  password_min=PASSWORD_MIN)


def _redirect_after_auth(target: str) -> ResponseReturnValue:
    # The session cookie changed: a full navigation gives every region the new state.
    return redirect_to(target, 303)


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    # Clear first: logout_user() leaves the flag that deletes the remember-me cookie.
    session.clear()
    logout_user()
    return see_other("auth.login")
