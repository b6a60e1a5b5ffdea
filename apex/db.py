"""The backend choice and the ``flask db`` commands.

Blueprints talk to the data only through ``get_store()``. ``DATABASE_URL``
set -> PostgresStore; unset -> CsvStore in ``APEX_DATA_DIR``. The protocol the
stores implement is ``apex.store.Store``.
"""

from __future__ import annotations

import atexit
import itertools
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

import click
from flask import Flask, Response, current_app
from flask.cli import AppGroup, with_appcontext

from apex.schema_sync import SchemaReport
from apex.store import Store, StoreUnavailable

T = TypeVar("T")


def make_store(config: Mapping[str, Any]) -> Store:
    """Build the store the configuration asks for (and open it)."""
    url = config.get("DATABASE_URL")
    if url:
        from apex.stores.postgres import PostgresStore

        return PostgresStore(
            url,
            min_size=int(config.get("APEX_POOL_MIN", 1)),
            max_size=int(config.get("APEX_POOL_MAX", 5)),
            timeout=float(config.get("APEX_POOL_TIMEOUT", 5.0)),
            connect_timeout=int(config.get("APEX_DB_CONNECT_TIMEOUT", 3)),
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
    _echo_report(_upgrade_when_reachable())


@click.command("upgrade")
@with_appcontext
def upgrade_command() -> None:
    """Apply pending migrations and add the catalogue's new columns; safe to run again.

    Waits up to APEX_DB_WAIT seconds for the database (a deploy may start before it)."""
    _echo_report(_upgrade_when_reachable())


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


def _upgrade_when_reachable() -> SchemaReport:
    wait = float(current_app.config.get("APEX_DB_WAIT", 60.0))
    return retry_unavailable(get_store().upgrade, wait=wait,
                             echo=lambda line: click.echo(line, err=True))


def retry_unavailable(action: Callable[[], T], *, wait: float, echo: Callable[[str], None],
                      sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic) -> T:
    """``action()``, tried again with backoff while the store is unavailable, for at most
    ``wait`` seconds; then a ClickException that says why (no traceback)."""
    give_up_at = clock() + wait
    delay = 1.0
    for attempt in itertools.count(1):
        try:
            return action()
        except StoreUnavailable as exc:
            left = give_up_at - clock()
            if left <= 0:
                raise click.ClickException(
                    f"could not reach the database within {wait:g} s ({attempt} attempts): "
                    f"{exc}. Check DATABASE_URL and that PostgreSQL is running; "
                    "nothing was changed.") from None
            pause = min(delay, left)
            echo(f"database not reachable (attempt {attempt}): {exc}; "
                 f"retrying in {round(pause, 1):g} s, giving up in {left:.0f} s")
            sleep(pause)
            delay = min(delay * 2, 5.0)
    raise AssertionError("unreachable")


def _echo_report(report: SchemaReport) -> None:
    for line in report.lines():
        click.echo(line)


class StoreGroup(AppGroup):
    """A command group whose commands, meeting an unreachable database, say so in one
    line, no traceback (``flask db``, ``flask user``)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreUnavailable as exc:
            raise click.ClickException(
                f"the database is not reachable: {exc}. Check DATABASE_URL and that "
                "PostgreSQL is running; nothing was changed.") from None


def cli(extra: Iterable[click.Command] = ()) -> AppGroup:
    """The ``flask db`` group: this module's commands and ``extra`` ones (import, export)."""
    group = StoreGroup("db", help="Create, upgrade and inspect the data store.")
    for command in (init_command, upgrade_command, status_command, seed_demo_command, *extra):
        group.add_command(command)
    return group


@runtime_checkable
class RequestScoped(Protocol):
    """A store whose calls in one request share one transaction (PostgresStore)."""

    def begin_request(self) -> None: ...

    def end_request(self, *, commit: bool) -> None: ...


def init_request_transaction(app: Flask) -> None:
    """One transaction per request on a ``RequestScoped`` store: begun before any other
    hook asks the store anything; committed once the view has answered and before the
    other after-request hooks (call this last in create_app), so a commit that fails is
    the outage page, not a false "saved"; rolled back on a server error. The teardown
    rolls back whatever an exception left open."""
    store = app.extensions["apex.store"]
    if not isinstance(store, RequestScoped):
        return

    def begin() -> None:
        store.begin_request()

    def commit(response: Response) -> Response:
        try:
            store.end_request(commit=response.status_code < 500)
        except StoreUnavailable as exc:
            return current_app.make_response(current_app.handle_user_exception(exc))
        return response

    def rollback(_error: BaseException | None) -> None:
        store.end_request(commit=False)

    app.before_request_funcs.setdefault(None, []).insert(0, begin)
    app.after_request(commit)
    app.teardown_request(rollback)


def init_app(app: Flask) -> None:
    """Open the store for this process (closed when the process exits)."""
    store = make_store(app.config)
    app.extensions["apex.store"] = store
    atexit.register(store.close)
