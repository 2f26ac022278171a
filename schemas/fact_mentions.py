"""The fact mentions dataset: one row per fact stated in one article.

Columns (polars dtypes) are ``FACT_MENTIONS``; vocabularies follow the gold corpus README
(``shared/corpus/README.md``), the contract of ``mart.fact_mentions``.
"""

from __future__ import annotations

import polars as pl

FACT_MENTIONS = pl.Schema({
    "mention_id": pl.String,          # sha1 of article url + fact identity + state, 16 hex
    "fact_id": pl.String,             # sha1 of the fact identity, 16 hex
    "fact_type": pl.String,           # partnership | tariff | expansion
    "article_id": pl.String,
    "article_url": pl.String,
    "published_at": pl.Datetime("us", "UTC"),
    "parties": pl.List(pl.String),    # sorted canonical company names (partnership)
    "form": pl.String,
    "status": pl.String,
    "imposer": pl.String,
    "target": pl.String,
    "product": pl.String,
    "product_category": pl.String,    # part of a tariff's identity: vehicles, batteries, ...
    "rate_pct": pl.Float64,           # percent, as stated
    "effective_date": pl.Date,
    "company": pl.String,
    "region": pl.String,
    "evidence": pl.String,            # the exact sentence, or the title, stating the fact
    "valid_from": pl.Datetime("us", "UTC"),  # when the state holds from; null: publication time
    "extractor_version": pl.String,
    "run_id": pl.String,
})

FACT_TYPES = ("partnership", "tariff", "expansion")
STATUSES = {
    "partnership": ("reported", "negotiating", "agreed", "ended", "denied"),
    "tariff": ("proposed", "in_effect", "lifted"),
    "expansion": ("planned", "active", "cancelled"),
}
FORMS = {
    "partnership": ("joint_venture", "licensing", "supply", "investment", "collaboration", "merger"),
    "tariff": (),
    "expansion": ("sales", "production"),
}
MACRO_REGIONS = (
    "Europe", "Southeast Asia", "Latin America", "North America", "Middle East", "Africa",
    "South Asia", "Oceania", "East Asia", "Central Asia",
)
