"""Reading a new password on the command line (prompt or standard input)."""

from __future__ import annotations

import sys

import click
from werkzeug.security import generate_password_hash

from apex.schemas.auth import PASSWORD_MIN


def read_password_hash(*, from_stdin: bool, prompt: str = "Password") -> str:
    """Ask twice (hidden) or read one line from stdin; refuse one that is too short."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    if len(password) < PASSWORD_MIN:
        raise click.ClickException(f"the password needs at least {PASSWORD_MIN} characters")
    return generate_password_hash(password)
