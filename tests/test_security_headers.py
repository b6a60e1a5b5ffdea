"""Issue 9: a strict CSP (scripts from our origin only), HSTS in production, and personal
pages kept out of caches while static files keep their year-long cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import running_app

TEMPLATES = Path(__file__).resolve().parent.parent / "apex" / "templates"
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def test_scripts_run_only_from_our_origin(alice) -> None:
    policy = alice.get("/garage/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in policy and "frame-ancestors 'none'" in policy
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_template_holds_inline_script_or_handlers(path: Path) -> None:
    """The CSP would block them: scripts belong in fingerprinted static files."""
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert "javascript:" not in html and "hx-on" not in html


@pytest.mark.parametrize(("env", "hsts"), [("production", True), ("development", False)])
def test_hsts_only_in_production(store_config, env: str, hsts: bool) -> None:
    with running_app(store_config, APEX_ENV=env) as app:
        response = app.test_client().get("/auth/login")
    assert ("Strict-Transport-Security" in response.headers) is hsts
    if hsts:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_personal_pages_are_not_stored_but_static_files_keep_their_cache(alice) -> None:
    page = alice.get("/garage/")
    assert page.headers["Cache-Control"] == "no-store"
    assert alice.get("/garage/", headers={"HX-Request": "true"}).headers["Cache-Control"] \
        == "no-store"
    for url in ASSET.findall(page.text):
        response = alice.get(url)
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Set-Cookie" not in response.headers


def test_public_pages_keep_their_cache_headers(client) -> None:
    assert "no-store" not in client.get("/auth/login").headers.get("Cache-Control", "")
