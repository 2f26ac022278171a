"""Re-derive articles and facts from the raw archive, with the network off.

For ``stale=True`` only the articles extracted by an older extractor version are redone
(after an extractor change); otherwise every archived article. History is re-cut by the
load exactly as for a crawl.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.archive import Archive
from flows.nightly import _overrides
from flows.pipeline import Run, _drop_near_duplicates, _keep_in_window, load, summarise
from flows.settings import Settings
from flows.staging import stage_run
from flows.validation import validate_run
from transforms.dedupe import minhash_signature
from transforms.facts import EXTRACTOR_VERSION
from transforms.process import Page, Processed, process_pages
from warehouse import REFERENCE_DIR
from warehouse.db import open_warehouse


@flow(name="reprocess", log_prints=False)
def reprocess(stale: bool = True, db: str | None = None, reports: str | None = None) -> dict:
    """Re-extract archived articles (only stale ones when ``stale``) and reload their facts;
    returns the run summary. Raises FileNotFoundError when an archived body is missing."""
    settings = Settings(**_overrides(db, False, reports))
    run = Run(kind="reprocess", settings=settings)
    pages = archived_pages(settings, stale)
    processed = Processed()
    archive = Archive(settings.resolved_data_dir() / "archive")
    for start in range(0, len(pages), settings.batch_size):
        batch = [Page(url, archive.get(sha), content_type, sha, fetched_at=fetched_at)
                 for url, sha, content_type, fetched_at in pages[start:start + settings.batch_size]]
        result = process_pages(batch, str(REFERENCE_DIR), {}, run.run_id, run.started_at.date())
        _keep_in_window(result, run)
        for article in result.articles:
            article["text_minhash"] = minhash_signature(article["text"])
        processed.articles += result.articles
        processed.facts += result.facts
        processed.outcomes |= result.outcomes
    _drop_near_duplicates(processed, _prior_without(settings, {p[0] for p in pages}))
    run.counts |= {"reprocessed": len(pages), "articles": len(processed.articles), "facts": len(processed.facts)}
    checked = validate_run.fn(run, processed)
    run.validation = checked.summary
    staged = stage_run(run, processed, checked.quarantine, checked.articles, checked.facts)
    load.fn(staged, run)
    return summarise(run)


def archived_pages(settings: Settings, stale: bool) -> list[tuple]:
    """(url, sha256, content type, fetched_at) of each article's archived page."""
    query = ("SELECT a.url, p.content_sha256, p.content_type, p.fetched_at FROM core.articles AS a "
             "JOIN raw.pages AS p ON p.content_sha256 = a.content_sha256 "
             "WHERE NOT ? OR a.extractor_version <> ? "
             "QUALIFY row_number() OVER (PARTITION BY a.url ORDER BY p.fetched_at DESC) = 1 ORDER BY a.url")
    with open_warehouse(Path(settings.db), read_only=True, wait_s=60) as con:
        return con.execute(query, [stale, EXTRACTOR_VERSION]).fetchall()


def _prior_without(settings: Settings, urls: set[str]):
    from flows.pipeline import read_prior_state

    prior = read_prior_state.fn(settings)
    prior.stories = [story for story in prior.stories if story.url not in urls]
    return prior
