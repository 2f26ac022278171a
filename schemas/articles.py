"""The articles dataset: one row per article page extracted in a run.

Columns (polars dtypes) are ``ARTICLES``; ``suite()`` (Great Expectations) declares what a
valid row is. A row failing a row-level expectation is quarantined, not loaded.
"""

from __future__ import annotations

import polars as pl

ARTICLES = pl.Schema({
    "article_id": pl.String,          # sha1 of url, 16 hex chars
    "url": pl.String,                 # as the feed or sitemap listed it (after redirects)
    "canonical_url": pl.String,       # rel=canonical when it differs from url
    "title": pl.String,
    "outlet": pl.String,              # publication name, never the host
    "author": pl.String,
    "published_at": pl.Datetime("us", "UTC"),
    "published_source": pl.String,    # jsonld | meta | time | feed | sitemap | url | text
    "language": pl.String,            # ISO 639-1, 'und' when unknown
    "text": pl.String,
    "content_sha256": pl.String,      # of the raw page bytes
    "extractor_version": pl.String,
    "run_id": pl.String,
    "text_minhash": pl.List(pl.UInt64),  # MinHash of 5-word shingles (transforms.dedupe)
})

PUBLISHED_SOURCES = ("jsonld", "meta", "time", "feed", "sitemap", "url", "text")
