"""Turn fetched pages into article rows and fact mentions: the CPU-bound step.

``process_pages`` is a pure function of page bytes and crawl metadata, so it runs the
same in a Prefect task, in a worker process, or in ``newsledger reprocess`` from the
archive with the network off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from transforms.extract import NotAnArticle, decode_html, extract_article, url_date
from transforms.facts import EXTRACTOR_VERSION, ArticleText, extract_facts
from transforms.normalise import stable_id
from transforms.registry import Registry


@dataclass(frozen=True)
class Page:
    """A fetched page and what the feed or sitemap said about it."""

    url: str
    body: bytes
    content_type: str
    content_sha256: str
    feed_published: dt.datetime | None = None
    feed_published_source: str | None = None   # 'feed' or 'sitemap'
    feed_outlet: str | None = None


@dataclass
class Processed:
    """Results for a batch: article rows, fact dicts and each page's outcome."""

    articles: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    outcomes: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # url -> (outcome, reason)


@lru_cache(maxsize=4)
def load_registry(directory: str) -> Registry:
    """The entity registry, loaded once per process."""
    return Registry.load(Path(directory))


def text_fingerprint(text: str) -> str:
    """md5 of the whitespace-normalised text: equal for syndicated copies of one story."""
    return hashlib.md5(" ".join(text.split()).encode("utf-8")).hexdigest()


def process_pages(
    pages: list[Page], reference_dir: str, seen_texts: dict[str, str], run_id: str, run_date: dt.date
) -> Processed:
    """Extract articles and facts from ``pages``.

    ``seen_texts`` maps text fingerprints to the URL already holding that text (the
    warehouse's and this run's); a page repeating another URL's text is a 'duplicate'.
    Outcomes: loaded, not_article, non_english, duplicate. ``run_date`` stands in for
    the publication date of an undated article when resolving relative dates.
    """
    registry = load_registry(reference_dir)
    result = Processed()
    for page in pages:
        try:
            article = extract_article(decode_html(page.body, page.content_type), page.url)
        except NotAnArticle as exc:
            result.outcomes[page.url] = ("not_article", str(exc))
            continue
        if article.language != "en":
            result.outcomes[page.url] = ("non_english", f"language {article.language}")
            continue
        fingerprint = text_fingerprint(article.text)
        holder = seen_texts.setdefault(fingerprint, page.url)
        if holder != page.url:
            result.outcomes[page.url] = ("duplicate", f"same text as {holder}")
            continue
        row = _article_row(article, page, run_id)
        result.articles.append(row)
        result.facts += _facts_of(row, registry, run_date)
        result.outcomes[page.url] = ("loaded", None)
    return result


def _article_row(article, page: Page, run_id: str) -> dict:
    published, source = article.published_at, article.published_source
    if published is None and page.feed_published_source == "feed":
        published, source = page.feed_published, "feed"
    if published is None and (from_url := url_date(page.url)):
        published, source = from_url, "url"
    if published is None and page.feed_published is not None:
        published, source = page.feed_published, page.feed_published_source
    return {
        "article_id": stable_id(page.url),
        "url": page.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "outlet": article.outlet or page.feed_outlet,
        "author": article.author,
        "published_at": published,
        "published_source": source,
        "language": article.language,
        "text": article.text,
        "content_sha256": page.content_sha256,
        "extractor_version": EXTRACTOR_VERSION,
        "run_id": run_id,
    }


def _facts_of(row: dict, registry: Registry, run_date: dt.date) -> list[dict]:
    published = row["published_at"].date() if row["published_at"] else run_date
    facts = extract_facts(ArticleText(row["title"], row["text"], published), registry)
    for fact in facts:
        fact |= {"article_id": row["article_id"], "article_url": row["url"], "published_at": row["published_at"]}
    return facts
