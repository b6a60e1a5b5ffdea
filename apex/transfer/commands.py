"""``flask db import-csv`` and ``flask db export-csv``."""

from __future__ import annotations

import uuid
from pathlib import Path

import click
from flask.cli import with_appcontext

from apex.db import get_store
from apex.models import User
from apex.passwords import read_password_hash
from apex.store import DuplicateError
from apex.stores.csv import CsvStore
from apex.transfer import ImportFailed, Report, RowError, Rows


@click.command("import-csv")
@with_appcontext
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--owner", help="Account that gets an old-app export's profile, cars and notes "
                              "(created when missing).")
@click.option("--email", help="Email of a new --owner (default: the export's profile email).")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--password-stdin", is_flag=True, help="Read a new owner's password from stdin.")
def import_csv_command(folder: Path, owner: str | None, email: str | None, dry_run: bool,
                       password_stdin: bool) -> None:
    """Load an old-app export or an APEX CSV folder into the store; safe to repeat."""
    from apex.transfer.folder import read_folder  # the parsers load only when used

    store = get_store()
    user = store.find_user(owner) if owner else None
    new_owner = owner is not None and user is None
    if new_owner:
        assert owner is not None  # new_owner says so (mypy cannot follow the flag)
        password_hash = "" if dry_run else read_password_hash(
            from_stdin=password_stdin, prompt=f"Password for the new account {owner}")
        user = User(str(uuid.uuid4()), owner, email or "", password_hash, False,
                    str(uuid.uuid4()))
    warnings: list[RowError] = []
    try:
        rows = read_folder(folder, user, warnings)
        if new_owner:
            assert user is not None  # made above for the new owner
            rows = _with_new_owner(rows, user, email)
        report = store.import_rows(rows, dry_run=dry_run)
    except ImportFailed as failed:
        _echo_warnings(warnings)
        for error in failed.errors:
            click.echo(f"error: {error}", err=True)
        raise click.ClickException("nothing was imported") from None
    except DuplicateError as err:  # a unique rule the plan did not foresee
        raise click.ClickException(f"{err.message} Nothing was imported.") from None
    _echo_warnings(warnings)
    click.echo(f"{folder} -> {store.kind} store" + (f" (owner {owner}"
               + (", a new account)" if new_owner else ")") if owner else ""))
    _echo_report(report)


def _with_new_owner(rows: Rows, user: User, email: str | None) -> Rows:
    """Create the owner in the same transaction as the rest: all of it or none."""
    profiles = rows.get("racer_profiles") or [{"id": user.racer_id, "user_id": user.id}]
    profile = profiles[0]
    account = {"id": user.id, "username": user.username, "is_admin": False,
               "email": email or profile.get("email") or "",
               "password_hash": user.password_hash}
    if not account["email"]:
        raise click.ClickException("the new owner needs an email: give --email")
    profile.setdefault("name", user.username)
    profile.setdefault("email", account["email"])
    return {**rows, "users": [account, *rows.get("users", [])], "racer_profiles": profiles}


@click.command("export-csv")
@with_appcontext
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export_csv_command(folder: Path) -> None:
    """Write every table as an APEX CSV store (a backup, and the way back from PostgreSQL)."""
    if folder.exists() and any(folder.glob("*.csv")):
        raise click.ClickException(f"{folder} already holds CSV files: choose a new folder")
    target = CsvStore(folder)
    target.upgrade()
    report = target.import_rows(get_store().dump_tables())
    click.echo(f"{get_store().kind} store -> {folder}")
    _echo_report(report)
    click.echo(f"To run on these files: unset DATABASE_URL and set APEX_DATA_DIR={folder}")


def _echo_warnings(warnings: list[RowError]) -> None:
    """Each cell read but not as written (``N/A`` -> blank): the racer checks them."""
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def _echo_report(report: Report) -> None:
    click.echo(f"{'table':<18}{'read':>7}{'created':>9}{'updated':>9}{'unchanged':>11}")
    for table, c in report.counts.items():
        click.echo(f"{table:<18}{c.read:>7}{c.created:>9}{c.updated:>9}{c.unchanged:>11}")
    created = sum(c.created for c in report.counts.values())
    updated = sum(c.updated for c in report.counts.values())
    if report.dry_run:
        click.echo(f"Dry run: would create {created} and update {updated} rows; "
                   "nothing was written.")
    elif report.changed:
        click.echo(f"Done: {created} rows created, {updated} updated.")
    else:
        click.echo("Nothing changed: all of it was already there.")


COMMANDS = (import_csv_command, export_csv_command)
