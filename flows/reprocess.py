"""Re-derive articles and facts from the raw archive, with the network off.

For ``stale=True`` only the articles extracted by an older extractor version are redone
(after an extractor change); otherwise every archived article. History is re-cut by the
load exactly as for a crawl.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.archive import Archive
from flows.extraction import drop_near_duplicates, extraction_pool, merge, process_in_batches
from flows.pipeline import Run, load, release_free_memory, summarise
from flows.settings import Settings, settings_with
from flows.staging import stage_run
from flows.validation import validate_run
from transforms.facts import EXTRACTOR_VERSION
from transforms.process import Page, Processed
from warehouse.db import open_warehouse, read_sql


@flow(name="reprocess", log_prints=False)
def reprocess(stale: bool = True, db: str | None = None, reports: str | None = None) -> dict:
    """Re-extract archived articles (only stale ones when ``stale``) and reload their facts;
    returns the run summary. Raises FileNotFoundError when an archived body is missing."""
    run = Run(kind="reprocess", settings=settings_with(db=db, reports=reports))
    staged = _rederive_and_stage(run, stale)
    release_free_memory()  # the run's rows are on disk now: the load's memory does not sit on top of them
    load.fn(staged, run)
    run.loaded = True
    return summarise(run)


def _rederive_and_stage(run: Run, stale: bool) -> dict[str, Path]:
    """Extract the archived pages again (in the run's worker processes), validate and stage
    them; returns the staged Parquet files. The rows in memory are dropped on return."""
    settings = run.settings
    pages = archived_pages(settings, stale)
    archive = Archive(settings.resolved_data_dir() / "archive")
    processed, chunk = Processed(), settings.batch_size * max(1, settings.workers)
    with extraction_pool(settings, len(pages)) as pool:
        for start in range(0, len(pages), chunk):  # bodies are read a chunk at a time
            batch = [Page(url, archive.get(sha), content_type, sha, feed_published=feed_date,
                          feed_published_source=feed_source, feed_outlet=outlet, fetched_at=fetched_at)
                     for url, sha, content_type, fetched_at, feed_date, feed_source, outlet
                     in pages[start:start + chunk]]
            merge(processed, process_in_batches(batch, run, pool))
    drop_near_duplicates(processed, settings.target(), exclude=frozenset(p[0] for p in pages))
    run.counts |= {"reprocessed": len(pages), "articles": len(processed.articles), "facts": len(processed.facts)}
    checked = validate_run.fn(run, processed)
    run.validation = checked.summary
    return stage_run(run, processed, checked.quarantine, checked.articles, checked.facts)


def archived_pages(settings: Settings, stale: bool) -> list[tuple]:
    """(url, sha256, content type, fetched_at, feed date, feed date source, outlet) of each
    article's archived page."""
    with open_warehouse(settings.target(), read_only=True, wait_s=60) as con:
        return con.execute(read_sql("archived_pages"), {"stale": stale, "version": EXTRACTOR_VERSION}).fetchall()
