"""The app's Jinja environment (apex/templating.py): imports that find the globals quickly,
the CSRF token asked of flask_wtf once a request, URLs built once for many ids, the
clock filter. Same pages, less CPU."""

from __future__ import annotations

from collections import ChainMap
from datetime import UTC, datetime
from pathlib import Path

import flask_wtf.csrf
import pytest
from flask import Flask, g, render_template_string, url_for
from jinja2 import DictLoader, Environment
from markupsafe import Markup, escape

from apex.templating import AppEnvironment, TemplateGlobals, csrf_token, fixed_url, url_maker
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


EVENT = "660e8eab-2c6f-4a33-9797-8e7c3b992e4b"
RUN = "73a8fdbd-1242-461b-946f-a4427fc67b39"


def test_url_maker_builds_what_url_for_builds(csv_app: Flask) -> None:
    with csv_app.test_request_context("/"):
        flag = url_maker("race.flag_lap", "lap_number", event_id=EVENT, run_id=RUN)
        for n in (1, 9, 10, 123):  # an int converter in the path
            assert flag(n) == url_for("race.flag_lap", event_id=EVENT, run_id=RUN,
                                      lap_number=n)
        delete = url_maker("race.delete_note", "note_id", event_id=EVENT)
        assert delete(RUN) == url_for("race.delete_note", event_id=EVENT, note_id=RUN)
        shown = url_maker("race.show", "run", event_id=EVENT)  # a query argument
        assert shown(RUN) == url_for("race.show", event_id=EVENT, run=RUN)
        # Once a request: the same maker for the same rule and values.
        assert url_maker("race.show", "run", event_id=EVENT) is shown
        assert url_maker("race.show", "run", event_id=RUN) is not shown


def test_url_maker_quotes_what_it_puts_in(csv_app: Flask) -> None:
    with csv_app.test_request_context("/"):
        assert url_maker("race.show", "run", event_id=EVENT)("a b&c=d") == \
            f"/race/{EVENT}?run=a%20b%26c%3Dd"


def test_url_maker_gives_markup_escaped_once(csv_app: Flask) -> None:
    """Its URLs go into attributes unescaped again: the rule's own "&" is escaped once."""
    with csv_app.test_request_context("/"):
        made = url_maker("race.show", "run", event_id=EVENT, edit="laps")(RUN)
        plain = url_for("race.show", event_id=EVENT, edit="laps", run=RUN)
        html = render_template_string('<a href="{{ u }}">', u=made)
    assert "&" in plain and isinstance(made, Markup)
    assert made == escape(plain) and html == f'<a href="{escape(plain)}">'


def test_clock_is_a_local_time_element(csv_app: Flask) -> None:
    when = datetime(2026, 12, 3, 14, 2, 9, tzinfo=UTC)
    with csv_app.test_request_context("/"):
        html = render_template_string("{{ t | clock }}", t=when)
    assert html == f'<time datetime="{when.isoformat()}" data-local>14:02</time>'


def test_fixed_url_is_url_for_made_once_per_script_root(csv_app: Flask) -> None:
    """The header's and tab bar's URLs: built once per app, but a mounted app (another
    SCRIPT_NAME) still gets its own."""
    with csv_app.test_request_context("/"):
        made = fixed_url("garage.show_garage")
        assert made == url_for("garage.show_garage") and isinstance(made, Markup)
        assert fixed_url("garage.show_garage") is made
    with csv_app.test_request_context("/", base_url="http://localhost/apex"):
        assert fixed_url("garage.show_garage") == "/apex" + made
    other = make_app({**CSV, "APEX_DATA_DIR": str(Path(csv_app.config["APEX_DATA_DIR"]) / "x")})
    with other.test_request_context("/"):
        assert fixed_url("garage.show_garage") is not made
