"""A backfill over sources that date nothing: the pages are offered to every partition, but
one found published outside the window of its partition is not fetched again by a later
partition whose window does not hold its date either."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.backfill import backfill
from tests.conftest import CORPUS, ServedSite, free_port

SINCE, UNTIL = dt.date(2024, 10, 1), dt.date(2024, 12, 31)  # three monthly partitions


@pytest.fixture(scope="module")
def undated_site(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    """The dev split served with /undated.xml: a sitemap listing every article, no dates."""
    out, port = tmp_path_factory.mktemp("undated") / "site", free_port()
    subprocess.run([sys.executable, str(CORPUS / "render_site.py"), str(corpus / "dev"), str(out),
                    "--base-url", f"http://127.0.0.1:{port}"], check=True, capture_output=True)
    urls = sorted({url for sitemap in out.glob("*/sitemap.xml")
                   for url in re.findall(r"<loc>([^<]+)</loc>", sitemap.read_text())})
    (out / "undated.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(f"<url><loc>{url}</loc></url>\n" for url in urls) + "</urlset>\n")
    site = ServedSite(out, port, [])
    yield site, urls
    site.stop()


@pytest.fixture(scope="module")
def backfills(undated_site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    site, _ = undated_site
    dbs = {"undated": tmp_path_factory.mktemp("undated-db") / "w.duckdb",
           "dated": tmp_path_factory.mktemp("dated-db") / "w.duckdb"}
    backfill(SINCE, UNTIL, [f"{site.base_url}/undated.xml"], db=str(dbs["undated"]), allow_private_hosts=True)
    backfill(SINCE, UNTIL, site.sources, db=str(dbs["dated"]), allow_private_hosts=True)
    return dbs


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_undated_sources_load_what_dated_ones_do(backfills: dict[str, Path]) -> None:
    loaded = {db: rows(path, "SELECT url, published_at::DATE FROM mart.articles ORDER BY url")  # feeds give times
              for db, path in backfills.items()}
    assert len(loaded["dated"]) >= 10
    assert loaded["undated"] == loaded["dated"]


def test_a_page_is_fetched_at_most_twice(undated_site, backfills: dict[str, Path]) -> None:
    _, urls = undated_site
    fetched = dict(rows(backfills["undated"], "SELECT url, count(*) FROM raw.fetch_log "
                                              "WHERE content_sha256 IS NOT NULL AND outcome <> 'source' "
                                              "GROUP BY url"))
    assert set(fetched) == set(urls)  # every page once at least (the first partition knows no date)
    assert max(fetched.values()) <= 2  # again only in the partition that holds its date
    runs = rows(backfills["undated"], "SELECT count(*) FROM core.runs WHERE outcome = 'completed'")
    assert runs == [(3,)]


def test_known_dates_spare_the_requests(backfills: dict[str, Path]) -> None:
    spared = rows(backfills["undated"], "SELECT url, error FROM raw.fetch_log WHERE outcome = 'out_of_window' "
                                        "AND http_status = 0")
    assert spared  # pages published in December, known so by October's run, were not requested in November
    assert all(re.search(r"published \d{4}-\d\d-\d\d, outside the backfill window .*not requested", error)
               for _, error in spared)


def test_crawl_state_keeps_the_dates_of_pages_outside_the_window(backfills: dict[str, Path]) -> None:
    outside = rows(backfills["undated"], "SELECT url, published_at FROM core.crawl_state "
                                         "WHERE last_outcome = 'out_of_window'")
    assert all(published is not None and not SINCE <= published.date() <= UNTIL for _, published in outside)
    loaded = rows(backfills["undated"], "SELECT count(*) FROM core.crawl_state "
                                        "WHERE last_outcome = 'loaded' AND published_at IS NOT NULL")
    assert loaded == [(0,)]


def test_dry_run_leaves_out_pages_known_to_be_outside_the_window(backfills: dict[str, Path], undated_site) -> None:
    site, urls = undated_site
    outside = {url for (url,) in rows(backfills["undated"], "SELECT url FROM core.crawl_state "
                                                             "WHERE last_outcome = 'out_of_window'")}
    result = backfill(SINCE, UNTIL, [f"{site.base_url}/undated.xml"], db=str(backfills["undated"]),
                      allow_private_hosts=True, dry_run=True)
    listed = [set(part["urls"]) for part in result["partitions"]]
    assert outside and len(listed) == 3
    assert all(part == set(urls) - outside for part in listed)  # the rest: undated, offered to every partition
