"""The pipeline every flow runs: discover → fetch → archive → extract → facts → validate → load.

Pages stream through in chunks (fetch a chunk, archive it, extract it in worker
processes, keep only the rows), so a long backfill never holds every body in memory.
Everything a run produces before the load (raw archive, staged Parquet, crawl state)
lives under the data folder, outside the warehouse file; the file is opened for writing
only for the final load, one transaction.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import json
import resource
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.archive import Archive
from flows.bookkeeping import (
    OUTCOMES,
    conditional_headers,
    crawl_state_row,
    fetch_log_row,
    known_outside,
    unprocessed_outcome,
)
from flows.crawl import BodyRefused, Crawler, Fetch, gunzip_capped, is_gzipped
from flows.extraction import Pool, collect_batches, drop_near_duplicates, extraction_pool, merge, submit_batches
from flows.settings import Settings
from flows.staging import stage_run
from flows.validation import start_warm_up, validate_run
from transforms.discover import Entry, SourceError, parse_source
from transforms.facts import EXTRACTOR_VERSION
from transforms.process import Page, Processed, load_registry
from warehouse import REFERENCE_DIR
from warehouse.db import load_run, open_warehouse, read_sql, warehouse_exists

Progress = Callable[[str, int, int], None]
_MAXRSS_PER_MB = 2**20 if sys.platform == "darwin" else 2**10  # ru_maxrss: bytes on macOS, KiB on Linux


@dataclass
class Run:
    """One run's identity, settings and running tallies."""

    kind: str
    settings: Settings
    since: dt.date | None = None
    until: dt.date | None = None
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    run_id: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    high_water_mb: dict[str, float] = field(default_factory=dict)  # stage -> process peak RSS after it
    loaded: bool = False  # its load has committed (an interruption after it leaves the run in the warehouse)
    fetch_log: list[dict] = field(default_factory=list)
    crawl_state: list[dict] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)
    validation: dict = field(default_factory=dict)
    idempotency_key: str | None = field(default_factory=lambda: _deployment_run_key())

    def __post_init__(self) -> None:
        if self.settings.clock is not None:
            self.started_at = self.settings.clock.astimezone(dt.UTC)
        if not self.run_id:
            self.run_id = f"{self.kind}-{self.started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"

    @property
    def run_dir(self) -> Path:
        return self.settings.resolved_data_dir() / "runs" / self.run_id

    @property
    def reports_dir(self) -> Path:
        return self.settings.resolved_reports() / self.run_id

    def in_window(self, published: dt.datetime | None) -> bool:
        """True when ``published`` is unknown or inside the backfill window."""
        if published is None:
            return True
        day = published.date()
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def may_be_in_window(self, entry: Entry) -> bool:
        """False only when the source's dates prove the page is outside the window: a
        publication date outside it, or a modification date before it starts."""
        if entry.published is not None:
            return self.in_window(entry.published)
        return not (self.since and entry.updated and entry.updated.date() < self.since)


@dataclass
class PriorState:
    """What earlier runs left: crawl state per URL, and each stored article's content
    hash and extractor version (the near-duplicate check reads stored signatures later,
    only those its new articles may match)."""

    crawl: dict[str, dict] = field(default_factory=dict)
    articles: dict[str, tuple[str, str]] = field(default_factory=dict)  # url -> (sha256, extractor version)


def run_pipeline(sources: list[str], run: Run, progress: Progress | None = None) -> dict:
    """Run every stage for ``sources`` and load the result; returns the run summary.

    Raises whatever stops the run (warehouse busy, a validation gate); URL-level
    failures never raise: they are in the fetch log.
    """
    report = progress or (lambda stage, done, total: None)
    try:
        staged = _extract_and_stage(sources, run, report)
        release_free_memory()  # the run's rows are on disk now: the load's memory does not sit on top of them
        _timed(run, "load", lambda: load.fn(staged, run))
        run.loaded = True
    except KeyboardInterrupt:
        summarise(run, error="interrupted")  # the load is one transaction: all of it or none
        raise
    except Exception as exc:
        summarise(run, error=f"{type(exc).__name__}: {exc}")  # the warehouse is untouched: re-run after a fix
        raise
    summarise(run)  # the report shows the summary's counts and stage times
    _timed(run, "report", lambda: write_report.fn(run))
    return summarise(run)  # again, with the report's own time


def _extract_and_stage(sources: list[str], run: Run, report: Progress) -> dict[str, Path]:
    """Discover, fetch, extract, validate and stage the run; returns the staged Parquet
    files. The rows in memory (articles, facts, validated frames) are dropped on return."""
    with Crawler(run.settings) as crawler:  # one client: robots.txt is read once per host and run
        entries = _timed(run, "discover", lambda: discover.fn(crawler, sources, run, report))
        prior = _timed(run, "state", lambda: read_prior_state.fn(run.settings, list(entries),
                                                                 with_failures=run.kind == "nightly"))
        requests = plan_fetches(entries, prior, run)
        processed = crawl_and_extract(crawler, requests, entries, prior, run, report)
    checked = _timed(run, "validate", lambda: validate_run.fn(run, processed))
    run.validation = checked.summary
    return _timed(run, "stage", lambda: stage_run(run, processed, checked.quarantine, checked.articles,
                                                  checked.facts))


