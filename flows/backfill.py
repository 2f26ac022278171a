"""The backfill flow: the nightly pipeline over a publication window, one subflow per date
partition (month, week or day), so a failure re-runs only its partition.

Each partition's run carries the idempotency key ``backfill/<since>..<until>/<sources>``;
a partition whose key is already on a completed run in ``core.runs`` is skipped, so running
the same backfill again after a crash only does the partitions left unfinished.

With ``fan_out`` the partitions are runs of the ``backfill-partition`` deployment instead
of subflows: the workers of the ``newsledger`` work pool, on as many machines, take them
one each while the warehouse-write slot keeps the loads one at a time.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from flows.bookkeeping import known_outside
from flows.extraction import shared_extraction_pool
from flows.pipeline import Run, read_prior_state, run_pipeline
from flows.server import completed_run, idempotency_key, warehouse_slot
from flows.settings import Settings, TaskRunnerName, settings_with

Partitioning = Literal["month", "week", "day"]
PARTITION_DEPLOYMENT = "backfill-partition/backfill-partition"  # <flow name>/<deployment name> in prefect.yaml
DEPLOYMENT_POLL_S = 5.0


@dataclass(frozen=True)
class Partition:
    """One date partition of a backfill window, both ends inclusive, and what it would fetch."""

    since: dt.date
    until: dt.date
    urls: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.since}..{self.until}"


def partitions(since: dt.date, until: dt.date, partition: Partitioning = "month") -> list[Partition]:
    """Cut [since, until] into calendar months, ISO weeks (Monday to Sunday) or days,
    clipped to the window; raises ValueError for an empty window or an unknown partition."""
    if until < since:
        msg = f"empty window: until ({until}) is before since ({since})"
        raise ValueError(msg)
    if partition not in ("month", "week", "day"):
        msg = f"partition must be month, week or day, not {partition!r}"
        raise ValueError(msg)
    cut, start = [], since
    while start <= until:
        if partition == "month":
            end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        elif partition == "week":
            end = start + dt.timedelta(days=6 - start.weekday())
        else:
            end = start
        cut.append(Partition(start, min(end, until)))
        start = min(end, until) + dt.timedelta(days=1)
    return cut


@flow(name="backfill", log_prints=False)
def backfill(since: dt.date, until: dt.date, sources: list[str], db: str | None = None,
             allow_private_hosts: bool = False, reports: str | None = None, partition: Partitioning = "month",
             dry_run: bool = False, force: bool = False, task_runner: TaskRunnerName | None = None,
             dask_address: str | None = None, fan_out: bool = False) -> dict:
    """Load the articles of ``sources`` published from ``since`` to ``until`` (inclusive),
    one subflow per partition; ``dry_run`` only lists the partitions and the URLs each
    would fetch; ``force`` re-runs partitions already completed; ``task_runner`` and
    ``dask_address`` choose where extraction batches run (see ``nightly``); ``fan_out``
    creates one run of the ``backfill-partition`` deployment per partition instead of
    subflows, so that every worker of the work pool can take some (a Prefect server and
    that deployment are needed; prefect.exceptions.ObjectNotFound otherwise).

    Returns {"partitions": [{"since", "until", "outcome", "run_id", "urls"?}, ...]};
    raises ValueError for an empty window and RuntimeError naming the partitions that failed
    (the others are loaded: run the same backfill again to retry only those).
    """
    logger = get_run_logger()
    settings = settings_with(db=db, allow_private_hosts=allow_private_hosts, reports=reports,
                             task_runner=task_runner, dask_address=dask_address)
    cut = partitions(since, until, partition)
    if dry_run:
        planned = plan(sources, cut, settings)
        for part in planned:
            logger.info("partition %s would fetch %d URLs", part.label, len(part.urls))
        rows = [{"since": str(p.since), "until": str(p.until), "outcome": "planned", "urls": p.urls} for p in planned]
        _publish(rows, "backfill-plan")
        return {"partitions": rows}
    shared = {"sources": sources, "db": db, "allow_private_hosts": allow_private_hosts, "reports": reports,
              "force": force, "task_runner": task_runner, "dask_address": dask_address}
    if fan_out:
        results = _run_deployments(cut, shared, settings)
    else:
        with shared_extraction_pool(settings):  # one set of workers for every partition
            results = [_run_subflow(part, shared) for part in cut]
    _publish(results, "backfill-partitions")
    failed = [r["since"] + ".." + r["until"] for r in results if r["outcome"] == "failed"]
    if failed:
        msg = f"{len(failed)} of {len(cut)} partitions failed ({', '.join(failed)}): run the same backfill again"
        raise RuntimeError(msg)
    return {"partitions": results}


@flow(name="backfill-partition", log_prints=False)
def backfill_partition(since: dt.date, until: dt.date, sources: list[str], db: str | None = None,
                       allow_private_hosts: bool = False, reports: str | None = None, force: bool = False,
                       task_runner: TaskRunnerName | None = None, dask_address: str | None = None) -> dict:
    """One partition of a backfill: skipped when a completed run already carries its
    idempotency key, else the pipeline for [since, until] under the warehouse-write slot."""
    logger = get_run_logger()
    settings = settings_with(db=db, allow_private_hosts=allow_private_hosts, reports=reports,
                             task_runner=task_runner, dask_address=dask_address)
    key = idempotency_key("backfill", f"{since}..{until}", sources)
    if (skipped := _skip(settings, key, force, logger)) is not None:
        return skipped
    with warehouse_slot(logger):
        if (skipped := _skip(settings, key, force, logger)) is not None:  # a twin run loaded it while we waited
            return skipped
        summary = run_pipeline(sources, Run(kind="backfill", settings=settings, since=since, until=until,
                                            idempotency_key=key))
    return {"outcome": "completed", "run_id": summary["run_id"], "idempotency_key": key,
            "articles": summary["counts"].get("articles", 0), "facts": summary["counts"].get("facts", 0)}


def _run_subflow(part: Partition, shared: dict) -> dict:
    """One partition as a subflow of this flow run: its result row."""
    state = backfill_partition.with_options(flow_run_name=f"backfill-{part.label}")(
        part.since, part.until, **shared, return_state=True)
    outcome = state.result(raise_on_failure=False) if state.is_completed() else None
    return {"since": str(part.since), "until": str(part.until),
            **(outcome if isinstance(outcome, dict) else {"outcome": "failed", "error": state.message})}


def _run_deployments(cut: list[Partition], shared: dict, settings: Settings) -> list[dict]:
    """One run of the backfill-partition deployment per partition, all created at once so
    that the work pool's workers share them; waits for every run to finish. A completed
    partition's run_id is read from the warehouse by its idempotency key."""
    from prefect import get_client
    from prefect.deployments import run_deployment

    created = [run_deployment(PARTITION_DEPLOYMENT, timeout=0, flow_run_name=f"backfill-{part.label}",
                              parameters={**shared, "since": str(part.since), "until": str(part.until)})
               for part in cut]
    rows = []
    with get_client(sync_client=True) as client:
        for part, flow_run in zip(cut, created, strict=True):
            while not (state := client.read_flow_run(flow_run.id).state) or not state.is_final():
                time.sleep(DEPLOYMENT_POLL_S)
            key = idempotency_key("backfill", part.label, shared["sources"])
            row = {"since": str(part.since), "until": str(part.until), "flow_run": flow_run.name}
            rows.append(row | ({"outcome": "completed", "run_id": completed_run(settings.target(), key),
                                "idempotency_key": key} if state.is_completed()
                               else {"outcome": "failed", "error": state.message}))
    return rows


