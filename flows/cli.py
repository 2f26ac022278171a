"""The `newsledger` command line: run, backfill, sql, status, demo, serve."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from contextlib import nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import duckdb
import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.settings import Settings, TaskRunnerName
from flows.temporary_api import TemporaryApi, temporary_api

if TYPE_CHECKING:
    from flows.pipeline import Run

app = typer.Typer(
    help="newsledger: news articles in, business facts over time out (DuckDB warehouse).\n\n"
         "Example: newsledger run --source https://example.com/feed.xml",
    no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False,
)
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
SourceOption = Annotated[list[str] | None, typer.Option(
    "--source", "-s", help="RSS/Atom feed, sitemap or sitemap index URL; repeat for several.")]
ConfigOption = Annotated[Path | None, typer.Option(
    "--config", "-c", help="YAML file with `sources:` (a list of URLs) and optional `allow_private_hosts:`.")]
PrivateOption = Annotated[bool, typer.Option(
    "--allow-private-hosts", help="Allow fetching loopback and private addresses (refused by default).")]
TaskRunnerOption = Annotated[TaskRunnerName | None, typer.Option(
    "--task-runner", help="Where extraction batches run: local (worker processes here) or dask (Prefect tasks on a "
                          "Dask cluster); default env NEWSLEDGER_TASK_RUNNER, else local.", show_default=False)]
DaskAddressOption = Annotated[str | None, typer.Option(
    "--dask-address", help="Dask scheduler for --task-runner dask, e.g. tcp://10.0.0.5:8786 (default: a local "
                           "cluster started for the run; env NEWSLEDGER_DASK_ADDRESS).", show_default=False)]

# The flow function travels to Dask workers with every batch (prefect-dask sends the flow
# run's context along), so the CLI's flow must not close over the run or the progress bars.
_cli_run_context: ContextVar[tuple[Run, Callable[[str, int, int], None]]] = ContextVar("cli_run")


def _settings(db: Path | None, reports: Path | None, allow_private: bool, *, task_runner: str | None = None,
              dask_address: str | None = None, warehouse: str | None = None) -> Settings:
    overrides: dict[str, object] = {}
    if db:
        overrides["db"] = db
    if warehouse:
        overrides["warehouse"] = warehouse
    if reports:
        overrides["reports"] = reports
    if allow_private:
        overrides["allow_private_hosts"] = True
    if task_runner:
        overrides["task_runner"] = task_runner
    if dask_address:
        overrides["dask_address"] = dask_address
    settings = Settings(**overrides)
    try:
        settings.target()
    except ValueError as exc:
        _fail(str(exc))
    return settings


def _sources(source: list[str] | None, config: Path | None) -> tuple[list[str], bool]:
    sources, allow_private = list(source or []), False
    if config:
        if not config.exists():
            _fail(f"config file {config} does not exist")
        loaded = yaml.safe_load(config.read_text()) or {}
        sources += list(loaded.get("sources", []))
        allow_private = bool(loaded.get("allow_private_hosts", False))
    if not sources:
        _fail("no sources: pass --source URL (repeatable) or --config sources.yaml")
    return sources, allow_private


def _fail(message: str, code: int = 1) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _execute(kind: str, sources: list[str], settings: Settings, since: dt.date | None = None,
             until: dt.date | None = None) -> dict:
    """Run the pipeline inside a Prefect flow run, with a rich progress bar per stage."""
    with temporary_api() as api:  # the server starts while the pipeline's modules import
        return _execute_on(api, kind, sources, settings, since, until)


def _execute_on(api: TemporaryApi | None, kind: str, sources: list[str], settings: Settings,
                since: dt.date | None = None, until: dt.date | None = None) -> dict:
    from flows.pipeline import Run

    run = Run(kind=kind, settings=settings, since=since, until=until)
    if api:
        api.wait_ready()
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        bars: dict[str, int] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                bars[stage] = progress.add_task(stage, total=total)
            progress.update(bars[stage], completed=done, total=total)

        from prefect import flow

        token = _cli_run_context.set((run, report))
        try:
            return flow(_run_pipeline_of_context, name=kind, log_prints=False, validate_parameters=False)(sources)
        except Exception as exc:  # the run itself failed: say why, exit non-zero
            _fail(f"run {run.run_id} failed: {exc}")
        finally:
            _cli_run_context.reset(token)
    raise AssertionError("unreachable")


def _run_pipeline_of_context(sources: list[str]) -> dict:
    """The body of the flow `newsledger run` starts: the pipeline for the run ``_execute`` set."""
    from flows.pipeline import run_pipeline

    run, report = _cli_run_context.get()
    return run_pipeline(sources, run, report)


def _print_summary(summary: dict) -> None:
    counts = summary["counts"]
    table = Table(title=f"run {summary['run_id']}", show_header=False)
    for label, key in (("discovered", "discovered"), ("fetched", "fetched"), ("not modified (304)", "not_modified"),
                       ("articles loaded", "articles"), ("fact mentions loaded", "facts"),
                       ("failures", "outcome_failed"), ("given up", "outcome_gave_up")):
        table.add_row(label, str(counts.get(key, 0)))
    for stage, seconds in summary["stage_seconds"].items():
        table.add_row(f"time: {stage}", f"{seconds:.2f} s")
    table.add_row("reports", summary["reports"])
    out.print(table)
    for failure in summary["failures"][:20]:
        out.print(f"[yellow]failed[/] {failure['url']}: {failure['error']}")


@app.command()
def run(
    source: SourceOption = None, config: ConfigOption = None, db: DbOption = None,
    allow_private_hosts: PrivateOption = False, reports: ReportsOption = None, warehouse: WarehouseOption = None,
    task_runner: TaskRunnerOption = None, dask_address: DaskAddressOption = None,
) -> None:
    """Run the nightly pipeline over feeds and sitemaps and load the warehouse.

    Exit code 0 when the run completed (failed URLs are in mart.fetch_log), 1 when it failed.

    Example: newsledger run -s https://example.com/feed.xml -s https://example.com/sitemap_index.xml

    Example (DuckLake): newsledger run --warehouse ducklake:data/catalog.ducklake -s https://example.com/feed.xml

    On a Dask cluster: newsledger run -s URL --task-runner dask --dask-address tcp://10.0.0.5:8786
    """
    sources, config_private = _sources(source, config)
    settings = _settings(db, reports, allow_private_hosts or config_private, task_runner=task_runner,
                         dask_address=dask_address, warehouse=warehouse)
    _print_summary(_execute("nightly", sources, settings))


@app.command()
def backfill(
    since: Annotated[dt.datetime, typer.Option(help="First publication date (YYYY-MM-DD).", formats=["%Y-%m-%d"])],
    until: Annotated[dt.datetime, typer.Option(
        help="Last publication date, inclusive (YYYY-MM-DD).", formats=["%Y-%m-%d"])],
    source: SourceOption = None, config: ConfigOption = None, db: DbOption = None,
    allow_private_hosts: PrivateOption = False, reports: ReportsOption = None,
    partition: Annotated[str, typer.Option(help="Cut the window into month, week or day partitions.")] = "month",
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="List the partitions and the URLs each would fetch.")] = False,
    via_prefect: Annotated[bool, typer.Option(
        "--via-prefect", help="Create a run of the backfill deployment on the Prefect server (PREFECT_API_URL).",
    )] = False,
    task_runner: TaskRunnerOption = None, dask_address: DaskAddressOption = None,
) -> None:
    """Load only the articles published from --since to --until (from sitemaps and feeds), one
    run per partition; partitions already loaded are skipped.

    Example: newsledger backfill --since 2024-01-01 --until 2024-06-30 -s https://example.com/sitemap_index.xml

    Extraction on a Dask cluster: add --task-runner dask --dask-address tcp://10.0.0.5:8786
    """
    server = nullcontext() if dry_run or via_prefect else temporary_api()  # only a run needs Prefect's API
    with server as api:  # started before flows.backfill imports Prefect
        from flows.backfill import backfill as backfill_flow
        from flows.backfill import partitions, plan

        try:
            cut = partitions(since.date(), until.date(), partition)  # type: ignore[arg-type]
        except ValueError as exc:
            _fail(str(exc))
        sources, config_private = _sources(source, config)
        settings = _settings(db, reports, allow_private_hosts or config_private, task_runner=task_runner,
                             dask_address=dask_address)
        runner = {"task_runner": settings.task_runner, "dask_address": settings.dask_address}
        if dry_run:
            _print_plan(plan(sources, cut, settings))
            return
        if via_prefect:
            _submit_backfill({"since": f"{since:%Y-%m-%d}", "until": f"{until:%Y-%m-%d}", "sources": sources,
                              "db": str(settings.target()), "allow_private_hosts": settings.allow_private_hosts,
                              "reports": str(reports) if reports else None, "partition": partition, **runner})
            return
        try:
            if api:
                api.wait_ready()
            result = backfill_flow(since.date(), until.date(), sources, str(settings.target()),
                                   settings.allow_private_hosts, str(reports) if reports else None, partition,
                                   **runner)
        except Exception as exc:
            _fail(f"backfill failed: {exc}")
    _print_frame(_partitions_frame(result["partitions"]), "table")


def _print_plan(planned) -> None:
    for part in planned:
        out.print(f"[bold]{part.label}[/]: {len(part.urls)} URLs")
        for url in part.urls:
            out.print(f"  {url}", soft_wrap=True, highlight=False)


def _submit_backfill(parameters: dict) -> None:
    from flows.server import create_backfill_run

    try:
        run_id, name = create_backfill_run(parameters)
    except Exception as exc:
        _fail(f"could not create a backfill run on the Prefect server: {exc}. "
              "Is `newsledger server` running and `newsledger deploy` serving? (PREFECT_API_URL)")
    out.print(f"created flow run {name} ({run_id}); follow it with: prefect flow-run inspect {run_id}")


def _partitions_frame(rows: list[dict]):
    """A polars frame of result rows (lists shown as their length)."""
    import polars as pl

    return pl.DataFrame([{k: len(v) if isinstance(v, list) else v for k, v in row.items() if k != "idempotency_key"}
                         for row in rows])


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run on a read-only connection.")],
    db: DbOption = None, warehouse: WarehouseOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    wait: Annotated[float, typer.Option(help="Seconds to wait while a run's load holds the file.", min=0)] = 30.0,
) -> None:
    """Run an ad-hoc query against the warehouse (read-only).

    Example: newsledger sql "SELECT status, count(*) FROM mart.facts GROUP BY ALL"
    """
    from warehouse.db import WarehouseBusy, connect

    _check_format(format)
    settings = _settings(db, None, False, warehouse=warehouse)
    try:
        con = connect(settings.target(), read_only=True, wait_s=wait)
    except (WarehouseBusy, FileNotFoundError, duckdb.Error) as exc:
        _fail(f"cannot open the warehouse {settings.target()}: {exc}")
    try:
        cursor = con.execute(query) if query.strip() else None
        if cursor is None or cursor.description is None:
            _fail("the query returned no result set (an empty query, or a statement that is not a SELECT)")
        frame = cursor.pl()
    except duckdb.Error as exc:
        _fail(f"query failed: {exc}")
    finally:
        con.close()
    _print_frame(frame, format)


def _check_format(format: str) -> None:
    if format not in ("table", "csv", "json"):
        _fail(f"--format must be table, csv or json, not {format!r}")


def _print_frame(frame, format: str) -> None:
    if format == "csv":
        sys.stdout.write(frame.with_columns(
            [frame[c].cast(str) for c in frame.columns if str(frame[c].dtype).startswith("List")]
        ).write_csv())
    elif format == "json":
        sys.stdout.write(json.dumps(frame.to_dicts(), default=str, indent=1) + "\n")
    else:
        table = Table(*frame.columns)
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        out.print(table)


@app.command()
def status(db: DbOption = None, limit: Annotated[int, typer.Option(help="Runs to show.", min=1)] = 10,
           warehouse: WarehouseOption = None) -> None:
    """Show the last runs and the URLs pending a retry or given up.

    Example: newsledger status --db data/newsledger.duckdb
    """
    settings = _settings(db, None, False, warehouse=warehouse)
    from warehouse.db import connect, read_sql

    try:
        con = connect(settings.target(), read_only=True, wait_s=30)
    except Exception as exc:
        _fail(str(exc))
    runs = con.execute(read_sql("recent_runs"), {"limit": limit}).pl()
    pending = con.execute(read_sql("pending_urls")).pl()
    con.close()
    _print_frame(runs, "table")
    _print_frame(pending, "table")


@app.command()
def demo(
    db: Annotated[Path, typer.Option("--db", help="Warehouse file for the demo.")] = Path("data/demo.duckdb"),
) -> None:
    """Serve the bundled sample site on loopback, run the nightly flow on it, print answers.

    Example: newsledger demo
    """
    import tempfile

    from flows.demo import print_answers
    from flows.demo_site import serve_demo

    with tempfile.TemporaryDirectory() as tmp, serve_demo(Path(tmp)) as (base_url, manifest):
        console.print(f"serving the sample site at {base_url}")
        sources = list(manifest["feeds"]) + [manifest["sitemap_index"]]
        settings = _settings(db, None, True)
        _print_summary(_execute("nightly", sources, settings))
    print_answers(settings.target(), out)


@app.command()
def reprocess(
    db: DbOption = None, reports: ReportsOption = None,
    all_articles: Annotated[bool, typer.Option(
        "--all", help="Redo every archived article, not only stale ones.")] = False,
    stale: Annotated[bool, typer.Option(
        "--stale", help="Only articles extracted by an older extractor (default).")] = True,
) -> None:
    """Re-derive articles and facts from the raw archive, without the network.

    Example: newsledger reprocess --stale --db data/newsledger.duckdb
    """
    settings = _settings(db, reports, False)
    try:
        with temporary_api() as api:
            from flows.reprocess import reprocess as reprocess_flow

            if api:
                api.wait_ready()
            summary = reprocess_flow(stale=stale and not all_articles, db=str(settings.target()),
                                     reports=str(reports) if reports else None)
    except Exception as exc:
        _fail(f"reprocess failed: {exc}")
    _print_summary(summary)


@app.command()
def inspect(
    target: Annotated[str, typer.Argument(help="A page URL or a local HTML file.")],
    allow_private_hosts: PrivateOption = False,
) -> None:
    """Show what the pipeline takes from one page: metadata, every date signal, text, facts.

    Example: newsledger inspect https://example.com/2024/10/29/story.html
    """
    from flows.inspect import inspect_page

    try:
        inspect_page(target, out, allow_private_hosts=allow_private_hosts)
    except Exception as exc:
        _fail(str(exc))


@app.command()
def report(
    db: DbOption = None, reports: ReportsOption = None,
    run_id: Annotated[str | None, typer.Option("--run", help="Run id (default: the latest run).")] = None,
) -> None:
    """Rebuild a run's HTML report (<reports>/<run_id>/index.html) and print its path.

    Example: newsledger report --run nightly-20250101T020000Z-ab12cd
    """
    from flows.report import build_run_report
    from warehouse.db import connect, read_sql

    settings = _settings(db, reports, False)
    if run_id is None:
        try:
            con = connect(settings.target(), read_only=True, wait_s=30)
        except Exception as exc:
            _fail(str(exc))
        found = con.execute(read_sql("latest_run_id")).fetchone()
        con.close()
        if not found:
            _fail("no runs in the warehouse yet")
        run_id = found[0]
    try:
        path = build_run_report(settings.target(), run_id, settings.resolved_reports() / run_id)
    except LookupError as exc:
        _fail(str(exc))
    out.print(str(path))


@app.command()
def docs(
    db: DbOption = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for data_dictionary.md and .html.")] = Path("docs"),
) -> None:
    """Write the warehouse's data dictionary (Markdown and HTML) from the catalog's comments.

    Example: newsledger docs --db data/demo.duckdb --out docs
    """
    from flows.docs import write_data_dictionary

    settings = _settings(db, None, False)
    try:
        paths = write_data_dictionary(settings.target(), out_dir)
    except Exception as exc:
        _fail(str(exc))
    for path in paths:
        out.print(str(path))


@app.command()
def quarantine(
    db: DbOption = None,
    run_id: Annotated[str | None, typer.Option("--run", help="Only rows of this run.")] = None,
    release: Annotated[bool, typer.Option(
        "--release", help="Release the listed rows: the next run fetches and validates them again.")] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """List quarantined rows with the expectations they failed; --release lets them load.

    Example: newsledger quarantine --run nightly-20250101T020000Z-ab12cd
    """
    from warehouse.db import connect, list_quarantine, release_quarantine

    _check_format(format)
    settings = _settings(db, None, False)
    try:
        con = connect(settings.target(), read_only=not release, wait_s=30)
    except Exception as exc:
        _fail(str(exc))
    try:
        frame = list_quarantine(con, run_id)
        if release:
            release_quarantine(con, run_id, dt.datetime.now(dt.UTC))
    finally:
        con.close()
    _print_frame(frame, format)
    if release:
        out.print(f"released {frame.height} rows: the next run fetches and validates their pages again")


@app.command()
def serve() -> None:
    """Serve the nightly and backfill deployments of prefect.yaml from this machine.

    Needs a Prefect API (PREFECT_API_URL), e.g. `prefect server start` in another shell.

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api newsledger serve
    """
    from prefect import serve as prefect_serve

    from flows.backfill import backfill as backfill_flow
    from flows.nightly import nightly as nightly_flow

    prefect_serve(
        nightly_flow.to_deployment(name="nightly", cron="0 2 * * *"),
        backfill_flow.to_deployment(name="backfill"),
    )


@app.command()
def server(
    home: Annotated[Path, typer.Option(help="Prefect home: settings and the server's SQLite database.")] = Path(
        "data/prefect"),
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the API and UI.")] = 4200,
) -> None:
    """Start a local Prefect server (API and UI) with its own database under data/prefect/.

    Then, in another shell: newsledger deploy (it finds the server at http://127.0.0.1:4200/api).

    Example: newsledger server --port 4200
    """
    import os
    import shutil

    from flows.server import server_command, server_environment

    command = server_command(host, port)
    executable = shutil.which("prefect", path=str(Path(sys.executable).parent)) or shutil.which("prefect")
    if executable is None:
        _fail("the prefect command is not installed in this environment: run `make install`")
    home.mkdir(parents=True, exist_ok=True)
    console.print(f"Prefect server at http://{host}:{port} (database {home}/prefect.db); "
                  f"export PREFECT_API_URL=http://{host}:{port}/api")
    os.execve(executable, [executable, *command[1:]], server_environment(home))


@app.command()
def deploy(
    api_url: Annotated[str | None, typer.Option(
        "--api-url", help="Prefect API (default: env PREFECT_API_URL, else http://127.0.0.1:4200/api).")] = None,
    limit: Annotated[int | None, typer.Option(help="Most flow runs executed at once by this process.")] = None,
) -> None:
    """Register the deployments of prefect.yaml (nightly at 02:00 UTC, backfill, backfill-partition, reprocess)
    on a Prefect server and serve them from this process until interrupted.

    Also creates the global concurrency limit newsledger-warehouse-write (1 slot) and the
    automation that marks runs whose heartbeats stop as Crashed.

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api newsledger deploy
    """
    import os

    from flows.server import DEFAULT_API_URL, serve_deployments

    url = api_url or os.environ.get("PREFECT_API_URL") or DEFAULT_API_URL
    console.print(f"registering and serving the deployments of prefect.yaml on {url}")
    try:
        serve_deployments(url, limit)
    except TimeoutError as exc:
        _fail(str(exc))


if __name__ == "__main__":
    app()
