"""The app's Jinja environment: Flask's, with template globals that imports find quickly.

Every ``{% from "_macros/forms.html" import csrf %}`` asks Jinja whether the importing
context has globals the imported template lacks (``ctx.globals_keys - tpl.globals.keys()``).
A template's globals are a ``ChainMap``, whose ``keys()`` view tests each key against every
map in Python: about 20 µs an import, and Race Support runs a dozen imports and more (each
section block imports its macros). Here ``keys()`` is a set built in C, with the same
members, so the subtraction is a set difference. Everything else is Flask's environment.
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Callable, MutableMapping
from datetime import datetime
from typing import Any, TypeVar, cast
from urllib.parse import quote

from flask import current_app, g, request, url_for
from flask.templating import Environment
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

T = TypeVar("T")


class TemplateGlobals(ChainMap[str, Any]):
    """A template's globals over the environment's (Jinja's ChainMap) with a fast ``keys``."""

    def keys(self) -> set[str]:  # type: ignore[override]
        # A snapshot, not a view: Jinja only subtracts it from a set.
        return set().union(*self.maps)


class AppEnvironment(Environment):
    """Flask's Jinja environment whose templates hold ``TemplateGlobals``."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return TemplateGlobals({} if d is None else d, self.globals)


def csrf_token() -> str:
    """The request's CSRF token (``{{ csrf_token() }}``): flask_wtf's ``generate_csrf``,
    which caches it for the request already, asked once. A page calls it for every form
    (Race Support: 30-odd, one per note's Delete), each call reading the app's config
    twice before it finds the cached token."""
    token: str | None = g.get("_apex_csrf_token")
    if token is None:
        token = g._apex_csrf_token = generate_csrf()
    return token


def per_app(name: str, make: Callable[[], T]) -> T:
    """``make()`` once per app and script root: for what a page shows that depends on
    nothing else (the header's and tab bar's URLs, the manifest's)."""
    made: dict[tuple[str, str], Any] = current_app.extensions.setdefault("apex.per_app", {})
    key = (name, request.script_root)
    if key not in made:
        made[key] = make()
    return cast(T, made[key])


def fixed_url(endpoint: str) -> Markup:
    """``url_for(endpoint)`` for a rule that takes no values (a dozen on every page),
    built once (``per_app``) and escaped once."""
    return per_app(f"url:{endpoint}", lambda: Markup(escape(url_for(endpoint))))


# A value no id or number in a URL holds (longer than a UUID's 32 hex digits), accepted by
# an int converter as by a string one: where url_maker's value goes.
_MARK = 10**40 - 1


def url_maker(endpoint: str, name: str, **values: Any) -> Callable[[str | int], Markup]:
    """``url_for(endpoint, **values, name=v)`` for many ``v`` (ids, numbers), the rule
    built once a request: ``url_maker("race.flag_lap", "lap_number", event_id=e,
    run_id=r)(3)``. A ``url_for`` costs 10-15 µs, and Race Support made one per lap and
    per note (about 90 a render)."""
    key = (endpoint, name, tuple(sorted(values.items())))
    made: dict[tuple[Any, ...], Callable[[str | int], Markup]] = g.setdefault(
        "_apex_url_makers", {})
    if key not in made:
        arguments: dict[str, Any] = {**values, name: _MARK}
        head, mark, tail = url_for(endpoint, **arguments).partition(str(_MARK))
        if not mark:
            raise ValueError(f"url_maker: {endpoint} takes no {name}")
        made[key] = _maker(str(escape(head)), str(escape(tail)))
    return made[key]


# What quote(value, safe="") leaves as it is: ids and numbers, the usual values.
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")


def _maker(head: str, tail: str) -> Callable[[str | int], Markup]:
    # Markup: head and tail escaped once here, the value quoted (nothing left to escape),
    # so the template does not escape each URL again.
    def make(value: str | int) -> Markup:
        text = str(value)
        if not _UNQUOTED.fullmatch(text):
            text = quote(text, safe="")
        return Markup(f"{head}{text}{tail}")
    return make


def clock(when: datetime) -> Markup:
    """``{{ t | clock }}``: the time of day, rewritten into the phone's own clock by app.js
    (``time[data-local]``). A filter, not a macro: Race Support shows one per note."""
    # Digits, dashes, colons and a dot: nothing to escape (Markup.format escapes each).
    return Markup(f'<time datetime="{when.isoformat()}" data-local>'
                  f'{when.hour:02d}:{when.minute:02d}</time>')
