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
from typing import TypeVar

from transforms.dedupe import minhash_signature
from transforms.extract import Article, NotAnArticle, decode_html, extract_article
from transforms.facts import EXTRACTOR_VERSION, ArticleText, extract_facts
from transforms.normalise import stable_id
from transforms.published import Candidate
from transforms.registry import Registry

T = TypeVar("T")


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
    fetched_at: dt.datetime | None = None      # aware; None: the end of the run's day
    feed_updated: dt.datetime | None = None    # the feed's <updated> or the sitemap's lastmod

    def date_hints(self) -> list[Candidate]:
        """The feed's or sitemap's dates as candidates for ``choose_published``."""
        hints = []
        if self.feed_published is not None and self.feed_published_source in ("feed", "sitemap"):
            hints.append(Candidate(self.feed_published_source, self.feed_published,
                                   f"{self.feed_published_source} publication date"))
        if self.feed_updated is not None:
            hints.append(Candidate(self.feed_published_source or "feed", self.feed_updated,
                                   "feed/sitemap update date", modified=True))
        return hints


@dataclass
class Processed:
    """Results for a batch: article rows, fact dicts and each page's outcome."""

    articles: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    outcomes: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # url -> (outcome, reason)
    published_outside: dict[str, dt.datetime] = field(default_factory=dict)  # url -> its date, out of window


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
    the publication date of an undated article when resolving relative dates, and the end
    of that day for the fetch time of a page without ``fetched_at``: no date after it is
    taken as a publication date. A page not loaded as non-English has its reason hold the
    extracted title and date ('language fr | title: ... | published: 2019-05-12 (text)').
    """
    registry = load_registry(reference_dir)
    result = Processed()
    run_end = dt.datetime.combine(run_date, dt.time.max, tzinfo=dt.UTC)
    for page in pages:
        try:
            article = extract_article(decode_html(page.body, page.content_type), page.url,
                                      fetched_at=page.fetched_at or run_end, hints=page.date_hints())
        except NotAnArticle as exc:
            result.outcomes[page.url] = ("not_article", str(exc))
            continue
        if article.language != "en":
            result.outcomes[page.url] = ("non_english", describe_unloaded(article))
            continue
        fingerprint = text_fingerprint(article.text)
        holder = seen_texts.get(fingerprint, page.url)  # earlier runs; this run: transforms.dedupe
        if holder != page.url:
            result.outcomes[page.url] = ("duplicate", f"same text as {holder}")
            continue
        row = _article_row(article, page, run_id)
        result.articles.append(row)
        result.facts += _facts_of(row, registry, run_date)
        result.outcomes[page.url] = ("loaded", None)
    return result


def process_and_sign(pages: list[Page], reference_dir: str, run_id: str, run_date: dt.date) -> Processed:
    """``process_pages`` for one batch of a run (no texts seen before it), each article row
    with ``text_minhash``, its text's MinHash signature (``transforms.dedupe``): what an
    extraction worker does per batch, so signing runs beside extraction, not after it."""
    result = process_pages(pages, reference_dir, {}, run_id, run_date)
    for row in result.articles:
        row["text_minhash"] = minhash_signature(row["text"])
    return result


def even_batches(items: list[T], size: int, workers: int = 1) -> list[list[T]]:
    """``items`` in order, cut into batches of at most ``size`` (> 0): as few as that allows,
    their number rounded up to a multiple of ``workers`` (at most one item a batch), their
    sizes within one of each other. A chunk of 95 pages for 2 workers gives batches of 48
    and 47, not one of 95 that one worker extracts while the other waits. ``workers`` below
    1 counts as 1; raises ValueError when ``size`` is not positive."""
    if size <= 0:
        msg = f"batch size must be positive, not {size}"
        raise ValueError(msg)
    if not items:
        return []
    workers = max(1, workers)
    count = -(-len(items) // size)
    count = min(len(items), -(-count // workers) * workers)
    return [items[i * len(items) // count:(i + 1) * len(items) // count] for i in range(count)]


def describe_unloaded(article: Article) -> str:
    """What was extracted from a page that is not loaded: language, title, publication date."""
    published = f"{article.published_at:%Y-%m-%d} ({article.published_source})" if article.published_at else "unknown"
    return f"language {article.language} | title: {article.title} | published: {published}"


def _article_row(article: Article, page: Page, run_id: str) -> dict:
    return {
        "article_id": stable_id(page.url),
        "url": page.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "outlet": article.outlet or page.feed_outlet,
        "author": article.author,
        "published_at": article.published_at,
        "published_source": article.published_source,
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
