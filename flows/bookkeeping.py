"""What a run records about each URL: its fetch-log row and its crawl state.

Outcomes (``mart.fetch_log.outcome``): loaded, unchanged, duplicate, near_duplicate,
not_article, non_english, disallowed, failed, gave_up, out_of_window, and 'source' for a
feed or sitemap that was read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flows.crawl import Fetch

OUTCOMES = ("loaded", "unchanged", "duplicate", "near_duplicate", "not_article", "non_english",
            "disallowed", "failed", "gave_up", "out_of_window", "source")
PROCESSED_OUTCOMES = ("loaded", "duplicate", "near_duplicate", "not_article", "non_english", "out_of_window")


def unprocessed_outcome(fetch: Fetch, previous: dict | None, known: tuple[str, str] | None,
                        extractor_version: str, max_attempts: int) -> tuple[str, str | None] | None:
    """The outcome of a fetch that gives no page to process, or None when it must be processed.

    ``previous`` is the URL's crawl state, ``known`` the (content sha256, extractor
    version) of its article in the warehouse.
    """
    if fetch.disallowed:
        return ("disallowed", fetch.error)
    if fetch.status == 304:
        return ("unchanged", "not modified (304)")
    if fetch.sha256 is None:  # no body was received (the body itself may be released by now)
        attempts = (previous or {}).get("attempts", 0) + 1
        reason = fetch.error or f"HTTP {fetch.status}"
        if attempts >= max_attempts:
            return ("gave_up", f"{reason} (attempt {attempts} of {max_attempts})")
        return ("failed", reason)
    if known is not None and known == (fetch.sha256, extractor_version):
        return ("unchanged", "same content as archived")
    return None


def fetch_log_row(fetch: Fetch, run_id: str, outcome: str, reason: str | None) -> dict:
    """One ``raw.fetch_log`` row."""
    return {
        "url": fetch.url, "run_id": run_id, "fetched_at": fetch.fetched_at, "http_status": fetch.status,
        "bytes": fetch.size, "duration_ms": fetch.duration_ms, "error": reason, "outcome": outcome,
        "final_url": fetch.final_url, "content_sha256": fetch.sha256,
    }


def crawl_state_row(fetch: Fetch, run_id: str, outcome: str, reason: str | None, previous: dict | None,
                    published_at: dt.datetime | None = None) -> dict:
    """The URL's ``core.crawl_state`` after this fetch: validators kept across 304s,
    consecutive failed attempts counted, reset by any answer; ``published_at`` is the
    date of a page left out as outside a backfill window (None otherwise)."""
    previous = previous or {}
    failed = outcome in ("failed", "gave_up")
    not_modified = fetch.status == 304
    return {
        "url": fetch.url,
        "etag": previous.get("etag") if not_modified else fetch.etag,
        "last_modified": previous.get("last_modified") if not_modified else fetch.last_modified,
        "content_sha256": fetch.sha256 or previous.get("content_sha256"),
        "last_status": fetch.status,
        "last_outcome": previous.get("last_outcome", "loaded") if outcome == "unchanged" else outcome,
        "last_error": reason if failed else None,
        "attempts": previous.get("attempts", 0) + 1 if failed else 0,
        "last_attempt_at": fetch.fetched_at,
        "run_id": run_id,
        "published_at": published_at if outcome == "out_of_window" else None,
    }


def known_outside(previous: dict | None, in_window: Callable[[dt.datetime], bool]) -> dt.datetime | None:
    """The publication date of a page an earlier run left out as outside its backfill
    window, when that date is outside this run's window too (the page need not be
    fetched); None when the page must be requested."""
    if not previous or previous.get("last_outcome") != "out_of_window" or previous.get("published_at") is None:
        return None
    return None if in_window(previous["published_at"]) else previous["published_at"]


def conditional_headers(previous: dict | None, known: tuple[str, str] | None, extractor_version: str) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for a page processed before by this extractor
    version (an article in the warehouse, or a page found not to be one)."""
    if not previous or previous.get("last_outcome") in (None, "failed", "gave_up", "out_of_window"):
        return {}  # an out-of-window page may belong to the next partition of a backfill
    if previous["last_outcome"] == "loaded" and (known is None or known[1] != extractor_version):
        return {}
    headers = {}
    if previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    return headers
