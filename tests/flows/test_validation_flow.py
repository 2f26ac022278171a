"""Validation inside real runs: bad rows quarantined with their reasons while the good
rows load; a failed batch gate stops the run before the warehouse changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pytest

import transforms.process as process
from flows.nightly import nightly
from schemas.validate import GateFailed

BAD_FACTS = [
    {"fact_type": "partnership", "parties": ["Ford", "CATL"], "form": "licensing", "status": "rumoured",
     "evidence": "TITLE"},
    {"fact_type": "tariff", "imposer": "China", "target": "China", "rate_pct": 15.0, "status": "in_effect",
     "product": "cars", "evidence": "TITLE"},
    {"fact_type": "expansion", "company": "BYD", "region": "Hungary", "form": "production", "status": "planned",
     "evidence": "a sentence that no article contains"},
]


def _count(db: Path, sql: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def quarantined_run(dev_site, tmp_path_factory):
    urls = sorted(dev_site.manifest["articles"].values())
    future_url, poisoned_url = urls[0], urls[1]
    real_extract_article, real_extract_facts = process.extract_article, process.extract_facts
    titles: dict[str, str] = {}

    def extract_article(html, url, **kwargs):
        article = real_extract_article(html, url, **kwargs)
        titles[article.title] = url
        if url == future_url:
            article = dataclasses.replace(article, published_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC))
        return article

    def extract_facts(article, registry):
        facts = real_extract_facts(article, registry)
        if titles.get(article.title) == poisoned_url:
            facts += [{**fact, "evidence": article.title if fact["evidence"] == "TITLE" else fact["evidence"]}
                      for fact in BAD_FACTS]
        return facts

    mp = pytest.MonkeyPatch()
    mp.setattr(process, "extract_article", extract_article)
    mp.setattr(process, "extract_facts", extract_facts)
    db = tmp_path_factory.mktemp("quarantine") / "w.duckdb"
    try:
        nightly(dev_site.sources, db=str(db), allow_private_hosts=True)
    finally:
        mp.undo()
    return db, future_url, poisoned_url


def test_facts_of_a_quarantined_article_are_held_back_with_it(quarantined_run) -> None:
    db, future_url, _ = quarantined_run
    held = _count(db, "SELECT count(*) FROM mart.quarantine WHERE dataset = 'fact_mentions' AND "
                      f"json_extract_string(\"row\", '$.article_url') = '{future_url}'")
    assert held == _count(db, "SELECT count(*) FROM mart.quarantine WHERE list_contains(failed_expectations, "
                              "'article of the mention is among the run''s articles')")


def test_future_dated_article_is_quarantined_and_others_load(quarantined_run) -> None:
    db, future_url, _ = quarantined_run
    assert _count(db, f"SELECT count(*) FROM mart.articles WHERE url = '{future_url}'") == 0
    reasons = _count(db, "SELECT count(*) FROM mart.quarantine WHERE dataset = 'articles' "
                         "AND list_contains(failed_expectations, 'published_at not after the run time')")
    assert reasons == 1
    assert _count(db, "SELECT count(*) FROM mart.articles") == 34


def test_bad_fact_rows_are_quarantined_with_their_reasons(quarantined_run) -> None:
    db, _, poisoned_url = quarantined_run
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT failed_expectations FROM mart.quarantine WHERE dataset = 'fact_mentions' "
                       "AND json_extract_string(\"row\", '$.article_url') = ?", [poisoned_url]).fetchall()
    con.close()
    reasons = [" / ".join(failed) for (failed,) in rows]
    assert any("status in vocabulary of partnership" in r for r in reasons), reasons
    assert any("tariff imposer differs from target" in r for r in reasons), reasons
    assert any("evidence found in article title or text" in r for r in reasons), reasons
    assert len(rows) == len(BAD_FACTS)  # the article's good facts loaded
    assert _count(db, f"SELECT count(*) FROM mart.fact_mentions WHERE article_url = '{poisoned_url}' "
                      "AND status = 'rumoured'") == 0
    assert _count(db, "SELECT count(*) FROM mart.fact_mentions") > 100


def test_a_failed_gate_stops_the_run_before_the_warehouse_changes(dev_site, tmp_path, monkeypatch) -> None:
    def nothing_but_bad_evidence(article, registry):
        return [{**BAD_FACTS[2]} for _ in range(3)]

    monkeypatch.setattr(process, "extract_facts", nothing_but_bad_evidence)
    db = tmp_path / "w.duckdb"
    with pytest.raises(GateFailed, match="passed validation|fact"):
        nightly(dev_site.sources, db=str(db), allow_private_hosts=True)
    assert not db.exists()
