"""The nightly flow: crawl the configured sources and load what is new."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.pipeline import Run, run_pipeline
from flows.settings import Settings


@flow(name="nightly", log_prints=False)
def nightly(sources: list[str], db: str | None = None, allow_private_hosts: bool = False,
            reports: str | None = None) -> dict:
    """Discover, fetch, extract, validate and load articles from ``sources`` (feed or
    sitemap URLs) into the warehouse ``db``; returns the run summary (counts, timings)."""
    settings = Settings(**_overrides(db, allow_private_hosts, reports))
    return run_pipeline(sources, Run(kind="nightly", settings=settings))


def _overrides(db: str | None, allow_private_hosts: bool, reports: str | None) -> dict:
    overrides: dict[str, object] = {}
    if db:
        overrides["db"] = Path(db)
    if allow_private_hosts:
        overrides["allow_private_hosts"] = True
    if reports:
        overrides["reports"] = Path(reports)
    return overrides
