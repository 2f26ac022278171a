"""What the `newsledger` commands share: their common options, the consoles, settings from
options, failing with a message, and printing a frame."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flows.settings import Settings, settings_with

console = Console(stderr=True)
out = Console()

DbOption = Annotated[Path | None, typer.Option(
    "--db", help="Warehouse file (default data/newsledger.duckdb; env NEWSLEDGER_DB).", show_default=False)]
WarehouseOption = Annotated[str | None, typer.Option(
    "--warehouse", help="ducklake:<catalog> for a DuckLake instead of the --db file: a catalog file (Parquet data in "
                        "<catalog>.files/, or NEWSLEDGER_DUCKLAKE_DATA_PATH) or postgres:dbname=... host=... "
                        "(env NEWSLEDGER_WAREHOUSE).", show_default=False)]
ReportsOption = Annotated[Path | None, typer.Option(
    "--reports", help="Reports folder, one sub-folder per run (default: reports/ beside the warehouse).")]
PrivateOption = Annotated[bool, typer.Option(
    "--allow-private-hosts", help="Allow fetching loopback and private addresses (refused by default).")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]


def build_settings(db: Path | None, reports: Path | None, allow_private: bool, *, task_runner: str | None = None,
                   dask_address: str | None = None, warehouse: str | None = None) -> Settings:
    """The settings of a command: the environment's, overridden by the options given.

    Exits with code 1 when the warehouse they name is unusable (``Settings.target``).
    """
    if db and warehouse:
        fail("give either --db (a DuckDB file) or --warehouse (a DuckLake), not both")
    settings = settings_with(db=db, warehouse=warehouse, reports=reports, allow_private_hosts=allow_private,
                             task_runner=task_runner, dask_address=dask_address)
    try:
        settings.target()
    except ValueError as exc:
        fail(str(exc))
    return settings


def check_writable(settings: Settings) -> None:
    """Exit with code 1, before any run starts, when the warehouse file cannot be written:
    the path is a folder, or its folder cannot be created or written to."""
    target = settings.target()
    if not isinstance(target, Path):
        return
    if target.is_dir():
        fail(f"{target} is a folder: give the warehouse a file path, e.g. {target / 'newsledger.duckdb'}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create the folder of the warehouse {target}: {exc.strerror or exc}")
    if not os.access(target.parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        fail(f"cannot write the warehouse {target}: check its permissions or pass another --db")


@contextmanager
def one_line_errors() -> Iterator[None]:
    """While a command runs a flow, keep off the console the traceback Prefect logs when a
    flow or task run fails: the command says why in one line (the Prefect API still gets
    the whole record). Prefect must be imported first."""
    import logging

    from prefect.logging.handlers import APILogHandler

    quiet = _EngineTracebacks()
    handlers = [handler for name in ("", "prefect") for handler in logging.getLogger(name).handlers
                if not isinstance(handler, APILogHandler)]  # Prefect's console handler is the root's
    for handler in handlers:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(quiet)


class _EngineTracebacks:
    """Drops the error records with a traceback that Prefect's flow and task engines log."""

    def filter(self, record) -> bool:
        engine = record.name.startswith(("prefect.flow_runs", "prefect.task_runs", "prefect.engine"))
        return not (engine and record.levelno >= 40 and (record.exc_info or "Crash detected" in record.getMessage()))


def fail(message: str, code: int = 1) -> None:
    """Print ``message`` as an error on stderr and exit with ``code``."""
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def check_format(format: str) -> None:
    """Exit with an error unless ``format`` is table, csv or json."""
    if format not in ("table", "csv", "json"):
        fail(f"--format must be table, csv or json, not {format!r}")


def print_frame(frame, format: str) -> None:
    """Print a polars frame on stdout as a table, CSV (lists and structs as JSON text) or
    JSON records."""
    import polars as pl

    if format == "csv":
        nested = [c for c in frame.columns if isinstance(frame[c].dtype, pl.List | pl.Array | pl.Struct)]
        sys.stdout.write(frame.with_columns(
            pl.Series(c, [None if v is None else json.dumps(v, default=str) for v in frame[c].to_list()],
                      dtype=pl.String) for c in nested
        ).write_csv())
    elif format == "json":
        sys.stdout.write(json.dumps(frame.to_dicts(), default=str, indent=1) + "\n")
    else:
        table = Table()
        for column in frame.columns:
            table.add_column(column, overflow="fold")  # whole run ids and URLs, folded, never cut
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        out.print(table)
