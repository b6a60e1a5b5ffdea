"""The racer's own data: download all of it, or delete the account.

The export is one zip in the layout of ``flask db export-csv`` holding the logged-in
racer's rows only (apex.transfer.racer, apex.transfer.racer_zip). Deleting the
account wants the password and the username typed, and offers the export first.
"""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from werkzeug.security import check_password_hash

from apex.auth_setup import current_racer_id
from apex.blueprints.garage.blueprint import bp
from apex.db import get_store
from apex.htmx import redirect_to, render
from apex.transfer.racer_zip import racer_zip

PAGE = "garage/delete_account.html"
BLOCKS = {"delete-account": "delete_account"}
WRONG_PASSWORD = "That is not your password: nothing was deleted."
WRONG_USERNAME = "That is not your username: nothing was deleted."


@bp.get("/export.zip")
def export_data() -> ResponseReturnValue:
    racer_id = current_racer_id()
    data = racer_zip(get_store().export_racer(racer_id))
    response = Response(data, mimetype="application/zip")
    name = f"apex-{current_user.username}-{date.today().isoformat()}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"  # the racer's data: never kept by a proxy
    return response


@bp.get("/account/delete")
def confirm_delete_account() -> ResponseReturnValue:
    return render(PAGE, BLOCKS, errors={}, values={})


@bp.post("/account/delete")
def delete_account() -> ResponseReturnValue:
    user = get_store().get_user(current_user.id)
    if user is None:
        abort(404)
    typed = request.form.get("confirm_username", "")
    errors: dict[str, list[str]] = {}
    if not check_password_hash(user.password_hash, request.form.get("password", "")):
        errors["password"] = [WRONG_PASSWORD]
    if typed.strip().casefold() != user.username.casefold():
        errors["confirm_username"] = [WRONG_USERNAME]
    if errors:  # never echo the password back
        return render(PAGE, BLOCKS, 422, errors=errors, values={"confirm_username": typed})
    if not get_store().delete_account(user.id):
        abort(404)
    session.clear()
    logout_user()
    flash("Your account and all of your data are deleted.")
    target = url_for("auth.login")
    return redirect_to(target, 303)
