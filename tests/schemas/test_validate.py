"""Row-level quarantine, batch gates and Data Docs of schemas.validate."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from schemas.articles import ARTICLES
from schemas.fact_mentions import FACT_MENTIONS, MACRO_REGIONS
from schemas.validate import (
    QUARANTINE,
    GateBounds,
    GateFailed,
    Validation,
    build_data_docs,
    check_gates,
    enforce_gates,
    validate_rows,
)

RUN_TIME = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
PUBLISHED = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)
KNOWN_REGIONS = (*MACRO_REGIONS, "China", "European Union", "Hungary", "United States")
SENTENCE = "Ford and CATL agreed to build a battery plant in Michigan."
TARIFF_SENTENCE = "The European Union imposed a 35.3% duty on electric cars from China."
BODY = " ".join([SENTENCE, TARIFF_SENTENCE, "BYD will open a car factory in Hungary."] * 3)


def _article(key: str, **changes: object) -> dict:
    row = {
        "article_id": key, "url": f"https://news.example.com/{key}", "canonical_url": None,
        "title": f"Story {key}", "outlet": "Example News", "author": None,
        "published_at": PUBLISHED, "published_source": "jsonld", "language": "en", "text": BODY,
        "content_sha256": "0" * 64, "extractor_version": "0.1.0", "run_id": "test-run",
    }
    return row | changes


def _fact(key: str, fact_type: str, **changes: object) -> dict:
    row = dict.fromkeys(FACT_MENTIONS.names())
    row |= {
        "mention_id": key, "fact_id": f"f-{key}", "fact_type": fact_type, "article_id": "a1",
        "article_url": "https://news.example.com/a1", "published_at": PUBLISHED,
        "extractor_version": "0.1.0", "run_id": "test-run",
    }
    row |= {
        "partnership": {"parties": ["CATL", "Ford"], "form": "licensing", "status": "agreed",
                        "evidence": SENTENCE},
        "tariff": {"imposer": "European Union", "target": "China", "rate_pct": 35.3,
                   "status": "in_effect", "effective_date": dt.date(2024, 10, 30),
                   "evidence": TARIFF_SENTENCE},
        "expansion": {"company": "BYD", "region": "Hungary", "form": "production",
                      "status": "planned", "evidence": "BYD will open a car factory in Hungary."},
    }[fact_type]
    return row | changes


BAD_ARTICLES = {
    "empty-text": ({"text": ""}, "text length within 200..200000 chars"),
    "null-text": ({"text": None}, "text present"),
    "blank-title": ({"title": "  "}, "title not blank"),
    "future": ({"published_at": RUN_TIME + dt.timedelta(days=2)}, "published_at not after the run time"),
    "ancient": ({"published_at": dt.datetime(1985, 5, 1, tzinfo=dt.UTC)}, "published_at not before 1990-01-01"),
    "no-date": ({"published_at": None}, "published_at present"),
    "ftp-url": ({"url": "ftp://news.example.com/x"}, "url is a well-formed http(s) URL"),
    "klingon": ({"language": "tlh"}, "language is an ISO 639-1 code or 'und'"),
    "guessed-source": ({"published_source": "guess"}, "published_source is a known source"),
}

BAD_FACTS = {
    "bad-status": ("tariff", {"status": "agreed"}, "status in vocabulary of tariff"),
    "self-tariff": ("tariff", {"target": "European Union"}, "tariff imposer differs from target"),
    "tariff-form": ("tariff", {"form": "supply"}, "form empty for tariff"),
    "huge-rate": ("tariff", {"rate_pct": 5000.0}, "tariff rate_pct within 0..1000"),
    "made-up": ("partnership", {"evidence": "Ford and CATL merged."}, "evidence found in article title or text"),
    "one-party": ("partnership", {"parties": ["Ford", "Ford"]}, "partnership names at least 2 distinct parties"),
    "bad-form": ("partnership", {"form": "sales"}, "form in vocabulary of partnership"),
    "mars": ("expansion", {"region": "Mars"}, "expansion region is a known country or region"),
    "nowhere": ("expansion", {"region": None}, "expansion region present"),
    "orphan": ("expansion", {"article_id": "a9"}, "article of the mention is among the run's articles"),
    "blank-evidence": ("expansion", {"evidence": " "}, "evidence not blank"),
}


@pytest.fixture(scope="module")
def articles() -> pl.DataFrame:
    good = [_article(f"a{i}") for i in (1, 2, 3)]
    bad = [_article(key, **changes) for key, (changes, _) in BAD_ARTICLES.items()]
    return pl.DataFrame(good[:2] + bad + good[2:], schema=ARTICLES)


@pytest.fixture(scope="module")
def facts() -> pl.DataFrame:
    good = [_fact(f"good-{t}", t) for t in ("partnership", "tariff", "expansion")]
    bad = [_fact(key, fact_type, **changes) for key, (fact_type, changes, _) in BAD_FACTS.items()]
    return pl.DataFrame(bad[:3] + good + bad[3:], schema=FACT_MENTIONS)


@pytest.fixture(scope="module")
def article_check(articles: pl.DataFrame) -> Validation:
    return validate_rows("articles", articles, RUN_TIME)


@pytest.fixture(scope="module")
def fact_check(facts: pl.DataFrame, article_check: Validation) -> Validation:
    context = {"articles": article_check.passed, "known_regions": KNOWN_REGIONS}
    return validate_rows("fact_mentions", facts, RUN_TIME, context)


def _failed(validation: Validation) -> dict[str, list[str]]:
    return dict(validation.quarantined.select("row_key", "failed_expectations").iter_rows())


def test_bad_articles_are_quarantined_with_the_expectation_they_failed(article_check: Validation) -> None:
    assert _failed(article_check) == {key: [expected] for key, (_, expected) in BAD_ARTICLES.items()}


def test_good_articles_pass_unchanged(articles: pl.DataFrame, article_check: Validation) -> None:
    assert_frame_equal(article_check.passed, articles.filter(pl.col("article_id").is_in(["a1", "a2", "a3"])))
    assert article_check.quarantined.schema == QUARANTINE
    assert article_check.summary["evaluated"] == len(BAD_ARTICLES) + 3
    assert article_check.summary["passed"] == 3
    assert article_check.summary["quarantined"] == len(BAD_ARTICLES)
    assert article_check.summary["failures"]["published_at not after the run time"] == 1
    assert article_check.summary["failures"]["url unique in the batch"] == 0


def test_bad_facts_are_quarantined_with_the_expectation_they_failed(fact_check: Validation) -> None:
    assert _failed(fact_check) == {key: [expected] for key, (_, _, expected) in BAD_FACTS.items()}


def test_good_facts_pass_with_the_input_schema(fact_check: Validation) -> None:
    assert fact_check.passed.schema == FACT_MENTIONS
    assert fact_check.passed["mention_id"].to_list() == ["good-partnership", "good-tariff", "good-expansion"]


def test_quarantined_row_is_json_with_iso_dates_and_lists(fact_check: Validation) -> None:
    row = json.loads(fact_check.quarantined.filter(pl.col("row_key") == "self-tariff")["row"].item())
    assert row["published_at"] == "2026-11-28T09:30:00+00:00"
    assert row["effective_date"] == "2024-10-30"
    one_party = json.loads(fact_check.quarantined.filter(pl.col("row_key") == "one-party")["row"].item())
    assert one_party["parties"] == ["Ford", "Ford"]


def test_duplicate_urls_quarantine_every_copy() -> None:
    frame = pl.DataFrame([_article("a1"), _article("a2", url="https://news.example.com/a1")], schema=ARTICLES)
    check = validate_rows("articles", frame, RUN_TIME)
    assert _failed(check) == {"a1": ["url unique in the batch"], "a2": ["url unique in the batch"]}


def test_a_row_lists_every_expectation_it_failed() -> None:
    frame = pl.DataFrame([_article("a1", text="", language=None)], schema=ARTICLES)
    assert _failed(validate_rows("articles", frame, RUN_TIME)) == {
        "a1": ["text length within 200..200000 chars", "language present"]
    }


def test_empty_frame_validates_to_empty_frames() -> None:
    check = validate_rows("articles", ARTICLES.to_frame(), RUN_TIME)
    assert check.passed.height == 0 and check.quarantined.height == 0
    assert check.passed.schema == ARTICLES


def test_fact_mentions_need_articles_and_regions(facts: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="articles"):
        validate_rows("fact_mentions", facts, RUN_TIME, {"known_regions": KNOWN_REGIONS})
    with pytest.raises(ValueError, match="known_regions"):
        validate_rows("fact_mentions", facts, RUN_TIME, {"articles": ARTICLES.to_frame()})


def test_missing_columns_are_named(articles: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"lacks columns \['language'\]"):
        validate_rows("articles", articles.drop("language"), RUN_TIME)


def test_naive_run_time_is_refused(articles: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        validate_rows("articles", articles, RUN_TIME.replace(tzinfo=None))


def test_gates_report_the_share_and_its_bound() -> None:
    metrics = {"pages_fetched": 100, "articles": 12, "articles_with_facts": 1, "facts": 20, "facts_passed": 0}
    failures = check_gates(metrics, GateBounds(min_article_share=0.5))
    assert [f.message for f in failures] == [
        "share of fetched pages that became articles is 0.12, below the minimum 0.50",
        "share of articles with at least one fact is 0.08, below the minimum 0.10",
        "share of fact mentions that passed validation is 0.00, below the minimum 0.50",
    ]
    with pytest.raises(GateFailed, match="fact mentions that passed validation is 0.00"):
        enforce_gates(metrics, {"min_article_share": 0.1})


def test_gates_skip_shares_over_too_few_items() -> None:
    small = {"pages_fetched": 0, "articles": 9, "articles_with_facts": 0, "facts": 4, "facts_passed": 0}
    assert check_gates(small, GateBounds()) == []
    healthy = {"pages_fetched": 50, "articles": 45, "articles_with_facts": 20, "facts": 300, "facts_passed": 290}
    assert check_gates(healthy, GateBounds()) == []


def test_data_docs_index_names_the_suites(article_check: Validation, fact_check: Validation, tmp_path: Path) -> None:
    index = build_data_docs([article_check, fact_check], tmp_path / "run-1" / "data_docs")
    assert index == tmp_path / "run-1" / "data_docs" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert "articles" in html and "fact_mentions" in html
    pages = list((index.parent / "validations").rglob("*.html"))
    assert len(pages) == 2
