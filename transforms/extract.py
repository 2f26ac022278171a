"""Article extraction: main text and metadata from a page's HTML, with trafilatura.

A pure function of stored bytes (no network), so re-processing from the raw archive
gives the same result as the crawl did.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html
import trafilatura

from transforms.discover import normalise_url, parse_feed_date

MIN_TEXT_CHARS = 200
_URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|$)")
_META_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "datepublished", "date",
    "dc.date", "dc.date.issued", "pubdate", "publishdate", "sailthru.date", "parsely-pub-date",
)
_META_SITE_KEYS = ("og:site_name", "application-name", "publisher", "dc.publisher")
_ENGLISH_WORDS = frozenset(
    "the of and to in a is that for on with as by was it at from said has its have are be will".split()
)
_OTHER_WORDS = frozenset(
    "der die und das den nicht mit ist sich auf für les des une est dans pour que qui los las del "
    "por una con para het een van zijn".split()
)


@dataclass(frozen=True)
class Article:
    """The fields extracted from one page.

    ``published_at`` is aware UTC; ``published_source`` is one of jsonld, meta, time, url,
    text (the crawler may fill it from the feed or the sitemap later).
    """

    url: str
    canonical_url: str | None
    title: str
    text: str
    author: str | None
    outlet: str | None
    published_at: dt.datetime | None
    published_source: str | None
    language: str


class NotAnArticle(ValueError):
    """A page with no article text (a listing, an empty page); the message says why."""


def extract_article(html: str, url: str) -> Article:
    """Extract text and metadata from ``html`` fetched at ``url``.

    Raises NotAnArticle when the page holds no article body of at least
    MIN_TEXT_CHARS characters (listings, empty pages, error pages).
    """
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False,
        favor_precision=True, deduplicate=False,
    )
    text = (document.text if document else "") or ""
    if len(text) < MIN_TEXT_CHARS:
        raise NotAnArticle(f"no article body ({len(text)} characters of text)")
    tree = _parse_tree(html)
    if tree is not None and _is_listing(tree):
        raise NotAnArticle("a listing of links to other pages, not an article")
    published, source = find_published(tree, url)
    if published is None and document.date and (parsed := parse_feed_date(document.date)):
        published, source = parsed, "text"
    title = (document.title or "").strip() or _first_heading(tree)
    if not title:
        raise NotAnArticle("no title")
    return Article(
        url=url,
        canonical_url=_canonical(tree, url),
        title=title,
        text=text.strip(),
        author=(document.author or None),
        outlet=_outlet(tree, title, url),
        published_at=published,
        published_source=source,
        language=detect_language(text, tree),
    )


def find_published(tree, url: str) -> tuple[dt.datetime | None, str | None]:
    """Publication time (UTC) from the page's markup and where it came from: jsonld, meta
    or time; (None, None) when the markup gives none (the caller then tries the feed, the
    URL, the sitemap and the visible text, in that order)."""
    if tree is not None:
        for source, finder in (("jsonld", _jsonld_date), ("meta", _meta_date), ("time", _time_date)):
            found = finder(tree)
            if found is not None:
                return found, source
    return None, None


def url_date(url: str) -> dt.datetime | None:
    """The date in a URL path such as /2024/10/29/slug.html, as midnight UTC."""
    match = _URL_DATE.search(urlsplit(url).path)
    if not match:
        return None
    try:
        return dt.datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=dt.UTC)
    except ValueError:
        return None


def detect_language(text: str, tree=None) -> str:
    """ISO 639-1 code from a stop-word count ('en' or the page's lang), 'und' when unsure."""
    words = re.findall(r"[a-zà-ÿ]+", text[:5000].lower())
    english = sum(w in _ENGLISH_WORDS for w in words)
    other = sum(w in _OTHER_WORDS for w in words)
    if english >= 5 and english > 3 * other:
        return "en"
    declared = tree.get("lang", "") if tree is not None else ""
    if declared and not declared.lower().startswith("en"):
        return declared.split("-")[0].lower()
    return "und" if english <= other else "en"


def _parse_tree(html: str):
    try:
        return lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def _jsonld_objects(tree) -> list[dict]:
    objects: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "null")
        except json.JSONDecodeError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                objects.append(item)
                stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
            elif isinstance(item, list):
                stack.extend(item)
    return objects


