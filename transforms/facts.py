"""Fact extraction for one article: partnerships, tariffs and expansions.

The contract of a fact mention (one dict per fact stated in one article) follows the
gold corpus README (``../shared/corpus/README.md``):

    fact_type       'partnership' | 'tariff' | 'expansion'
    parties         list[str] | None   canonical company names, sorted (partnership)
    form            str | None         partnership: joint_venture|licensing|supply|investment|
                                       collaboration|merger; expansion: sales|production
    status          str                partnership: reported|negotiating|agreed|ended|denied;
                                       tariff: proposed|in_effect|lifted;
                                       expansion: planned|active|cancelled
    imposer, target str | None         countries or blocs, canonical names (tariff)
    product         str | None         goods the tariff applies to (tariff)
    rate_pct        float | None       percent as stated (tariff)
    effective_date  datetime.date | None  when the rate took or takes effect (tariff)
    company         str | None         tariff: the company a per-company rate applies to;
                                       expansion: the expanding company
    region          str | None         country or macro-region (expansion)
    evidence        str                the exact sentence (or the title) stating the fact
    valid_from      datetime.date | None  date the stated state holds from, when the text
                                       gives one; None means the publication date
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from transforms.expansions import extract_expansions
from transforms.nlp import split_sentences
from transforms.partnerships import extract_partnerships
from transforms.registry import Registry
from transforms.tariffs import extract_tariffs

EXTRACTOR_VERSION = "0.1.0"

FACT_KEYS = (
    "fact_type", "parties", "form", "status", "imposer", "target", "product", "rate_pct",
    "effective_date", "company", "region", "evidence", "valid_from",
)


@dataclass(frozen=True)
class ArticleText:
    """What fact extraction reads of an article: title, body text (paragraphs separated
    by blank lines) and publication date (for relative dates)."""

    title: str
    text: str
    published: dt.date


def extract_facts(article: ArticleText, registry: Registry) -> list[dict]:
    """Return the fact mentions stated in ``article``, one dict per fact (keys: FACT_KEYS)."""
    sentences = split_sentences(article.text)
    facts: list[dict] = []
    facts += extract_partnerships(sentences, article.title, article.published, registry)
    facts += extract_tariffs(sentences, article.title, article.published, registry)
    facts += extract_expansions(sentences, article.title, article.published, registry)
    return [{key: fact.get(key) for key in FACT_KEYS} for fact in facts]
