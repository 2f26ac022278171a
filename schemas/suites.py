"""Great Expectations suites of the articles and fact mentions datasets.

A suite says what a valid row is; a row failing any of its expectations is quarantined
(``schemas.validate``). Every expectation carries a ``description``: that short sentence is
the name a quarantined row lists in ``failed_expectations``.

Cross-column and cross-dataset rules are checked on helper columns (names start with ``_``)
that ``add_check_columns`` derives before validation; rules that hold for one fact type only
use a GE row condition on ``fact_type``. Values that change per run (the run's time, the
known regions) are suite parameters, bound at validation time, so each suite is built once.

This module imports great_expectations (slow to import); ``schemas.articles`` and
``schemas.fact_mentions`` stay light for the transforms that only need the polars schemas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import great_expectations as gx
import great_expectations.expectations as gxe
import polars as pl
from great_expectations.expectations.row_conditions import Column

from schemas.articles import PUBLISHED_SOURCES
from schemas.fact_mentions import FACT_TYPES, FORMS, STATUSES

RUN_TIME = "run_time"
"""Suite parameter: the run's time (tz-aware datetime); nothing is published after it."""
KNOWN_REGIONS = "known_regions"
"""Suite parameter: the countries and macro-regions an expansion may name."""

EARLIEST_PUBLISHED = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
TEXT_CHARS = (200, 200_000)
RATE_PCT = (0.0, 1000.0)
URL_PATTERN = r"^https?://[^\s/?#@:]+(?::\d+)?(?:[/?#]\S*)?$"
NOT_BLANK_PATTERN = r"\S"

_ISO_639_1_CODES = """
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss
st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
za zh zu und
"""
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())
"""ISO 639-1 language codes, plus ``und`` (undetermined) as extraction writes it."""

KEY_COLUMNS = {"articles": "article_id", "fact_mentions": "mention_id"}
"""The column identifying a row of each dataset (``row_key`` of a quarantined row)."""


def articles_suite() -> gx.ExpectationSuite:
    """The row-level expectations of an ``ARTICLES`` frame (suite parameter ``run_time``)."""
    suite = gx.ExpectationSuite(name="articles")
    for expectation in (
        gxe.ExpectColumnValuesToNotBeNull(column="url", description="url present"),
        gxe.ExpectColumnValuesToMatchRegex(
            column="url", regex=URL_PATTERN, description="url is a well-formed http(s) URL"),
        gxe.ExpectColumnValuesToBeUnique(column="url", description="url unique in the batch"),
        gxe.ExpectColumnValuesToNotBeNull(column="title", description="title present"),
        gxe.ExpectColumnValuesToMatchRegex(
            column="title", regex=NOT_BLANK_PATTERN, description="title not blank"),
        gxe.ExpectColumnValuesToNotBeNull(column="text", description="text present"),
        gxe.ExpectColumnValueLengthsToBeBetween(
            column="text", min_value=TEXT_CHARS[0], max_value=TEXT_CHARS[1],
            description=f"text length within {TEXT_CHARS[0]}..{TEXT_CHARS[1]} chars"),
        gxe.ExpectColumnValuesToNotBeNull(column="language", description="language present"),
        gxe.ExpectColumnValuesToBeInSet(
            column="language", value_set=sorted(ISO_639_1),
            description="language is an ISO 639-1 code or 'und'"),
        gxe.ExpectColumnValuesToNotBeNull(
            column="published_at", description="published_at present"),
        gxe.ExpectColumnValuesToBeBetween(
            column="published_at", min_value=EARLIEST_PUBLISHED,
            description=f"published_at not before {EARLIEST_PUBLISHED:%Y-%m-%d}"),
        gxe.ExpectColumnValuesToBeBetween(
            column="published_at", max_value={"$PARAMETER": RUN_TIME},
            description="published_at not after the run time"),
        gxe.ExpectColumnValuesToBeInSet(
            column="published_source", value_set=list(PUBLISHED_SOURCES),
            description="published_source is a known source"),
    ):
        suite.add_expectation(expectation)
    return suite


def fact_mentions_suite() -> gx.ExpectationSuite:
    """The row-level expectations of a ``FACT_MENTIONS`` frame with its check columns.

    Expects the helper columns of ``add_check_columns`` and suite parameter ``known_regions``.
    """
    suite = gx.ExpectationSuite(name="fact_mentions")
    for expectation in (
        gxe.ExpectColumnValuesToNotBeNull(column="fact_type", description="fact_type present"),
        gxe.ExpectColumnValuesToBeInSet(
            column="fact_type", value_set=list(FACT_TYPES), description="fact_type is known"),
        gxe.ExpectColumnValuesToNotBeNull(column="status", description="status present"),
        *_vocabulary_expectations(),
        gxe.ExpectColumnValuesToBeBetween(
            column="_distinct_parties", min_value=2,
            description="partnership names at least 2 distinct parties"),
        gxe.ExpectColumnValuesToBeInSet(
            column="_imposer_differs", value_set=[True],
            description="tariff imposer differs from target"),
        gxe.ExpectColumnValuesToBeBetween(
            column="rate_pct", min_value=RATE_PCT[0], max_value=RATE_PCT[1],
            description=f"tariff rate_pct within {RATE_PCT[0]:g}..{RATE_PCT[1]:g}"),
        gxe.ExpectColumnValuesToNotBeNull(
            column="region", row_condition=Column("fact_type") == "expansion",
            description="expansion region present"),
        gxe.ExpectColumnValuesToBeInSet(
            column="region", value_set={"$PARAMETER": KNOWN_REGIONS},
            row_condition=Column("fact_type") == "expansion",
            description="expansion region is a known country or region"),
        gxe.ExpectColumnValuesToNotBeNull(column="evidence", description="evidence present"),
        gxe.ExpectColumnValuesToMatchRegex(
            column="evidence", regex=NOT_BLANK_PATTERN, description="evidence not blank"),
        gxe.ExpectColumnValuesToBeInSet(
            column="_article_known", value_set=[True],
            description="article of the mention is among the run's articles"),
        gxe.ExpectColumnValuesToBeInSet(
            column="_evidence_in_text", value_set=[True],
            description="evidence found in article title or text"),
    ):
        suite.add_expectation(expectation)
    return suite


