"""What a production worker does at boot: wsgi.py compiles every template, so no racer's
first page of a kind pays a cold compile; importing the app hashes no password."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from apex import compile_templates
from tests.conftest import running_app

ROOT = Path(__file__).resolve().parent.parent


def test_every_template_is_compiled_once_at_boot(tmp_path: Path) -> None:
    with running_app({"DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path)}) as app:
        env = app.jinja_env
        assert not env.auto_reload  # production keeps what it compiled
        count = compile_templates(app)
        assert count == len(env.list_templates(extensions=["html"])) > 30
        assert env.cache is not None and len(env.cache) >= count
        compiled = env.get_template("race/show.html")
        compile_templates(app)
        assert env.get_template("race/show.html") is compiled  # from the cache


def test_importing_wsgi_compiles_the_templates_and_hashes_no_password(tmp_path: Path) -> None:
    probe = """
import werkzeug.security as security
made = []
real = security.generate_password_hash
security.generate_password_hash = lambda *a, **k: made.append(1) or real(*a, **k)
import wsgi
print(len(wsgi.app.jinja_env.cache), len(made))
"""
    env = {"APEX_ENV": "development", "APEX_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert int(out[0]) > 30 and out[1] == "0"
