"""The pipeline every flow runs: discover → fetch → archive → extract → facts → validate → load.

Everything a run produces before the load (raw archive, staged Parquet, crawl state)
lives under the data folder, outside the warehouse file; the file is opened for writing
only for the final load, one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from prefect import get_run_logger, task

from flows.archive import Archive
from flows.crawl import Crawler, Fetch
from flows.settings import Settings
from flows.staging import stage_run
from transforms.dedupe import Story, find_near_duplicates, minhash_signature, similarity
from transforms.discover import Entry, SourceError, parse_source
from transforms.facts import EXTRACTOR_VERSION
from transforms.process import Page, Processed, process_pages, text_fingerprint
from warehouse import REFERENCE_DIR
from warehouse.db import load_run, open_warehouse

Progress = Callable[[str, int, int], None]


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
    fetch_log: list[dict] = field(default_factory=list)
    crawl_state: list[dict] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)

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


@dataclass
class PriorState:
    """What earlier runs left: crawl state per URL, articles and their text fingerprints."""

    crawl: dict[str, dict]
    articles: dict[str, tuple[str, str]]   # url -> (content_sha256, extractor_version)
    texts: dict[str, str]                  # text fingerprint -> url
    stories: list[Story] = field(default_factory=list)  # MinHash of each article, for near-duplicates


def run_pipeline(sources: list[str], run: Run, progress: Progress | None = None) -> dict:
    """Run every stage for ``sources`` and load the result; returns the run summary.

    Raises whatever stops the run (warehouse busy, validation gate); URL-level failures
    never raise: they are in the fetch log.
    """
    report = progress or (lambda stage, done, total: None)
    prior = _timed(run, "state", lambda: read_prior_state.fn(run.settings))
    entries = _timed(run, "discover", lambda: discover.fn(sources, run, report))
    fetches = _timed(run, "fetch", lambda: fetch_pages.fn(entries, prior, run, report))
    processed = _timed(run, "extract", lambda: extract_pages.fn(fetches, entries, prior, run, report))
    staged = _timed(run, "stage", lambda: stage_run(run, processed))
    _timed(run, "load", lambda: load.fn(staged, run))
    return summarise(run)


def _timed(run: Run, stage: str, work: Callable):
    started = time.perf_counter()
    try:
        return work()
    finally:
        run.stage_seconds[stage] = round(time.perf_counter() - started, 3)


@task(name="read-prior-state")
def read_prior_state(settings: Settings) -> PriorState:
    """Crawl state and article fingerprints from the warehouse (a short read-only open)."""
    if not settings.db.exists():
        return PriorState({}, {}, {}, [])
    with open_warehouse(settings.db, read_only=True, wait_s=120) as con:
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'crawl_state'").fetchone()[0]:
            return PriorState({}, {}, {}, [])
        crawl = con.execute("SELECT * FROM core.crawl_state").pl().rows_by_key("url", named=True, unique=True)
        articles = {u: (s, v) for u, s, v in con.execute(
            "SELECT url, content_sha256, extractor_version FROM core.articles").fetchall()}
        texts = {}
        for url, text in con.execute("SELECT url, text FROM core.articles").fetchall():
            texts.setdefault(text_fingerprint(text), url)
        stories = [Story(url, published, tuple(signature)) for url, published, signature in con.execute(
            "SELECT url, published_at, text_minhash FROM core.articles WHERE text_minhash IS NOT NULL").fetchall()]
    return PriorState(crawl, articles, texts, stories)


@task(name="discover")
def discover(sources: list[str], run: Run, report: Progress) -> dict[str, Entry]:
    """Article URLs announced by the sources (feeds, sitemaps, sitemap indexes), deduplicated.

    A feed's date, title and outlet win over a sitemap's lastmod for the same URL.
    """
    logger = get_run_logger()
    entries: dict[str, Entry] = {}
    queue, seen = list(dict.fromkeys(sources)), set()
    with Crawler(run.settings) as crawler:
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
    run.counts["discovered"] = len(entries)
    windowed = {url: e for url, e in entries.items() if run.in_window(e.published)}
    run.counts["in_window"] = len(windowed)
    return windowed


def _parse_fetched_source(fetch: Fetch, run: Run, logger) -> list[Entry]:
    outcome, error, found = "source", fetch.error, []
    if fetch.body is None:
        outcome = "disallowed" if fetch.disallowed else "failed"
    else:
        try:
            found = parse_source(fetch.body, fetch.final_url)
        except SourceError as exc:
            outcome, error = "failed", str(exc)
    if error:
        logger.warning("source %s: %s", fetch.url, error)
    run.fetch_log.append(_log_row(fetch, run, outcome, error))
    return found


@task(name="fetch")
def fetch_pages(entries: dict[str, Entry], prior: PriorState, run: Run, report: Progress) -> list[Fetch]:
    """Fetch every announced URL (and earlier failures due a retry) with conditional GET."""
    settings = run.settings
    retries = [url for url, state in prior.crawl.items()
               if state["last_outcome"] == "failed" and url not in entries and run.since is None]
    urls = [url for url in list(entries) + retries if prior.crawl.get(url, {}).get("last_outcome") != "gave_up"]
    requests = [(url, _conditional_headers(prior.crawl.get(url), prior.articles.get(url))) for url in urls]
    fetches: list[Fetch] = []
    archive = Archive(settings.resolved_data_dir() / "archive")
    with Crawler(settings) as crawler:
        for start in range(0, len(requests), settings.batch_size):
            for fetch in crawler.fetch_many(requests[start:start + settings.batch_size]):
                if fetch.body is not None:
                    digest, path = archive.put(fetch.body)
                    run.pages.append({"content_sha256": digest, "url": fetch.url, "content_type": fetch.content_type,
                                      "archive_path": str(path), "bytes": len(fetch.body), "run_id": run.run_id,
                                      "fetched_at": fetch.fetched_at})
                fetches.append(fetch)
            report("fetch", len(fetches), len(requests))
    run.counts["fetched"] = sum(f.body is not None for f in fetches)
    run.counts["not_modified"] = sum(f.status == 304 for f in fetches)
    return fetches


def _conditional_headers(state: dict | None, article: tuple[str, str] | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for pages processed before by this extractor
    version (an article in the warehouse, or a page found not to be one)."""
    if not state or state.get("last_outcome") in (None, "failed", "gave_up"):
        return {}
    if state["last_outcome"] == "loaded" and (article is None or article[1] != EXTRACTOR_VERSION):
        return {}
    headers = {}
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    if state.get("last_modified"):
        headers["If-Modified-Since"] = state["last_modified"]
    return headers


