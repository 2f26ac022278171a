"""The nightly flow end to end: a served dev site into a real DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from flows.nightly import nightly

TABLES = ("mart.articles", "mart.fact_mentions", "mart.facts", "mart.fact_history", "core.fact_history",
          "core.crawl_state", "raw.pages", "core.quarantine")


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {table: con.execute("SELECT count(*) FROM query_table(?)", [table]).fetchone()[0] for table in TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def loaded(dev_site, tmp_path_factory) -> tuple[Path, dict, dict]:
    db = tmp_path_factory.mktemp("warehouse") / "w.duckdb"
    first = nightly(dev_site.sources, db=str(db), allow_private_hosts=True)
    before = counts(db)
    second = nightly(dev_site.sources, db=str(db), allow_private_hosts=True)
    return db, first, {"before": before, "after": counts(db), "second": second}


def test_every_dev_article_is_loaded_exactly_once(loaded, dev_site) -> None:
    db, first, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    urls = [row[0] for row in con.execute("SELECT url FROM mart.articles").fetchall()]
    assert sorted(urls) == sorted(dev_site.manifest["articles"].values())
    assert first["counts"]["articles"] == 35


def test_articles_carry_contract_fields(loaded) -> None:
    db, _, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT outlet, published_at, published_source, language, url FROM mart.articles").fetchall()
    for outlet, published_at, source, language, url in rows:
        assert outlet and "127.0.0.1" not in outlet, url
        assert published_at is not None and source in ("jsonld", "meta", "time", "feed", "sitemap", "url", "text")
        assert language == "en"


def test_facts_are_loaded_with_evidence_from_the_article(loaded) -> None:
    db, first, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    assert first["counts"]["facts"] > 0
    missing = con.execute(
        "SELECT count(*) FROM mart.fact_mentions AS m JOIN mart.articles AS a ON a.url = m.article_url "
        "WHERE strpos(a.text, m.evidence) = 0 AND strpos(a.title, m.evidence) = 0").fetchone()[0]
    assert missing == 0
    assert con.execute("SELECT count(*) FROM mart.facts").fetchone()[0] > 0


def test_second_identical_run_changes_nothing(loaded) -> None:
    _, _, again = loaded
    assert again["after"] == again["before"]
    assert again["second"]["counts"]["articles"] == 0
    assert again["second"]["counts"]["not_modified"] >= 35


def test_run_is_recorded_with_its_summary(loaded) -> None:
    db, first, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    outcome, counts_json = con.execute("SELECT outcome, counts FROM mart.runs WHERE run_id = ?",
                                       [first["run_id"]]).fetchone()
    assert outcome == "completed"
    assert json.loads(counts_json)["articles"] == 35
    assert Path(first["reports"], "summary.json").exists()


def test_score_script_reads_the_warehouse(loaded, dev_site, corpus) -> None:
    import subprocess
    import sys

    db, _, _ = loaded
    result = subprocess.run(
        [sys.executable, str(corpus / "score.py"), str(corpus / "dev"), str(dev_site.directory / "manifest.json"),
         str(db), "--json"], capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout)
    assert figures["all"]["tp"] > 0


def test_tariffs_in_force_on_1_november_2024_include_the_eu_duties_of_30_october(loaded) -> None:
    db, _, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT company, rate_pct, CAST(valid_from AS DATE)::VARCHAR FROM mart.tariffs_in_force("
                       "DATE '2024-11-01') WHERE imposer = 'European Union' AND target = 'China' "
                       "AND product = 'electric vehicles'").fetchall()
    by_company = {company: (rate, since) for company, rate, since in rows}
    assert by_company["BYD"] == (17.0, "2024-10-30")
    assert by_company["Geely"] == (18.8, "2024-10-30")
    assert by_company["SAIC"][0] == 35.3


def test_facts_as_of_follows_a_status_change_between_two_dates(loaded) -> None:
    db, _, _ = loaded
    con = duckdb.connect(str(db), read_only=True)

    def status_on(day: str) -> str | None:
        found = con.execute("SELECT status FROM mart.facts_as_of(CAST(? AS TIMESTAMPTZ)) "
                            "WHERE parties = ['Honda', 'Nissan']", [day]).fetchone()
        return found[0] if found else None

    assert status_on("2024-12-20") == "reported"
    assert status_on("2025-01-15") == "negotiating"
    assert status_on("2025-03-01") == "ended"


def test_nothing_is_known_before_the_first_run(loaded) -> None:
    db, first, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    before = con.execute("SELECT started_at - INTERVAL 1 SECOND FROM mart.runs WHERE run_id = ?",
                         [first["run_id"]]).fetchone()[0]
    known_then = con.execute("SELECT count(*) FROM mart.facts_as_of(TIMESTAMPTZ '2025-06-01', known_at := ?)",
                             [before]).fetchone()[0]
    known_now = con.execute("SELECT count(*) FROM mart.facts_as_of(TIMESTAMPTZ '2025-06-01')").fetchone()[0]
    assert known_then == 0 < known_now


def test_the_run_rows_are_dropped_before_the_load(dev_site, tmp_path, monkeypatch) -> None:
    """The load's memory must not sit on top of the run's articles and facts: by the time
    it starts they are staged on disk and the run's ``Processed`` is gone; in a crawl and
    in a re-processing of the archive alike."""
    import weakref

    import flows.pipeline as pipeline
    import flows.reprocess as reprocessing

    load, validate, rows, alive_at_load = pipeline.load, pipeline.validate_run, [], []

    class WatchedValidate:
        @staticmethod
        def fn(run, processed):
            rows.append(weakref.ref(processed))
            return validate.fn(run, processed)

    class WatchedLoad:
        @staticmethod
        def fn(staged, run):
            alive_at_load.append(rows[-1]() is not None)
            return load.fn(staged, run)

    for module in (pipeline, reprocessing):
        monkeypatch.setattr(module, "validate_run", WatchedValidate)
        monkeypatch.setattr(module, "load", WatchedLoad)
    db = str(tmp_path / "w.duckdb")
    assert nightly(dev_site.sources, db=db, allow_private_hosts=True)["counts"]["articles"] == 35
    assert reprocessing.reprocess(stale=False, db=db)["counts"]["articles"] == 35
    assert alive_at_load == [False, False]