def release_free_memory() -> None:
    """Collect garbage and hand the C heap's free pages back to the OS (glibc's
    ``malloc_trim``; elsewhere only the collection): DuckDB allocates with its own
    allocator, so what Python and pandas freed on the C heap is not reused by the load
    (polars keeps its own allocator, which this does not reach)."""
    gc.collect()
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _timed(run: Run, stage: str, work: Callable):
    """``work()``, adding its wall seconds to the stage's and noting the process's peak RSS
    (MB, since the process started) once it is done: the stage that raises it is the one to look at."""
    started = time.perf_counter()
    try:
        return work()
    finally:
        run.stage_seconds[stage] = round(run.stage_seconds.get(stage, 0.0) + time.perf_counter() - started, 3)
        run.high_water_mb[stage] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / _MAXRSS_PER_MB, 1)


@task(name="read-prior-state")
def read_prior_state(settings: Settings, urls: list[str], with_failures: bool) -> PriorState:
    """The crawl state and stored content hashes of the URLs a run may request: ``urls`` (those
    its sources announce) and, ``with_failures``, every URL whose last fetch failed (a
    nightly run retries them). Only these are read, so the run's memory does not grow with
    the warehouse. A short read-only open."""
    target = settings.target()
    if not warehouse_exists(target):
        return PriorState()
    with open_warehouse(target, read_only=True, wait_s=120) as con:
        if not con.execute(read_sql("crawl_state_exists")).fetchone()[0]:
            return PriorState()
        crawl = con.execute(read_sql("prior_crawl_state"), {"urls": urls, "with_failures": with_failures}
                            ).pl().rows_by_key("url", named=True, unique=True)
        wanted = list(dict.fromkeys(urls + list(crawl)))
        articles = {u: (s, v) for u, s, v in con.execute(read_sql("prior_articles"), {"urls": wanted}).fetchall()}
    return PriorState(crawl, articles)


@task(name="discover")
def discover(crawler: Crawler, sources: list[str], run: Run, report: Progress) -> dict[str, Entry]:
    """Article URLs announced by the sources (feeds, sitemaps, sitemap indexes), deduplicated.

    A feed's date, title and outlet win over a sitemap's for the same URL.
    """
    logger = get_run_logger()
    entries: dict[str, Entry] = {}
    queue, seen = list(dict.fromkeys(sources)), set()
    while queue:
        batch = [url for url in queue if url not in seen]
        seen.update(batch)
        queue = []
        for fetch in crawler.fetch_many([(url, {}) for url in batch]):
            for entry in _parse_fetched_source(fetch, run, logger):
                if entry.kind == "sitemap":
                    queue.append(entry.url)
                elif entry.url not in entries or entries[entry.url].published_source != "feed":
                    entries[entry.url] = entry
        report("discover", len(seen), len(seen) + len(queue))
    read = sum(row["outcome"] == "source" for row in run.fetch_log)
    if sources and not read:
        reasons = "; ".join(f"{row['url']}: {row['error']}" for row in run.fetch_log)
        msg = f"none of the {len(sources)} sources could be read ({reasons}); check the URLs and the network"
        raise SourceError(msg)
    run.counts["discovered"] = len(entries)
    windowed = {url: e for url, e in entries.items() if run.may_be_in_window(e)}
    run.counts["in_window"] = len(windowed)
    return windowed


def _parse_fetched_source(fetch: Fetch, run: Run, logger) -> list[Entry]:
    outcome, error, found = "source", fetch.error, []
    if fetch.body is None:
        outcome = "disallowed" if fetch.disallowed else "failed"
    else:
        try:
            body = gunzip_capped(fetch.body, run.settings.max_bytes) if is_gzipped(fetch.body) else fetch.body
            found = parse_source(body, fetch.final_url)
        except BodyRefused as exc:  # a gzip bomb or broken gzip: refused before parsing
            outcome, error = "failed", f"{fetch.final_url}: gzipped source refused ({exc})"
        except SourceError as exc:
            outcome, error = "failed", str(exc)
    if error:
        logger.warning("source %s: %s", fetch.url, error)
    run.fetch_log.append(fetch_log_row(fetch, run.run_id, outcome, error))
    return found