@task(name="extract")
def extract_pages(fetches: list[Fetch], entries: dict[str, Entry], prior: PriorState, run: Run,
                  report: Progress) -> Processed:
    """Extract articles and facts from fetched pages in batches; set each URL's outcome."""
    pages, outcomes = [], {}
    for fetch in fetches:
        outcome = _fetch_outcome(fetch, prior, run.settings)
        if outcome:
            outcomes[fetch.url] = outcome
        else:
            entry = entries.get(fetch.url)
            pages.append(Page(fetch.url, fetch.body, fetch.content_type, _sha(fetch),
                              entry.published if entry else None, entry.published_source if entry else None,
                              entry.outlet if entry else None))
    processed = Processed()
    seen_texts = dict(prior.texts)
    for start in range(0, len(pages), run.settings.batch_size):
        batch = process_pages(pages[start:start + run.settings.batch_size], str(REFERENCE_DIR), seen_texts,
                              run.run_id, run.started_at.date())
        _keep_in_window(batch, run)
        for article in batch.articles:
            article["text_minhash"] = minhash_signature(article["text"])
        processed.articles += batch.articles
        processed.facts += batch.facts
        processed.outcomes |= batch.outcomes
        report("extract", min(start + run.settings.batch_size, len(pages)), len(pages))
    _drop_near_duplicates(processed, prior)
    processed.outcomes |= outcomes
    _log_fetches(fetches, processed.outcomes, prior, run)
    run.counts["articles"] = len(processed.articles)
    run.counts["facts"] = len(processed.facts)
    return processed


def _drop_near_duplicates(processed: Processed, prior: PriorState) -> None:
    """Keep one article per story: later near-copies get the outcome near_duplicate."""
    new = [Story(a["url"], a["published_at"], tuple(a["text_minhash"]), bool(a["canonical_url"]))
           for a in processed.articles]
    signatures = {story.url: story.signature for story in new + prior.stories}
    duplicates = find_near_duplicates(new, prior.stories)
    for url, kept in duplicates.items():
        exact = similarity(signatures[url], signatures[kept]) >= 0.95
        processed.outcomes[url] = ("duplicate" if exact else "near_duplicate", f"same story as {kept}")
    processed.articles = [a for a in processed.articles if a["url"] not in duplicates]
    processed.facts = [f for f in processed.facts if f["article_url"] not in duplicates]


