"""Password hashes, made in one place, and reading a new password on the command line."""

from __future__ import annotations

import functools
import sys

import click
from flask import current_app
from werkzeug.security import generate_password_hash

from apex.schemas.auth import PASSWORD_MIN


def hash_password(password: str) -> str:
    """A hash by the app's ``PASSWORD_HASH_METHOD`` (werkzeug's default, scrypt, unless a
    test app asks for a cheap one: checking reads the method from the hash itself)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-real-password", method=method)


def dummy_hash() -> str:
    """A hash of no one's password, made once per method when first needed (not at
    import, which every worker start paid): checking it keeps "no such user" as slow
    as "wrong password"."""
    return _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])


def read_password_hash(*, from_stdin: bool, prompt: str = "Password") -> str:
    """Ask twice (hidden) or read one line from stdin; refuse one that is too short."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    if len(password) < PASSWORD_MIN:
        raise click.ClickException(f"the password needs at least {PASSWORD_MIN} characters")
    return hash_password(password)
