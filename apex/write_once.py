"""Exactly-once race-day writes: a write sent twice, or replayed by the phone's outbox
after its answer was lost, is stored once.

Every race-day form carries a one-time ``request_key`` (the ``request_key`` macro of
``_macros/forms.html``; the outbox may put its own ``crypto.randomUUID()`` there). A
route decorated with ``once`` runs, with its key, in one store transaction
(``Store.keyed_write``: a savepoint of the request's transaction on PostgreSQL, one
journal record on CSV), so the write and its key are stored together or not at all:

- key already stored (``Store.key_used``, the rule apex.request_keys.key_is_new):
  nothing runs again; the answer is the route's ``replay`` view, the current state as a
  first send shows it, 200 (a plain form's 303 to the page), with ``X-Apex-Replayed: 1``;
- else the route runs; an answer under 400 stores the key, unless the route said
  ``not_written()`` (a preview, a question, "the laps changed since"): a refusal (422,
  404, 409) never uses its key up, so the same form fixed and sent again is stored;
- a concurrent resend of the same key (PostgreSQL: it waits on the key's row lock)
  finds it taken when it claims it: its writes are undone with the savepoint and it
  answers as a replay.

A form without a key (a page rendered before keys, a script) is written as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, g, make_response, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from apex.auth_setup import current_racer_id
from apex.db import get_store
from apex.request_keys import KEY_PATTERN

REPLAYED = "X-Apex-Replayed"
BAD_KEY = "Reload the page: this form's one-time key is not one."
View = Callable[..., ResponseReturnValue]


class _Taken(Exception):
    """The key was stored by a concurrent resend while this one ran."""


def not_written() -> None:
    """The route answered without writing (a preview, a question): keep the key unused."""
    g.apex_not_written = True


def once(replay: View, scope: Callable[..., str] | None = None) -> Callable[[View], View]:
    """Make a race-day write route exactly-once (see the module docstring).

    ``replay(**view_args)`` answers a resend: the current state, nothing written.
    ``scope(**view_args)`` narrows the key to one of the several writes a single form
    offers (a symptom button, a lap's flag), so each counts once on its own.
    """
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def keyed(**kwargs: Any) -> ResponseReturnValue:
            key = request.form.get("request_key", "").strip()
            if not key:
                return view(**kwargs)
            if not KEY_PATTERN.match(key):
                abort(422, BAD_KEY)
            if scope is not None:
                key = f"{key}:{scope(**kwargs)}"
            store, racer_id = get_store(), current_racer_id()
            g.apex_not_written = False
            try:
                with store.keyed_write():
                    if store.key_used(racer_id, key):
                        return replayed(replay(**kwargs))
                    response = make_response(view(**kwargs))
                    if response.status_code < 400 and not g.apex_not_written:
                        if not store.keep_key(racer_id, key):
                            raise _Taken
                    return response
            except _Taken:
                return replayed(replay(**kwargs))
        return keyed
    return decorate


def replayed(answer: ResponseReturnValue) -> Response:
    """A replay's answer: what ``answer`` says, as a success, marked as a replay."""
    response = make_response(answer)
    if response.status_code >= 400:  # never an error just because it is a replay
        response.status_code = 200
    response.headers[REPLAYED] = "1"
    return response
