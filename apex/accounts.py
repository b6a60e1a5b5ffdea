"""``flask user …``: accounts from the command line (first admin, lost passwords)."""

from __future__ import annotations

import click

from apex.db import StoreGroup, get_store
from apex.models import User
from apex.passwords import read_password_hash
from apex.store import DuplicateError

user_cli = StoreGroup("user", help="Create accounts, grant admin, reset passwords.")


def _existing(username: str) -> User:
    user = get_store().find_user(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


@user_cli.command("create")
@click.argument("username")
@click.option("--email", required=True, help="The account's email (unique).")
@click.option("--admin", is_flag=True, help="Make the account an admin.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_command(username: str, email: str, admin: bool, password_stdin: bool) -> None:
    """Create an account (and its racer profile)."""
    password_hash = read_password_hash(from_stdin=password_stdin)
    try:
        user = get_store().create_user(username, email, password_hash, is_admin=admin)
    except DuplicateError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"created user {user.username}{' (admin)' if admin else ''}")


@user_cli.command("set-admin")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="Take admin rights away instead.")
def set_admin_command(username: str, revoke: bool) -> None:
    """Grant (or with --revoke, remove) admin rights."""
    user = _existing(username)
    get_store().set_admin(user.id, not revoke)
    click.echo(f"{user.username} is {'no longer ' if revoke else ''}an admin")


@user_cli.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def reset_password_command(username: str, password_stdin: bool) -> None:
    """Set a new password for an account."""
    user = _existing(username)
    get_store().set_password(user.id, read_password_hash(from_stdin=password_stdin))
    click.echo(f"new password set for {user.username}")
