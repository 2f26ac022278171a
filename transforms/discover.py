"""Parse feeds and sitemaps into the article URLs they announce.

Pure functions of the bytes a source returned; the network lives in ``flows/crawl.py``.
XML is parsed with defusedxml, which refuses entity expansion (billion-laughs bombs) and
external entities, so a hostile feed cannot exhaust memory or read local files.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from defusedxml import ElementTree as SafeET

_TAG_NS = re.compile(r"^\{[^}]*\}")


class SourceError(ValueError):
    """A feed or sitemap that cannot be parsed; the message says why."""


@dataclass(frozen=True)
class Entry:
    """One URL announced by a source.

    ``kind`` is 'article' for a page, 'sitemap' for a child sitemap of a sitemap index.
    ``published`` comes from the feed's pubDate/updated or the sitemap's lastmod (UTC).
    """

    url: str
    kind: str
    published: dt.datetime | None
    published_source: str | None
    title: str | None
    outlet: str | None
    source: str


def normalise_url(url: str, base: str | None = None) -> str:
    """Absolute URL with a lower-case scheme and host, no fragment; '' when not http(s)."""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(absolute)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def parse_source(body: bytes, source_url: str) -> list[Entry]:
    """Return the entries of an RSS 2.0 / Atom feed, a sitemap or a sitemap index.

    Raises SourceError when the document is not well-formed XML of one of these kinds,
    or when it uses DTD entities (refused as a possible entity-expansion bomb).
    """
    try:
        root = SafeET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except SafeET.ParseError as exc:
        raise SourceError(f"{source_url}: not well-formed XML ({exc})") from exc
    except Exception as exc:  # defusedxml raises EntitiesForbidden, ExternalReferenceForbidden
        raise SourceError(f"{source_url}: refused unsafe XML ({type(exc).__name__})") from exc
    kind = _local(root.tag)
    if kind == "rss":
        return _parse_rss(root, source_url)
    if kind == "feed":
        return _parse_atom(root, source_url)
    if kind in ("urlset", "sitemapindex"):
        return _parse_sitemap(root, source_url, child_kind="sitemap" if kind == "sitemapindex" else "article")
    raise SourceError(f"{source_url}: root element <{kind}> is neither a feed nor a sitemap")


def parse_feed_date(value: str | None) -> dt.datetime | None:
    """Parse RFC 822 (RSS), ISO 8601 (Atom, sitemaps) or 'YYYY/MM/DD' dates to aware UTC."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = _parse_iso(text.replace("/", "-"))
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _parse_iso(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _local(tag: str) -> str:
    return _TAG_NS.sub("", tag)


def _child_text(node, name: str) -> str | None:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _parse_rss(root, source_url: str) -> list[Entry]:
    channel = next((c for c in root if _local(c.tag) == "channel"), root)
    outlet = _child_text(channel, "title")
    entries = []
    for item in channel:
        if _local(item.tag) != "item":
            continue
        link = _child_text(item, "link") or _child_text(item, "guid")
        url = normalise_url(link, source_url) if link else ""
        if url:
            published = parse_feed_date(_child_text(item, "pubDate") or _child_text(item, "date"))
            entries.append(Entry(url, "article", published, "feed" if published else None,
                                 _child_text(item, "title"), outlet, source_url))
    return entries


def _parse_atom(root, source_url: str) -> list[Entry]:
    outlet = _child_text(root, "title")
    entries = []
    for item in root:
        if _local(item.tag) != "entry":
            continue
        href = _atom_link(item)
        url = normalise_url(href, source_url) if href else ""
        if url:
            published = parse_feed_date(_child_text(item, "published") or _child_text(item, "updated"))
            entries.append(Entry(url, "article", published, "feed" if published else None,
                                 _child_text(item, "title"), outlet, source_url))
    return entries


def _atom_link(item) -> str | None:
    """The entry's alternate link; links without href (enclosures gone wrong) are skipped."""
    links = [c for c in item if _local(c.tag) == "link" and c.get("href")]
    for link in links:
        if link.get("rel", "alternate") == "alternate":
            return link.get("href")
    return links[0].get("href") if links else None


def _parse_sitemap(root, source_url: str, child_kind: str) -> list[Entry]:
    entries = []
    for node in root:
        loc = _child_text(node, "loc")
        url = normalise_url(loc, source_url) if loc else ""
        if url:
            lastmod = parse_feed_date(_child_text(node, "lastmod"))
            entries.append(Entry(url, child_kind, lastmod, "sitemap" if lastmod else None,
                                 None, None, source_url))
    return entries
