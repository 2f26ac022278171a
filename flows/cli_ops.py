"""The `newsledger` commands that look at the warehouse and at pages without running the
pipeline: sql, status, inspect, report, docs, quarantine (registered in ``flows.cli``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from flows.cli_common import (
    DbOption,
    FormatOption,
    PrivateOption,
    ReportsOption,
    WarehouseOption,
    build_settings,
    check_format,
    fail,
    out,
    print_frame,
)


def sql(
    query: Annotated[str, typer.Argument(help="SQL to run on a read-only connection.")],
    db: DbOption = None, warehouse: WarehouseOption = None,
    format: FormatOption = "table",
    wait: Annotated[float, typer.Option(help="Seconds to wait while a run's load holds the file.", min=0)] = 30.0,
) -> None:
    """Run an ad-hoc query against the warehouse (read-only).

    Example: newsledger sql "SELECT status, count(*) FROM mart.facts GROUP BY ALL"
    """
    from warehouse.db import WarehouseBusy, connect

    check_format(format)
    settings = build_settings(db, None, False, warehouse=warehouse)
    try:
        con = connect(settings.target(), read_only=True, wait_s=wait)
    except (WarehouseBusy, FileNotFoundError, duckdb.Error) as exc:
        fail(f"cannot open the warehouse {settings.target()}: {exc}")
    try:
        cursor = con.execute(query) if query.strip() else None
        if cursor is None or cursor.description is None:
            fail("the query returned no result set (an empty query, or a statement that is not a SELECT)")
        frame = cursor.pl()
    except duckdb.Error as exc:
        fail(f"query failed: {exc}")
    finally:
        con.close()
    print_frame(frame, format)


def status(db: DbOption = None, limit: Annotated[int, typer.Option(help="Runs to show.", min=1)] = 10,
           warehouse: WarehouseOption = None) -> None:
    """Show the last runs and the URLs pending a retry or given up.

    Example: newsledger status --db data/newsledger.duckdb
    """
    settings = build_settings(db, None, False, warehouse=warehouse)
    from warehouse.db import connect, read_sql

    failed = failed_runs(settings.resolved_reports(), limit)
    if failed:
        out.print("[bold]failed runs[/] (nothing of them is in the warehouse; their summary.json says why)")
        print_frame(_frame(failed), "table")
    try:
        con = connect(settings.target(), read_only=True, wait_s=30)
    except Exception as exc:
        fail(str(exc))
    runs = con.execute(read_sql("recent_runs"), {"limit": limit}).pl()
    pending = con.execute(read_sql("pending_urls")).pl()
    con.close()
    print_frame(runs, "table")
    print_frame(pending, "table")


def failed_runs(reports: Path, limit: int) -> list[dict]:
    """The latest ``limit`` runs whose <reports>/<run_id>/summary.json says they failed:
    run_id, started_at (ISO text) and error, newest first. A failed run leaves the
    warehouse as it was, so its summary is its only record."""
    found = []
    for path in reports.glob("*/summary.json"):
        try:
            summary = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if summary.get("outcome") == "failed":
            found.append({key: summary.get(key) for key in ("run_id", "started_at", "error")})
    return sorted(found, key=lambda run: run["started_at"] or "", reverse=True)[:limit]


def _frame(rows: list[dict]):
    import polars as pl

    return pl.DataFrame(rows, schema={"run_id": pl.String, "started_at": pl.String, "error": pl.String})


def inspect(
    target: Annotated[str, typer.Argument(help="A page URL or a local HTML file.")],
    allow_private_hosts: PrivateOption = False,
) -> None:
    """Show what the pipeline takes from one page: metadata, every date signal, text, facts.

    Example: newsledger inspect https://example.com/2024/10/29/story.html
    """
    from flows.inspection import inspect_page

    try:
        inspect_page(target, out, allow_private_hosts=allow_private_hosts)
    except Exception as exc:
        fail(str(exc))


def report(
    db: DbOption = None, reports: ReportsOption = None, warehouse: WarehouseOption = None,
    run_id: Annotated[str | None, typer.Option("--run", help="Run id (default: the latest run).")] = None,
) -> None:
    """Rebuild a run's HTML report (<reports>/<run_id>/index.html) and print its path.

    Example: newsledger report --run nightly-20250101T020000Z-ab12cd
    """
    from flows.report import build_run_report
    from warehouse.db import connect, read_sql

    settings = build_settings(db, reports, False, warehouse=warehouse)
    if run_id is None:
        try:
            con = connect(settings.target(), read_only=True, wait_s=30)
        except Exception as exc:
            fail(str(exc))
        found = con.execute(read_sql("latest_run_id")).fetchone()
        con.close()
        if not found:
            fail("no runs in the warehouse yet")
        run_id = found[0]
    try:
        path = build_run_report(settings.target(), run_id, settings.resolved_reports() / run_id)
    except LookupError as exc:
        fail(str(exc))
    out.print(str(path))


def docs(
    db: DbOption = None, warehouse: WarehouseOption = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for data_dictionary.md and .html.")] = Path("docs"),
) -> None:
    """Write the warehouse's data dictionary (Markdown and HTML) from the catalog's comments.

    Example: newsledger docs --db data/demo.duckdb --out docs
    """
    from flows.docs import write_data_dictionary

    settings = build_settings(db, None, False, warehouse=warehouse)
    try:
        paths = write_data_dictionary(settings.target(), out_dir)
    except Exception as exc:
        fail(str(exc))
    for path in paths:
        out.print(str(path))


def quarantine(
    db: DbOption = None, warehouse: WarehouseOption = None,
    run_id: Annotated[str | None, typer.Option("--run", help="Only rows of this run.")] = None,
    release: Annotated[bool, typer.Option(
        "--release", help="Release the listed rows: the next run fetches and validates them again.")] = False,
    format: FormatOption = "table",
) -> None:
    """List quarantined rows with the expectations they failed; --release lets them load.

    Example: newsledger quarantine --run nightly-20250101T020000Z-ab12cd
    """
    from warehouse.db import connect, list_quarantine, release_quarantine

    check_format(format)
    settings = build_settings(db, None, False, warehouse=warehouse)
    try:
        con = connect(settings.target(), read_only=not release, wait_s=30)
    except Exception as exc:
        fail(str(exc))
    try:
        frame = list_quarantine(con, run_id)
        if release:
            release_quarantine(con, run_id, dt.datetime.now(dt.UTC))
    finally:
        con.close()
    print_frame(frame, format)
    if release:
        out.print(f"released {frame.height} rows: the next run fetches and validates their pages again")