def plan_fetches(entries: dict[str, Entry], prior: PriorState, run: Run) -> list[tuple[str, dict[str, str]]]:
    """(url, conditional headers) for every announced URL and every earlier failure due a
    retry (nightly runs only). A URL that failed waits Settings.retry_backoff_h hours,
    doubled per failed attempt, before it is tried again; URLs given up on are not requested.
    Nor is a page an earlier backfill run found published outside its window when that date
    is outside this run's window too: its fetch-log row says so without a request."""
    retries = [url for url, state in prior.crawl.items()
               if state["last_outcome"] == "failed" and url not in entries and run.kind == "nightly"]
    urls = [url for url in list(entries) + retries
            if prior.crawl.get(url, {}).get("last_outcome") != "gave_up" and _retry_due(prior.crawl.get(url), run)]
    outside = {url: published for url in urls
               if (published := known_outside(prior.crawl.get(url), run.in_window)) is not None}
    for url, published in outside.items():
        run.fetch_log.append(fetch_log_row(Fetch(url=url, final_url=url, fetched_at=run.started_at), run.run_id,
                                           "out_of_window", f"published {published:%Y-%m-%d}, outside the backfill "
                                           "window (found by an earlier run; not requested)"))
    return [(url, conditional_headers(prior.crawl.get(url), prior.articles.get(url), EXTRACTOR_VERSION))
            for url in urls if url not in outside]


def _retry_due(state: dict | None, run: Run) -> bool:
    """False while a failed URL's backoff runs: retry_backoff_h * 2**(attempts - 1) hours."""
    if not state or state.get("last_outcome") != "failed" or not state.get("last_attempt_at"):
        return True
    wait = dt.timedelta(hours=run.settings.retry_backoff_h * 2 ** max(0, state["attempts"] - 1))
    return state["last_attempt_at"] + wait <= run.started_at


def crawl_and_extract(crawler: Crawler, requests: list[tuple[str, dict[str, str]]], entries: dict[str, Entry],
                      prior: PriorState, run: Run, report: Progress) -> Processed:
    """Fetch, archive and extract the requests chunk by chunk; bodies are dropped after each.

    Requests stream (``Crawler.fetch_ahead``, up to a chunk ahead of the chunk being
    archived), and with worker processes (or a Dask cluster) the workers extract a chunk
    while the next is fetched: at most three chunks of pages are in memory at once.
    """
    settings, processed = run.settings, Processed()
    archive = Archive(settings.resolved_data_dir() / "archive")
    chunk_size = settings.batch_size * max(1, settings.workers)
    fetches: list[Fetch] = []
    in_flight: deque[list[Callable[[], Processed]]] = deque()
    # the stream is closed first: on an error its queued requests are cancelled, not sent
    # while the workers shut down
    with extraction_pool(settings, len(requests)) as pool, \
            closing(crawler.fetch_ahead(requests, ahead=chunk_size)) as fetched:
        for start in range(0, len(requests), chunk_size):
            count = min(chunk_size, len(requests) - start)
            chunk = _timed(run, "fetch", partial(fetch_chunk.fn, fetched, count, archive, run))
            in_flight.append(_timed(run, "extract", partial(extract_chunk.fn, chunk, entries, prior, run, pool)))
            for fetch in chunk:
                fetch.release_body()
            fetches += chunk
            while len(in_flight) > (1 if pool else 0):
                merge(processed, _timed(run, "extract", partial(collect_batches, in_flight.popleft(), run)))
            report("fetch+extract", len(fetches), len(requests))
        while in_flight:
            merge(processed, _timed(run, "extract", partial(collect_batches, in_flight.popleft(), run)))
    _timed(run, "extract", lambda: drop_near_duplicates(processed, settings.target()))
    _record_fetches(fetches, processed, prior, run)
    return processed


@task(name="fetch")
def fetch_chunk(fetched: Iterator[Fetch], count: int, archive: Archive, run: Run) -> list[Fetch]:
    """Take the next ``count`` fetches of the run's request stream and archive every body."""
    fetches = list(islice(fetched, count))
    if any(fetch.body is not None for fetch in fetches):
        start_warm_up()  # new pages to validate: Great Expectations loads while they are extracted
    for fetch in fetches:
        if fetch.body is not None:
            _, path = archive.put(fetch.body)
            run.pages.append({"content_sha256": fetch.sha256, "url": fetch.url, "content_type": fetch.content_type,
                              "archive_path": str(path), "bytes": fetch.size, "run_id": run.run_id,
                              "fetched_at": fetch.fetched_at})
    run.counts["fetched"] = run.counts.get("fetched", 0) + sum(f.body is not None for f in fetches)
    run.counts["not_modified"] = run.counts.get("not_modified", 0) + sum(f.status == 304 for f in fetches)
    return fetches


