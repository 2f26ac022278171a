"""Data Docs written by a run open in a real browser and show the validation results."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Route


def _local_only(route: Route) -> None:
    """Data Docs link CDN scripts; this machine has no network, so only file: loads."""
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


def _docs_dir(demo_db: Path) -> Path:
    found = sorted((demo_db.parent / "reports").glob("*/data_docs/index.html"))
    assert found, "the run wrote no Data Docs"
    return found[-1].parent


def test_data_docs_index_lists_the_suites(demo_db: Path, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page()
    page.route("**/*", _local_only)
    page.goto((_docs_dir(demo_db) / "index.html").as_uri())
    html = page.content()
    for suite in ("articles", "fact_mentions"):
        assert suite in html
    page.screenshot(path=str(tmp_path / "data_docs_index.png"))
    page.close()


def test_validation_page_shows_the_expectations_and_their_results(demo_db: Path, browser: Browser) -> None:
    page = browser.new_page()
    page.route("**/*", _local_only)
    result = next((_docs_dir(demo_db) / "validations" / "fact_mentions").rglob("*.html"))
    page.goto(result.as_uri())
    text = page.inner_text("body")
    assert "evidence found in article title or text" in text
    assert "Evaluated Expectations" in text or "Expectations" in text
    page.close()
