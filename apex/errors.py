"""Error pages: a whole page for a plain request, a small fragment for HTMX."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from jinja2_fragments.flask import render_block
from werkzeug.exceptions import HTTPException, InternalServerError

from apex.extensions import login_manager
from apex.htmx import wants_fragment
from apex.store import StoreUnavailable

MESSAGES = {
    400: ("Bad request", "The request could not be read. Reload the page and try again."),
    401: ("Log in", "Log in to see this page."),
    403: ("Not allowed", "You cannot do that."),
    # NOTE: the same words for "deleted" and "another racer's" (a 404 never tells them apart).
    404: ("Not here", "This is not here any more: it was deleted, or the link is wrong. "
                      "Reload the page to see what is there now."),
    405: ("Not allowed", "That action is not available here."),
    413: ("Too large", "That upload is too large."),
    429: ("Slow down", "Too many attempts. Wait a minute and try again."),
    500: ("Something broke", "Nothing was saved. Try again; if it keeps happening, tell us."),
    503: ("Database not answering", "Nothing was saved: the database is not answering. "
                                    "Try again in a minute."),
}


def _render(code: int, message: str | None = None) -> tuple[str, int]:
    title, default = MESSAGES.get(code, ("Error", "Something went wrong."))
    context = {"code": code, "title": title, "message": message or default}
    if wants_fragment():
        return render_block("errors/error.html", "error_message", **context), code
    return render_template("errors/error.html", **context), code


def _http_error(error: HTTPException) -> ResponseReturnValue:
    # A rate limit with its own message (the upload limit) says it, and so does an error
    # written for the racer (``public``, e.g. apex.event_pages.BadCursor); others the default.
    own = (getattr(getattr(error, "limit", None), "error_message", None)
           or getattr(error, "public", False))
    return _render(error.code or 500, error.description if own else None)


def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    # A logged-out visitor has no token at all: send them to log in (HX-Redirect for HTMX).
    if not current_user.is_authenticated and request.blueprint != "auth":
        return login_manager.unauthorized()
    return _render(400, "Your session expired or the form is stale. Reload the page; "
                        "what you typed in other tabs is kept.")


def _server_error(error: Exception) -> ResponseReturnValue:
    original = getattr(error, "original_exception", None) or error
    current_app.logger.exception("unhandled error", exc_info=original)
    return _render(500)


def _store_unavailable(error: StoreUnavailable) -> ResponseReturnValue:
    # The page's header asks who is logged in; that lookup would fail the same way, so
    # this request goes on as anonymous. (Flask-Login 0.6: no public setter.)
    login_manager._update_request_context_with_user()
    # No traceback per request: the store logs the outage once when it starts.
    current_app.logger.info("outage page for %s %s: %s", request.method, request.path, error)
    body, code = _render(503)
    return body, code, {"Retry-After": "5"}


def init_app(app: Flask) -> None:
    app.register_error_handler(StoreUnavailable, _store_unavailable)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
