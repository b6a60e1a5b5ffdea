"""The app's Jinja environment (apex/templating.py): imports that find the globals quickly,
and the CSRF token asked of flask_wtf once a request. Same pages, less CPU."""

from __future__ import annotations

from collections import ChainMap
from pathlib import Path

import flask_wtf.csrf
import pytest
from flask import Flask, g, render_template_string
from jinja2 import DictLoader, Environment

from apex.templating import AppEnvironment, TemplateGlobals, csrf_token
from tests.conftest import make_app

CSV = {"DATABASE_URL": None}


@pytest.fixture
def csv_app(tmp_path: Path) -> Flask:
    return make_app({**CSV, "APEX_DATA_DIR": str(tmp_path / "data")})


def test_template_globals_keys_are_the_chain_maps_keys() -> None:
    own, shared = {"a": 1, "b": 2}, {"b": 3, "c": 4}
    fast, plain = TemplateGlobals(own, shared), ChainMap(own, shared)
    assert fast.keys() == set(plain.keys()) == {"a", "b", "c"}
    assert {"a", "z"} - fast.keys() == {"z"}
    assert dict(fast) == dict(plain) and fast["b"] == 2
    shared["d"] = 5  # the environment's globals, added to later: still seen
    assert "d" in fast.keys() and fast["d"] == 5


def test_the_app_renders_with_its_environment(csv_app: Flask) -> None:
    env = csv_app.jinja_env
    assert isinstance(env, AppEnvironment)
    assert isinstance(env.get_template("layout.html").globals, TemplateGlobals)


def test_imports_see_the_globals_as_with_jinjas_chain_map(csv_app: Flask) -> None:
    # A page's own globals (get_template(..., globals=)) reach a macro it imports: Jinja
    # then builds a module for the import instead of its cached one. Same with both maps.
    templates = {"m.html": "{% macro hi() %}hi {{ who }}{% endmacro %}",
                 "page.html": '{% from "m.html" import hi %}[{{ hi() }}]'}
    outputs = []
    for env in (csv_app.jinja_env, Environment()):
        env.loader = DictLoader(templates)
        outputs.append((env.get_template("page.html").render(),
                        env.get_template("page.html", globals={"who": "bob"}).render()))
    assert outputs[0] == outputs[1] == ("[hi ]", "[hi bob]")


def test_csrf_token_is_flask_wtfs_asked_once_a_request(
        csv_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def counting() -> str:
        calls.append(1)
        return flask_wtf.csrf.generate_csrf()

    monkeypatch.setattr("apex.templating.generate_csrf", counting)
    with csv_app.test_request_context("/"):
        page = render_template_string("{{ csrf_token() }} {{ csrf_token() }} {{ csrf_token() }}")
        first = page.split()[0]
        assert page == f"{first} {first} {first}"
        assert first == flask_wtf.csrf.generate_csrf() == g.csrf_token
        assert len(calls) == 1
    with csv_app.test_request_context("/"):
        csrf_token()
        assert len(calls) == 2  # a new request asks again

