"""The `newsledger` command line: the commands that run the pipeline or serve its flows
(run, backfill, demo, reprocess, serve, server, deploy) here, those that only look at the
warehouse and at pages in ``flows.cli_ops``; every command is registered on ``app`` below.

Nothing here imports Prefect at module level: a run imports it only once its temporary
Prefect server is starting (``flows.temporary_api``)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows import cli_ops
from flows.cli_common import (
    DbOption,
    PrivateOption,
    ReportsOption,
    WarehouseOption,
    build_settings,
    check_writable,
    console,
    fail,
    one_line_errors,
    out,
    print_frame,
)
from flows.settings import Settings, TaskRunnerName
from flows.temporary_api import TemporaryApi, temporary_api

if TYPE_CHECKING:
    from flows.pipeline import Run

DEMO_PORT = 8731  # the sample site's port when free: the same URLs on every `newsledger demo`

app = typer.Typer(
    help="newsledger: news articles in, business facts over time out (DuckDB warehouse).\n\n"
         "Example: newsledger run --source https://example.com/feed.xml",
    no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False,
)

SourceOption = Annotated[list[str] | None, typer.Option(
    "--source", "-s", help="RSS/Atom feed, sitemap or sitemap index URL; repeat for several.")]
ConfigOption = Annotated[Path | None, typer.Option(
    "--config", "-c", help="YAML file with `sources:` (a list of URLs) and optional `allow_private_hosts:`.")]
TaskRunnerOption = Annotated[TaskRunnerName | None, typer.Option(
    "--task-runner", help="Where extraction batches run: local (worker processes here) or dask (Prefect tasks on a "
                          "Dask cluster); default env NEWSLEDGER_TASK_RUNNER, else local.", show_default=False)]
DaskAddressOption = Annotated[str | None, typer.Option(
    "--dask-address", help="Dask scheduler for --task-runner dask, e.g. tcp://10.0.0.5:8786 (default: a local "
                           "cluster started for the run; env NEWSLEDGER_DASK_ADDRESS).", show_default=False)]

# The flow function travels to Dask workers with every batch (prefect-dask sends the flow
# run's context along), so the CLI's flow must not close over the run or the progress bars.
_cli_run_context: ContextVar[tuple[Run, Callable[[str, int, int], None]]] = ContextVar("cli_run")

# What an interrupted command left, and what to do (the load is one transaction per run).
INTERRUPTED = {
    "run": "nothing was loaded, the warehouse is as it was: run the same command again",
    "run_loaded": "after its load: the run is in the warehouse, its report was not written "
                  "(newsledger report --run {run_id})",
    "backfill": "the partitions whose load had committed stay loaded and the same command skips them "
                "(unless --force): run it again for the others",
    "reprocess": "nothing was re-derived, the warehouse is as it was: run the same command again",
}


def _sources(source: list[str] | None, config: Path | None) -> tuple[list[str], bool]:
    sources, allow_private = list(source or []), False
    if config:
        if not config.exists():
            fail(f"config file {config} does not exist")
        try:
            loaded = yaml.safe_load(config.read_text()) or {}
        except yaml.YAMLError as exc:
            fail(f"config file {config} is not valid YAML: {' '.join(str(exc).split())}")
        unknown = set(loaded) - {"sources", "allow_private_hosts"} if isinstance(loaded, dict) else {"(not a mapping)"}
        if unknown:
            fail(f"config file {config}: unknown keys {', '.join(sorted(map(str, unknown)))}; "
                 "it takes `sources:` (a list of URLs) and `allow_private_hosts:`")
        sources += list(loaded.get("sources") or [])
        allow_private = bool(loaded.get("allow_private_hosts", False))
    if not sources:
        fail("no sources: pass --source URL (repeatable) or --config sources.yaml")
    return sources, allow_private


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
        _import_late_modules()  # while the temporary server starts
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
            with one_line_errors():
                return flow(_run_pipeline_of_context, name=kind, log_prints=False, validate_parameters=False)(sources)
        except KeyboardInterrupt:
            said = INTERRUPTED["run_loaded"].format(run_id=run.run_id) if run.loaded else INTERRUPTED["run"]
            fail(f"run {run.run_id} interrupted; {said}", code=130)
        except Exception as exc:  # the run itself failed: say why, exit non-zero
            fail(f"run {run.run_id} failed: {exc}")
        finally:
            _cli_run_context.reset(token)
    raise AssertionError("unreachable")


def _import_late_modules() -> None:
    """Import what every run imports near its end while a temporary server starts, which
    hides it: DuckDB's Python client imports pandas (about 0.7 s) on the first bound
    parameter, and the run report draws its charts with altair (about 0.5 s). With a
    running server nothing waits: they are imported where needed (pandas by Great
    Expectations' warm-up thread, beside the extraction, when the run has new pages)."""
    import altair  # noqa: F401
    import pandas  # noqa: F401


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
    settings = build_settings(db, reports, allow_private_hosts or config_private, task_runner=task_runner,
                         dask_address=dask_address, warehouse=warehouse)
    check_writable(settings)
    _print_summary(_execute("nightly", sources, settings))


def backfill(
    since: Annotated[dt.datetime, typer.Option(help="First publication date (YYYY-MM-DD).", formats=["%Y-%m-%d"])],
    until: Annotated[dt.datetime, typer.Option(
        help="Last publication date, inclusive (YYYY-MM-DD).", formats=["%Y-%m-%d"])],
    source: SourceOption = None, config: ConfigOption = None, db: DbOption = None,
    warehouse: WarehouseOption = None,
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
            fail(str(exc))
        sources, config_private = _sources(source, config)
        settings = build_settings(db, reports, allow_private_hosts or config_private, task_runner=task_runner,
                                  dask_address=dask_address, warehouse=warehouse)
        runner = {"task_runner": settings.task_runner, "dask_address": settings.dask_address}
        if dry_run:
            _print_plan(plan(sources, cut, settings))
            return
        if via_prefect:
            _submit_backfill({"since": f"{since:%Y-%m-%d}", "until": f"{until:%Y-%m-%d}", "sources": sources,
                              "db": str(settings.target()), "allow_private_hosts": settings.allow_private_hosts,
                              "reports": str(reports) if reports else None, "partition": partition, **runner})
            return
        check_writable(settings)
        try:
            if api:
                api.wait_ready()
            with one_line_errors():
                result = backfill_flow(since.date(), until.date(), sources, str(settings.target()),
                                       settings.allow_private_hosts, str(reports) if reports else None, partition,
                                       **runner)
        except KeyboardInterrupt:
            fail(f"backfill interrupted; {INTERRUPTED['backfill']}", code=130)
        except Exception as exc:
            fail(f"backfill failed: {exc}")
    print_frame(_partitions_frame(result["partitions"]), "table")


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
        fail(f"could not create a backfill run on the Prefect server: {exc}. "
              "Is `newsledger server` running and `newsledger deploy` serving? (PREFECT_API_URL)")
    out.print(f"created flow run {name} ({run_id}); follow it with: prefect flow-run inspect {run_id}")


def _partitions_frame(rows: list[dict]):
    """A polars frame of result rows (lists shown as their length)."""
    import polars as pl

    return pl.DataFrame([{k: len(v) if isinstance(v, list) else v for k, v in row.items() if k != "idempotency_key"}
                         for row in rows])


def demo(
    db: Annotated[Path, typer.Option("--db", help="Warehouse file for the demo.")] = Path("data/demo.duckdb"),
) -> None:
    """Serve the bundled sample site on loopback, run the nightly flow on it, print answers.

    Example: newsledger demo
    """
    import tempfile

    from flows.demo import print_answers

    settings = build_settings(db, None, True)
    check_writable(settings)
    with tempfile.TemporaryDirectory() as tmp, _demo_site(Path(tmp)) as (base_url, manifest):
        console.print(f"serving the sample site at {base_url}")
        sources = list(manifest["feeds"]) + [manifest["sitemap_index"]]
        _print_summary(_execute("nightly", sources, settings))
    print_answers(settings.target(), out)


@contextmanager
def _demo_site(folder: Path) -> Iterator[tuple[str, dict]]:
    """The sample site on DEMO_PORT, so that a second demo finds the same URLs (and gets
    304s), or on a free port when that one is taken."""
    from flows.demo_site import serve_demo

    with ExitStack() as stack:
        try:
            served = stack.enter_context(serve_demo(folder, port=DEMO_PORT))
        except OSError:  # the port is taken
            served = stack.enter_context(serve_demo(folder))
        yield served


def reprocess(
    db: DbOption = None, reports: ReportsOption = None, warehouse: WarehouseOption = None,
    all_articles: Annotated[bool, typer.Option(
        "--all", help="Redo every archived article, not only stale ones.")] = False,
    stale: Annotated[bool, typer.Option(
        "--stale", help="Only articles extracted by an older extractor (default).")] = True,
) -> None:
    """Re-derive articles and facts from the raw archive, without the network.

    Example: newsledger reprocess --stale --db data/newsledger.duckdb
    """
    settings = build_settings(db, reports, False, warehouse=warehouse)
    try:
        with temporary_api() as api:
            from flows.reprocess import reprocess as reprocess_flow

            if api:
                api.wait_ready()
            with one_line_errors():
                summary = reprocess_flow(stale=stale and not all_articles, db=str(settings.target()),
                                         reports=str(reports) if reports else None)
    except KeyboardInterrupt:
        fail(f"reprocess interrupted; {INTERRUPTED['reprocess']}", code=130)
    except Exception as exc:
        fail(f"reprocess failed: {exc}")
    _print_summary(summary)


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
        fail("the prefect command is not installed in this environment: run `make install`")
    home.mkdir(parents=True, exist_ok=True)
    console.print(f"Prefect server at http://{host}:{port} (database {home}/prefect.db); "
                  f"export PREFECT_API_URL=http://{host}:{port}/api")
    os.execve(executable, [executable, *command[1:]], server_environment(home))


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
        fail(str(exc))


# Every command, in the order `newsledger --help` lists them.
for _command in (run, backfill, cli_ops.sql, cli_ops.status, demo, reprocess, cli_ops.inspect, cli_ops.report,
                 cli_ops.docs, cli_ops.quarantine, serve, server, deploy):
    app.command()(_command)


if __name__ == "__main__":
    app()
