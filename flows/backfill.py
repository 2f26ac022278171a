"""The backfill flow: the nightly pipeline restricted to a publication window."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.nightly import _overrides
from flows.pipeline import Run, run_pipeline
from flows.settings import Settings


@flow(name="backfill", log_prints=False)
def backfill(since: dt.date, until: dt.date, sources: list[str], db: str | None = None,
             allow_private_hosts: bool = False, reports: str | None = None) -> dict:
    """Load the articles of ``sources`` published from ``since`` to ``until`` (inclusive);
    raises ValueError when the window is empty."""
    if until < since:
        msg = f"empty window: until ({until}) is before since ({since})"
        raise ValueError(msg)
    settings = Settings(**_overrides(db, allow_private_hosts, reports))
    return run_pipeline(sources, Run(kind="backfill", settings=settings, since=since, until=until))
