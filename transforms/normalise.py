"""Normalise extracted articles and facts into typed polars frames with natural keys.

Frames follow ``schemas.articles.ARTICLES`` and ``schemas.fact_mentions.FACT_MENTIONS``.
Keys are deterministic hashes, so re-running a night produces the same rows:
``article_id`` = sha1(url); ``fact_id`` = sha1(fact identity); ``mention_id`` =
sha1(article url + identity + stated state).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import polars as pl

from schemas.articles import ARTICLES
from schemas.fact_mentions import FACT_MENTIONS

# Product categories that are part of a tariff's identity; first match wins.
_PRODUCT_CATEGORIES = (
    ("batteries", re.compile(r"\bbatter(?:y|ies)\b(?![- ]electric)", re.I)),
    ("electric vehicles", re.compile(
        r"\b(electric|EVs?|BEVs?|battery[- ]electric)\b.*\b(vehicles?|cars?|EVs?|BEVs?)\b|\bEVs?\b|\bBEVs?\b", re.I)),
    ("semiconductors", re.compile(r"semiconductor|chip", re.I)),
    ("solar", re.compile(r"solar", re.I)),
    ("steel and aluminum", re.compile(r"steel|alumin", re.I)),
    ("critical minerals", re.compile(r"mineral|lithium|graphite|rare earth", re.I)),
    ("vehicle parts", re.compile(r"\bparts\b|\bcomponents?\b", re.I)),
    ("vehicles", re.compile(r"vehicle|cars?\b|automobile|autos?\b", re.I)),
)


def stable_id(*parts: object) -> str:
    """A 16-hex-digit sha1 of the parts joined by '|' (None as empty)."""
    joined = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


def product_category(product: str | None) -> str:
    """The tariff product category used in a tariff's identity ('goods' when unknown)."""
    if not product:
        return "goods"
    for name, pattern in _PRODUCT_CATEGORIES:
        if pattern.search(product):
            return name
    return product.strip().lower()


def fact_identity(fact: dict) -> str:
    """The identity of the fact a mention states, as in mart.facts.

    partnership: sorted parties; tariff: imposer, target, product category, company;
    expansion: company, region, form.
    """
    kind = fact["fact_type"]
    if kind == "partnership":
        return "partnership|" + "|".join(sorted(fact.get("parties") or []))
    if kind == "tariff":
        return "|".join(["tariff", fact.get("imposer") or "", fact.get("target") or "",
                         product_category(fact.get("product")), fact.get("company") or ""])
    return "|".join(["expansion", fact.get("company") or "", fact.get("region") or "", fact.get("form") or ""])


def state_valid_from(fact: dict) -> dt.datetime | None:
    """When the stated state starts to hold: the extractor's date, or a tariff's
    effective date when the tariff is stated in effect; None means publication time."""
    day = fact.get("valid_from")
    if day is None and fact["fact_type"] == "tariff" and fact.get("status") == "in_effect":
        day = fact.get("effective_date")
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        return day.astimezone(dt.UTC)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def articles_frame(rows: list[dict]) -> pl.DataFrame:
    """A frame of ARTICLES from dicts with those keys (extra keys are dropped)."""
    return pl.DataFrame([{k: row.get(k) for k in ARTICLES.names()} for row in rows], schema=ARTICLES)


def fact_mentions_frame(facts: list[dict], run_id: str, extractor_version: str) -> pl.DataFrame:
    """A frame of FACT_MENTIONS from fact dicts (transforms.facts keys) that also carry
    article_id, article_url and published_at; exact repeats in one article are dropped."""
    rows = []
    for fact in facts:
        identity = fact_identity(fact)
        parties = sorted(set(fact["parties"])) if fact.get("parties") else None
        row = {key: fact.get(key) for key in FACT_MENTIONS.names()}
        row |= {
            "parties": parties,
            "fact_id": stable_id(identity),
            "product_category": product_category(fact.get("product")) if fact["fact_type"] == "tariff" else None,
            "valid_from": state_valid_from(fact),
            "run_id": run_id,
            "extractor_version": extractor_version,
        }
        row["mention_id"] = stable_id(fact["article_url"], identity, fact.get("status"), fact.get("rate_pct"),
                                      fact.get("form"), fact.get("evidence"))
        rows.append(row)
    frame = pl.DataFrame(rows, schema=FACT_MENTIONS)
    return frame.unique(subset="mention_id", keep="first", maintain_order=True)