def _keep_in_window(batch: Processed, run: Run) -> None:
    """Drop articles (and their facts) published outside a backfill window."""
    outside = {a["url"] for a in batch.articles if not run.in_window(a["published_at"])}
    for url in outside:
        batch.outcomes[url] = ("out_of_window", "published outside the backfill window")
    batch.articles = [a for a in batch.articles if a["url"] not in outside]
    batch.facts = [f for f in batch.facts if f["article_url"] not in outside]


def _sha(fetch: Fetch) -> str:
    return hashlib.sha256(fetch.body or b"").hexdigest()


def _fetch_outcome(fetch: Fetch, prior: PriorState, settings: Settings) -> tuple[str, str | None] | None:
    """The outcome of a fetch that gives no page to process, or None to process it."""
    if fetch.disallowed:
        return ("disallowed", fetch.error)
    if fetch.status == 304:
        return ("unchanged", None)
    if fetch.body is None:
        attempts = prior.crawl.get(fetch.url, {}).get("attempts", 0) + 1
        return ("gave_up" if attempts >= settings.max_attempts else "failed", fetch.error or f"HTTP {fetch.status}")
    known = prior.articles.get(fetch.url)
    if known and known == (_sha(fetch), EXTRACTOR_VERSION):
        return ("unchanged", "same content as archived")
    return None


def _log_fetches(fetches: list[Fetch], outcomes: dict, prior: PriorState, run: Run) -> None:
    for fetch in fetches:
        outcome, reason = outcomes.get(fetch.url, ("failed", "no outcome"))
        run.fetch_log.append(_log_row(fetch, run, outcome, reason if outcome in ("failed", "gave_up") else fetch.error or reason))
        previous = prior.crawl.get(fetch.url, {})
        failed = outcome in ("failed", "gave_up")
        run.crawl_state.append({
            "url": fetch.url,
            "etag": fetch.etag or (previous.get("etag") if fetch.status == 304 else None),
            "last_modified": fetch.last_modified or (previous.get("last_modified") if fetch.status == 304 else None),
            "content_sha256": _sha(fetch) if fetch.body is not None else previous.get("content_sha256"),
            "last_status": fetch.status,
            "last_outcome": outcome if outcome != "unchanged" else previous.get("last_outcome", "loaded"),
            "last_error": reason if failed else None,
            "attempts": previous.get("attempts", 0) + 1 if failed else 0,
            "last_attempt_at": fetch.fetched_at,
            "run_id": run.run_id,
        })
    for outcome in FETCH_LOG_OUTCOMES:
        run.counts[f"outcome_{outcome}"] = sum(r["outcome"] == outcome for r in run.fetch_log)


FETCH_LOG_OUTCOMES = ("loaded", "unchanged", "duplicate", "near_duplicate", "not_article", "non_english",
                      "disallowed", "failed", "gave_up", "out_of_window", "source")


def _log_row(fetch: Fetch, run: Run, outcome: str, error: str | None) -> dict:
    return {
        "url": fetch.url, "run_id": run.run_id, "fetched_at": fetch.fetched_at, "http_status": fetch.status,
        "bytes": len(fetch.body) if fetch.body is not None else 0, "duration_ms": fetch.duration_ms,
        "error": error, "outcome": outcome, "final_url": fetch.final_url,
        "content_sha256": _sha(fetch) if fetch.body is not None else None,
    }


@task(name="load")
def load(staged: dict[str, Path], run: Run) -> None:
    """Load the staged run into the warehouse: one short write transaction."""
    ended = dt.datetime.now(dt.UTC)
    record = {
        "run_id": run.run_id, "kind": run.kind, "started_at": run.started_at, "ended_at": ended,
        "parameters": json.dumps(_parameters(run)), "counts": json.dumps(run.counts), "outcome": "completed",
    }
    with open_warehouse(run.settings.db, wait_s=300) as con:
        load_run(con, staged, record)


def _parameters(run: Run) -> dict:
    return {"since": str(run.since) if run.since else None, "until": str(run.until) if run.until else None,
            "db": str(run.settings.db)}


def summarise(run: Run) -> dict:
    """The run summary printed by the CLI and written to <reports>/<run_id>/summary.json."""
    summary = {
        "run_id": run.run_id, "kind": run.kind, "started_at": run.started_at.isoformat(),
        "counts": run.counts, "stage_seconds": run.stage_seconds,
        "failures": [r for r in run.fetch_log if r["outcome"] in ("failed", "gave_up")],
        "reports": str(run.reports_dir),
    }
    run.reports_dir.mkdir(parents=True, exist_ok=True)
    (run.reports_dir / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    return summary