def _jsonld_date(tree) -> dt.datetime | None:
    for item in _jsonld_objects(tree):
        value = item.get("datePublished") or item.get("dateCreated")
        if isinstance(value, str) and (parsed := parse_feed_date(value)):
            return parsed
    return None


def _meta_date(tree) -> dt.datetime | None:
    metas = {(m.get("property") or m.get("name") or m.get("itemprop") or "").lower(): m.get("content")
             for m in tree.xpath("//meta")}
    for key in _META_DATE_KEYS:
        if metas.get(key) and (parsed := parse_feed_date(metas[key])):
            return parsed
    return None


def _time_date(tree) -> dt.datetime | None:
    for node in tree.xpath("//time[@datetime]"):
        if parsed := parse_feed_date(node.get("datetime")):
            return parsed
    return None


def _canonical(tree, url: str) -> str | None:
    if tree is None:
        return None
    for link in tree.xpath('//link[@rel="canonical"][@href]'):
        canonical = normalise_url(link.get("href"), url)
        if canonical and canonical != url:
            return canonical
    return None


def _outlet(tree, title: str, url: str) -> str | None:
    """The publication's name from JSON-LD, meta tags or the <title> suffix; never the host."""
    if tree is None:
        return None
    host = urlsplit(url).netloc.lower()
    candidates: list[str | None] = []
    for item in _jsonld_objects(tree):
        publisher = item.get("publisher")
        if isinstance(publisher, dict):
            candidates.append(publisher.get("name"))
    metas = {(m.get("property") or m.get("name") or "").lower(): m.get("content") for m in tree.xpath("//meta")}
    candidates += [metas.get(key) for key in _META_SITE_KEYS]
    page_title = " ".join(tree.xpath("//title/text()")).strip()
    for separator in (" | ", " – ", " — ", " - "):
        if separator in page_title and page_title.rsplit(separator, 1)[0].strip() in (title, ""):
            candidates.append(page_title.rsplit(separator, 1)[1])
    for name in candidates:
        if isinstance(name, str) and name.strip() and not _looks_like_host(name.strip(), host):
            return name.strip()
    return None


def _looks_like_host(name: str, host: str) -> bool:
    lowered = name.lower()
    return lowered in host or host.split(":")[0] in lowered or bool(re.fullmatch(r"[\w.-]+\.\w{2,}(:\d+)?", lowered))


def _is_listing(tree) -> bool:
    """A tag or section page: several teaser headlines that link elsewhere, no single story."""
    headlines = {
        a.get("href") for a in tree.xpath("//body//a[@href]")
        if len(a.text_content().split()) >= 6
        and not a.xpath("ancestor::nav | ancestor::header | ancestor::footer | ancestor::aside")
    }
    return len(headlines) >= 6 and not _has_article_markup(tree)


def _has_article_markup(tree) -> bool:
    """og:type=article, an article:published_time meta tag or a JSON-LD *Article object."""
    if tree.xpath('//meta[@property="og:type"][@content="article"] | //meta[@property="article:published_time"]'):
        return True
    return any(str(item.get("@type", "")).endswith("Article") for item in _jsonld_objects(tree))


def _first_heading(tree) -> str:
    if tree is None:
        return ""
    headings = tree.xpath("//h1")
    return headings[0].text_content().strip() if headings else ""


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)


def decode_html(body: bytes, content_type: str = "") -> str:
    """Decode page bytes: charset from the Content-Type header, else the <meta> tag, else
    UTF-8; bytes that are not valid in it fall back to Windows-1252 (a superset of Latin-1)."""
    candidates = []
    header = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    if header:
        candidates.append(header[1])
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta[1].decode("ascii", "ignore"))
    candidates += ["utf-8", "cp1252"]
    for charset in candidates:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")
