"""Stage a run's results as Parquet files under <data>/runs/<run_id>/ before the load."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from transforms.facts import EXTRACTOR_VERSION
from transforms.normalise import articles_frame, fact_mentions_frame

if TYPE_CHECKING:
    from flows.pipeline import Run
    from transforms.process import Processed

FETCH_LOG = pl.Schema({
    "url": pl.String, "run_id": pl.String, "fetched_at": pl.Datetime("us", "UTC"), "http_status": pl.Int32,
    "bytes": pl.Int64, "duration_ms": pl.Int32, "error": pl.String, "outcome": pl.String,
    "final_url": pl.String, "content_sha256": pl.String,
})
CRAWL_STATE = pl.Schema({
    "url": pl.String, "etag": pl.String, "last_modified": pl.String, "content_sha256": pl.String,
    "last_status": pl.Int32, "last_outcome": pl.String, "last_error": pl.String, "attempts": pl.Int32,
    "last_attempt_at": pl.Datetime("us", "UTC"), "run_id": pl.String, "published_at": pl.Datetime("us", "UTC"),
})
PAGES = pl.Schema({
    "content_sha256": pl.String, "url": pl.String, "content_type": pl.String, "archive_path": pl.String,
    "bytes": pl.Int64, "run_id": pl.String, "fetched_at": pl.Datetime("us", "UTC"),
})
QUARANTINE = pl.Schema({
    "dataset": pl.String, "run_id": pl.String, "row_key": pl.String, "row": pl.String,
    "failed_expectations": pl.List(pl.String), "quarantined_at": pl.Datetime("us", "UTC"),
    "released_at": pl.Datetime("us", "UTC"),
})


def stage_run(run: Run, processed: Processed, quarantine: pl.DataFrame | None = None,
              articles: pl.DataFrame | None = None, facts: pl.DataFrame | None = None) -> dict[str, Path]:
    """Write the run's frames as Parquet; return {dataset: path} for ``warehouse.db.load_run``."""
    run.run_dir.mkdir(parents=True, exist_ok=True)
    frames = {
        "articles": articles if articles is not None else articles_frame(processed.articles),
        "fact_mentions": facts if facts is not None else fact_mentions_frame(
            processed.facts, run.run_id, EXTRACTOR_VERSION),
        "fetch_log": pl.DataFrame(run.fetch_log, schema=FETCH_LOG),
        "crawl_state": pl.DataFrame(run.crawl_state, schema=CRAWL_STATE),
        "pages": pl.DataFrame(run.pages, schema=PAGES),
        "quarantine": quarantine if quarantine is not None else pl.DataFrame(schema=QUARANTINE),
    }
    paths = {}
    for name, frame in frames.items():
        path = run.run_dir / f"{name}.parquet"
        frame.write_parquet(path)
        paths[name] = path
    return paths
