"""Crawl bookkeeping: retry backoff across runs."""

from __future__ import annotations

import datetime as dt

from flows.pipeline import Run, _retry_due
from flows.settings import Settings

NOW = dt.datetime(2025, 1, 10, 2, tzinfo=dt.UTC)


def _run(hours: float) -> Run:
    return Run(kind="nightly", settings=Settings(retry_backoff_h=hours, clock=NOW))


def test_failed_url_waits_its_backoff_doubling_per_attempt() -> None:
    state = {"last_outcome": "failed", "attempts": 3, "last_attempt_at": NOW - dt.timedelta(hours=3)}
    assert not _retry_due(state, _run(1.0))    # 1 h * 2**2 = 4 h not yet over
    assert _retry_due({**state, "attempts": 2}, _run(1.0))  # 2 h over
    assert _retry_due(state, _run(0.0))


def test_urls_that_did_not_fail_are_always_due() -> None:
    assert _retry_due(None, _run(24.0))
    assert _retry_due({"last_outcome": "loaded", "attempts": 0, "last_attempt_at": NOW}, _run(24.0))
