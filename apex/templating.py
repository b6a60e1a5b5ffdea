"""The app's Jinja environment: Flask's, with template globals that imports find quickly.

Every ``{% from "_macros/forms.html" import csrf %}`` asks Jinja whether the importing
context has globals the imported template lacks (``ctx.globals_keys - tpl.globals.keys()``).
A template's globals are a ``ChainMap``, whose ``keys()`` view tests each key against every
map in Python: about 20 µs an import, and Race Support runs a dozen imports and more (each
section block imports its macros). Here ``keys()`` is a set built in C, with the same
members, so the subtraction is a set difference. Everything else is Flask's environment.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import MutableMapping
from typing import Any

from flask import g
from flask.templating import Environment
from flask_wtf.csrf import generate_csrf


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
