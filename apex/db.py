"""The backend choice and the ``flask db`` commands.

Blueprints talk to the data only through ``get_store()``. ``DATABASE_URL``
set -> PostgresStore; unset -> CsvStore in ``APEX_DATA_DIR``. The protocol the
stores implement is ``apex.store.Store``.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from apex.schema_sync import SchemaReport
from apex.store import Store


def make_store(config: Mapping[str, Any]) -> Store:
    """Build the store the configuration asks for (and open it)."""
    url = config.get("DATABASE_URL")
    if url:
        from apex.stores.postgres import PostgresStore

        return PostgresStore(
            url,
            min_size=int(config.get("APEX_POOL_MIN", 1)),
            max_size=int(config.get("APEX_POOL_MAX", 5)),
        )
    from apex.stores.csv import CsvStore

    # APEX_CSV_COMPACT_BYTES: unset keeps apex.stores.csv_tables.COMPACT_BYTES.
    return CsvStore(Path(config["APEX_DATA_DIR"]),
                    compact_bytes=config.get("APEX_CSV_COMPACT_BYTES"))


def get_store() -> Store:
    return current_app.extensions["apex.store"]


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the schema (PostgreSQL tables or CSV files with headers)."""
    _echo_report(get_store().upgrade())


@click.command("upgrade")
@with_appcontext
def upgrade_command() -> None:
    """Apply pending migrations and add the catalogue's new columns; safe to run again."""
    _echo_report(get_store().upgrade())


@click.command("status")
@with_appcontext
def status_command() -> None:
    """List migrations and catalogue columns to add, and whether each is in place."""
    store = get_store()
    click.echo(f"store: {store.kind}")
    for name, applied in store.schema_status():
        click.echo(f"{'applied' if applied else 'pending'}  {name}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Add the demo racer with two cars and a dozen library baselines (once)."""
    from apex.demo import DEMO_PASSWORD, DEMO_USERNAME, seed_demo

    created, report = seed_demo(get_store())
    state = "created" if created else "already there"
    library = report.counts["master_library"]
    click.echo(f"library baselines: {library.created} added, {library.unchanged} already there")
    notes = report.counts["theory_documents"]
    click.echo(f"tuning notes: {notes.created} added, {notes.unchanged} already there")
    click.echo(f"demo racer {state}: log in as {DEMO_USERNAME} / {DEMO_PASSWORD}")


def _echo_report(report: SchemaReport) -> None:
    for line in report.lines():
        click.echo(line)


def cli(extra: Iterable[click.Command] = ()) -> AppGroup:
    """The ``flask db`` group: this module's commands and ``extra`` ones (import, export)."""
    group = AppGroup("db", help="Create, upgrade and inspect the data store.")
    for command in (init_command, upgrade_command, status_command, seed_demo_command, *extra):
        group.add_command(command)
    return group


def init_app(app: Flask) -> None:
    """Open the store for this process (closed when the process exits)."""
    store = make_store(app.config)
    app.extensions["apex.store"] = store
    atexit.register(store.close)