def _vocabulary_expectations() -> list[gxe.Expectation]:
    """Status and form in the vocabulary of each fact type (form null for tariffs)."""
    expectations: list[gxe.Expectation] = []
    for fact_type in FACT_TYPES:
        is_type = Column("fact_type") == fact_type
        expectations.append(gxe.ExpectColumnValuesToBeInSet(
            column="status", value_set=list(STATUSES[fact_type]), row_condition=is_type,
            description=f"status in vocabulary of {fact_type}"))
        if FORMS[fact_type]:
            expectations += [
                gxe.ExpectColumnValuesToNotBeNull(
                    column="form", row_condition=is_type,
                    description=f"form present for {fact_type}"),
                gxe.ExpectColumnValuesToBeInSet(
                    column="form", value_set=list(FORMS[fact_type]), row_condition=is_type,
                    description=f"form in vocabulary of {fact_type}"),
            ]
        else:
            expectations.append(gxe.ExpectColumnValuesToBeNull(
                column="form", row_condition=is_type, description=f"form empty for {fact_type}"))
    return expectations


SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
    "articles": articles_suite,
    "fact_mentions": fact_mentions_suite,
}
"""Suite builder of each dataset, by dataset name."""


def add_check_columns(
    dataset: str, frame: pl.DataFrame, articles: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Return ``frame`` with the helper columns its suite checks (none for ``articles``).

    For ``fact_mentions`` (``FACT_MENTIONS`` columns) adds:
      ``_distinct_parties`` UInt32, distinct non-null parties (partnerships only, else null);
      ``_imposer_differs`` Boolean, imposer != target (tariffs with both set, else null);
      ``_article_known`` Boolean, ``article_id`` is in ``articles``;
      ``_evidence_in_text`` Boolean, evidence is an exact substring of the article's title
      or text (null when the article or the evidence is missing).
    ``articles`` needs columns ``article_id``, ``title``, ``text`` (``ARTICLES`` has them).

    Raises ValueError when ``dataset`` is unknown or ``articles`` is missing for facts.
    """
    if dataset == "articles":
        return frame
    if dataset != "fact_mentions":
        msg = f"unknown dataset {dataset!r}; expected one of {sorted(SUITES)}"
        raise ValueError(msg)
    if articles is None:
        msg = "validating fact_mentions needs the run's articles (article_id, title, text)"
        raise ValueError(msg)
    known = articles.select(
        "article_id", pl.col("title").alias("_title"), pl.col("text").alias("_text"),
        pl.lit(True).alias("_article_known"),
    ).unique("article_id", keep="first")
    return (
        frame.join(known, on="article_id", how="left", maintain_order="left")
        .with_columns(
            _distinct_parties=pl.when(pl.col("fact_type") == "partnership")
            .then(pl.col("parties").list.drop_nulls().list.n_unique().fill_null(0)),
            _imposer_differs=pl.when(pl.col("fact_type") == "tariff")
            .then(pl.col("imposer") != pl.col("target")),
            _article_known=pl.col("_article_known").fill_null(False),
            _evidence_in_text=_evidence_in_text(),
        )
        .drop("_title", "_text")
    )


def _evidence_in_text() -> pl.Expr:
    """Whether ``evidence`` is an exact substring of ``_title`` or ``_text``."""
    in_title = pl.col("_title").str.contains(pl.col("evidence"), literal=True)
    in_text = pl.col("_text").str.contains(pl.col("evidence"), literal=True)
    known = pl.col("_article_known") & pl.col("evidence").is_not_null()
    return pl.when(known).then(in_title.fill_null(False) | in_text.fill_null(False))


GATE_SHARES = {
    "article_share": "share of fetched pages that became articles",
    "fact_article_share": "share of articles with at least one fact",
    "fact_pass_share": "share of fact mentions that passed validation",
}
"""Run-level metrics a batch gate bounds, with the words a gate failure uses."""


def run_gates_suite() -> gx.ExpectationSuite:
    """Batch gates on a one-row frame of run metrics, one float column per GATE_SHARES key.

    Suite parameters ``min_<share>`` bind the lower bounds. A null share (too few pages,
    articles or facts to judge) never fails.
    """
    suite = gx.ExpectationSuite(name="run_gates")
    for share, words in GATE_SHARES.items():
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(
            column=share, min_value={"$PARAMETER": f"min_{share}"}, description=words))
    return suite
