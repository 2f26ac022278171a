"""The nightly flow: crawl the configured sources and load what is new."""

from __future__ import annotations

from prefect import flow, get_run_logger

from flows.pipeline import Run, run_pipeline
from flows.server import completed_run, warehouse_slot
from flows.settings import TaskRunnerName, settings_with


@flow(name="nightly", log_prints=False)
def nightly(sources: list[str], db: str | None = None, allow_private_hosts: bool = False,
            reports: str | None = None, task_runner: TaskRunnerName | None = None,
            dask_address: str | None = None) -> dict:
    """Discover, fetch, extract, validate and load articles from ``sources`` (feed or
    sitemap URLs) into the warehouse ``db`` (a DuckDB file, or ``ducklake:<catalog>``);
    returns the run summary (counts, timings). ``task_runner`` "dask" extracts the batches
    on the Dask cluster at ``dask_address`` (none: a local one); None keeps Settings
    (NEWSLEDGER_TASK_RUNNER)."""
    settings = settings_with(db=db, allow_private_hosts=allow_private_hosts, reports=reports,
                             task_runner=task_runner, dask_address=dask_address)
    run, logger = Run(kind="nightly", settings=settings), get_run_logger()
    if (skipped := _skip(run, logger)) is not None:
        return skipped
    with warehouse_slot(logger):
        if (skipped := _skip(run, logger)) is not None:  # a twin run of the same night loaded it while we waited
            return skipped
        return run_pipeline(sources, run)


def _skip(run: Run, logger) -> dict | None:
    """The run's result when a completed run already carries its idempotency key
    (a duplicate run of the same night: one effect per deployment and logical date)."""
    done = completed_run(run.settings.target(), run.idempotency_key) if run.idempotency_key else None
    if done is None:
        return None
    logger.info("night %s already loaded by run %s: nothing to do", run.idempotency_key, done)
    return {"run_id": done, "outcome": "skipped", "idempotency_key": run.idempotency_key}

