"""The nightly flow: crawl the configured sources and load what is new."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger

from flows.pipeline import Run, run_pipeline
from flows.server import completed_run, warehouse_slot
from flows.settings import Settings, warehouse_overrides


@flow(name="nightly", log_prints=False)
def nightly(sources: list[str], db: str | None = None, allow_private_hosts: bool = False,
            reports: str | None = None) -> dict:
    """Discover, fetch, extract, validate and load articles from ``sources`` (feed or
    sitemap URLs) into the warehouse ``db`` (a DuckDB file, or ``ducklake:<catalog>``);
    returns the run summary (counts, timings)."""
    settings = Settings(**_overrides(db, allow_private_hosts, reports))
    run, logger = Run(kind="nightly", settings=settings), get_run_logger()
    done = completed_run(settings.target(), run.idempotency_key) if run.idempotency_key else None
    if done:  # a duplicate run of the same night (deployment, logical date): one effect only
        logger.info("night %s already loaded by run %s: nothing to do", run.idempotency_key, done)
        return {"run_id": done, "outcome": "skipped", "idempotency_key": run.idempotency_key}
    with warehouse_slot(logger):
        return run_pipeline(sources, run)


def _overrides(db: str | None, allow_private_hosts: bool, reports: str | None) -> dict:
    overrides: dict[str, object] = {}
    if db:
        overrides |= warehouse_overrides(db)
    if allow_private_hosts:
        overrides["allow_private_hosts"] = True
    if reports:
        overrides["reports"] = Path(reports)
    return overrides