@task(name="extract")
def extract_chunk(fetches: list[Fetch], entries: dict[str, Entry], prior: PriorState, run: Run,
                  pool: Pool) -> list[Callable[[], Processed]]:
    """Submit the new pages of a chunk for extraction, in batches; returns a call per batch
    giving its result (see ``submit_batches``)."""
    pages = [_page_for(fetch, entries.get(fetch.url), run) for fetch in fetches
             if unprocessed_outcome(fetch, prior.crawl.get(fetch.url), prior.articles.get(fetch.url),
                                    EXTRACTOR_VERSION, run.settings.max_attempts) is None]
    return submit_batches(pages, run, pool)


def _page_for(fetch: Fetch, entry: Entry | None, run: Run) -> Page:
    return Page(
        url=fetch.url, body=fetch.body or b"", content_type=fetch.content_type, content_sha256=fetch.sha256 or "",
        feed_published=entry.published if entry else None,
        feed_published_source=entry.published_source if entry else None,
        feed_outlet=entry.outlet if entry else None,
        fetched_at=run.settings.clock or fetch.fetched_at,
        feed_updated=entry.updated if entry else None,
    )


def _record_fetches(fetches: list[Fetch], processed: Processed, prior: PriorState, run: Run) -> None:
    for fetch in fetches:
        previous = prior.crawl.get(fetch.url)
        outcome, reason = unprocessed_outcome(fetch, previous, prior.articles.get(fetch.url), EXTRACTOR_VERSION,
                                              run.settings.max_attempts) or processed.outcomes[fetch.url]
        run.fetch_log.append(fetch_log_row(fetch, run.run_id, outcome, reason))
        run.crawl_state.append(crawl_state_row(fetch, run.run_id, outcome, reason, previous,
                                               processed.published_outside.get(fetch.url)))
    for outcome in OUTCOMES:
        run.counts[f"outcome_{outcome}"] = sum(r["outcome"] == outcome for r in run.fetch_log)
    run.counts["articles"] = len(processed.articles)
    run.counts["facts"] = len(processed.facts)


@task(name="load")
def load(staged: dict[str, Path], run: Run) -> None:
    """Load the staged run and the reference tables into the warehouse: one short write
    transaction (one snapshot on a DuckLake)."""
    ended = dt.datetime.now(dt.UTC) if run.settings.clock is None else run.started_at
    record = {
        "run_id": run.run_id, "kind": run.kind, "started_at": run.started_at, "ended_at": ended,
        "parameters": json.dumps(_parameters(run)), "counts": json.dumps(run.counts), "outcome": "completed",
    }
    registry = load_registry(str(REFERENCE_DIR))
    with open_warehouse(run.settings.target(), wait_s=300) as con:
        load_run(con, staged, record, registry)


def _parameters(run: Run) -> dict:
    return {"since": str(run.since) if run.since else None, "until": str(run.until) if run.until else None,
            "db": str(run.settings.target()), "idempotency_key": run.idempotency_key}


def _deployment_run_key() -> str | None:
    """(deployment, logical date) of a deployment's flow run, None outside one (CLI, tests)."""
    from prefect.runtime import deployment, flow_run

    from flows.server import idempotency_key

    if not deployment.name:
        return None
    logical = flow_run.scheduled_start_time.astimezone(dt.UTC).date().isoformat()
    return idempotency_key(deployment.name, logical, list(flow_run.parameters.get("sources") or []))


@task(name="report")
def write_report(run: Run) -> Path:
    """The run report <reports>/<run_id>/index.html, published as a Prefect artifact."""
    from flows.report import build_run_report

    path = build_run_report(run.settings.target(), run.run_id, run.reports_dir)
    with suppress(Exception):  # no flow run context (a library call): the report is on disk
        create_markdown_artifact(
            markdown=_summary_markdown(run, path), key="run-summary", description=f"Run {run.run_id}")
    return path


def _summary_markdown(run: Run, report: Path) -> str:
    rows = "\n".join(f"| {name} | {value} |" for name, value in run.counts.items())
    return f"## Run {run.run_id}\n\n| count | value |\n|---|---|\n{rows}\n\nReport: `{report}`\n" \
           f"Data Docs: `{run.validation.get('data_docs')}`\n"


def summarise(run: Run, error: str | None = None) -> dict:
    """The run summary printed by the CLI and written to <reports>/<run_id>/summary.json;
    ``error`` says why a failed run stopped."""
    summary = {
        "run_id": run.run_id, "kind": run.kind, "started_at": run.started_at.isoformat(),
        "outcome": "failed" if error else "completed", "error": error,
        "counts": run.counts, "stage_seconds": run.stage_seconds, "high_water_mb": run.high_water_mb,
        "failures": [r for r in run.fetch_log if r["outcome"] in ("failed", "gave_up")],
        "reports": str(run.reports_dir),
        "validation": run.validation,
    }
    run.reports_dir.mkdir(parents=True, exist_ok=True)
    (run.reports_dir / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    return summary