def _skip(settings: Settings, key: str, force: bool, logger) -> dict | None:
    """The partition's result when a completed run already carries ``key`` (and not ``force``)."""
    done = None if force else completed_run(settings.target(), key)
    if done is None:
        return None
    logger.info("partition %s already loaded by run %s (key %s): nothing to do", key.split("/")[1], done, key)
    return {"outcome": "skipped", "run_id": done, "idempotency_key": key}


def _publish(rows: list[dict], key: str) -> None:
    """The partitions' outcomes as a table artifact of the flow run (URL lists as counts)."""
    table = [{k: len(v) if isinstance(v, list) else v for k, v in row.items()} for row in rows]
    create_table_artifact(table=table, key=key, description="One row per backfill partition")


def plan(sources: list[str], cut: list[Partition], settings: Settings) -> list[Partition]:
    """The partitions with the article URLs their sources announce in each (by the feed or
    sitemap date); URLs without a date are listed in every partition, as the run fetches
    them, but where an earlier run found a page's date (``core.crawl_state.published_at``)."""
    from flows.crawl import Crawler
    from transforms.discover import SourceError, parse_source

    entries, queue, seen = {}, list(dict.fromkeys(sources)), set()
    with Crawler(settings) as crawler:
        while queue:
            batch = [url for url in queue if url not in seen]
            seen.update(batch)
            queue = []
            for fetch in crawler.fetch_many([(url, {}) for url in batch]):
                try:
                    found = parse_source(fetch.body, fetch.final_url) if fetch.body is not None else []
                except SourceError:
                    found = []
                queue += [e.url for e in found if e.kind == "sitemap"]
                entries |= {e.url: e for e in found if e.kind != "sitemap"  # a feed's date wins
                            and (e.url not in entries or entries[e.url].published_source != "feed")}
    crawl, planned = read_prior_state.fn(settings, list(entries), with_failures=False).crawl, []
    for part in cut:
        window = Run(kind="backfill", settings=settings, since=part.since, until=part.until, idempotency_key=None)
        planned.append(Partition(part.since, part.until, sorted(
            url for url, entry in entries.items()
            if window.may_be_in_window(entry) and known_outside(crawl.get(url), window.in_window) is None)))
    return planned
