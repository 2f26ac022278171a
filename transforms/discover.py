"""Parse feeds and sitemaps into the article URLs they announce.

Pure functions of the bytes a source returned; the network lives in ``flows/crawl.py``.
XML is parsed with defusedxml, which refuses entity expansion (billion-laughs bombs) and
external entities, so a hostile feed cannot exhaust memory or read local files.

What real sources get wrong, and what is done about it:

- bytes that contradict the declared charset (UTF-8 labelled ISO-8859-1, Windows-1252
  labelled UTF-8), a BOM or blank lines before the XML declaration, HTML entities such as
  ``&nbsp;`` and bare ``&`` in text: repaired before parsing;
- CDATA sections escaped as text (``&lt;![CDATA[...]]&gt;``): unwrapped;
- Atom entries with several links: the ``alternate`` one is the article, never an
  enclosure or a link without ``href``;
- dates in uncommon formats: parsed when the reading is certain, else left empty (None),
  never guessed;
- sitemaps gzipped, served as plain text (one URL a line) or under any name and content
  type, and the ``Sitemap:`` lines of a robots.txt: all read.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
import zlib
from dataclasses import dataclass
from html.entities import name2codepoint
from urllib.parse import urljoin, urlsplit, urlunsplit

from defusedxml import ElementTree as SafeET

MAX_SOURCE_BYTES = 50_000_000   # the sitemaps.org limit for one uncompressed sitemap
_TAG_NS = re.compile(r"^\{[^}]*\}")
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.I)
_XML_ENCODING = re.compile(rb"""encoding\s*=\s*["']([\w.:-]+)["']""", re.I)
_HTML_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_BARE_AMPERSAND = re.compile(r"&(?!#\d+;|#x[0-9A-Fa-f]+;|[A-Za-z][A-Za-z0-9]*;)")
_CDATA_TEXT = re.compile(r"^\s*<!\[CDATA\[(.*?)\]\]>\s*$", re.S)
_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_ISO_LIKE = re.compile(
    r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$", re.I)
_DAY_FIRST = re.compile(
    r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"
    r"(?:[T ,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2})?$", re.I)
_SLASHED = re.compile(r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})$")
_TRAILING_ZONE = re.compile(r"\s([A-Za-z]{1,5})\s*$")
_TWELVE_HOUR = re.compile(r"\d\s*[AaPp]\.?[Mm]\b")
# Zone abbreviations email.utils does not know, in use on feeds; ambiguous ones (IST) are left out.
_ZONE_OFFSETS = {"CET": "+0100", "CEST": "+0200", "MEZ": "+0100", "MESZ": "+0200", "BST": "+0100",
                 "EET": "+0200", "EEST": "+0300", "WET": "+0000", "WEST": "+0100", "MSK": "+0300",
                 "JST": "+0900", "KST": "+0900", "HKT": "+0800", "SGT": "+0800", "AEST": "+1000",
                 "AEDT": "+1100", "NZST": "+1200", "NZDT": "+1300"}
_RFC822_ZONES = frozenset({"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"})
_NOT_ARTICLE_RELS = frozenset({"enclosure", "self", "edit", "edit-media", "replies", "license", "via", "related"})


class SourceError(ValueError):
    """A feed or sitemap that cannot be parsed; the message says why."""


@dataclass(frozen=True)
class Entry:
    """One URL announced by a source.

    ``kind`` is 'article' for a page, 'sitemap' for a child sitemap of a sitemap index.
    ``published`` (UTC) is a publication date only: the feed's pubDate or Atom
    ``published``, or a news sitemap's ``publication_date``; ``published_source`` is
    'feed' or 'sitemap' with it. ``updated`` (UTC) is a modification date (Atom
    ``updated``, sitemap ``lastmod``): never a publication date.
    """

    url: str
    kind: str
    published: dt.datetime | None
    published_source: str | None
    title: str | None
    outlet: str | None
    source: str
    updated: dt.datetime | None = None


def normalise_url(url: str, base: str | None = None) -> str:
    """Absolute URL with a lower-case scheme and host, no fragment; '' when not http(s)."""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(absolute)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def parse_source(body: bytes, source_url: str) -> list[Entry]:
    """Return the entries of an RSS 2.0 / RSS 1.0 / Atom feed, a sitemap, a sitemap index,
    a plain-text sitemap or a robots.txt (its ``Sitemap:`` lines), whatever the URL.

    Raises SourceError when the document is none of these, is not well-formed XML even
    after repair, is gzipped beyond MAX_SOURCE_BYTES, or uses DTD entities (refused as a
    possible entity-expansion bomb).
    """
    body = _gunzip(body, source_url)
    if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _parse_plain_text(body, source_url)
    root = _parse_xml(_as_utf8(body), source_url)
    kind = _local(root.tag)
    if kind == "rss":
        return _parse_rss(next((c for c in root if _local(c.tag) == "channel"), root), source_url)
    if kind == "RDF":
        return _parse_rss(root, source_url)
    if kind == "feed":
        return _parse_atom(root, source_url)
    if kind in ("urlset", "sitemapindex"):
        return _parse_sitemap(root, source_url, child_kind="sitemap" if kind == "sitemapindex" else "article")
    raise SourceError(f"{source_url}: root element <{kind}> is neither a feed nor a sitemap")


def parse_feed_date(value: str | None) -> dt.datetime | None:
    """Parse a feed or sitemap date to aware UTC, or None when it cannot be read for sure.

    Read: RFC 822 (with the common zone abbreviations), ISO 8601 and its relatives
    ('2016/6/29 15:07:41', '2024-10-29 09:00 UTC'), day-first '29.06.2016', and '29/06/2016'
    or '06/29/2016' when only one order gives a real day. A value with no zone is taken as
    UTC. An unknown zone name, a 12-hour clock, an ambiguous 'MM/DD' vs 'DD/MM' day, or a
    year outside 1990-2100 gives None rather than a guess.
    """
    text = _unwrap_cdata((value or "").strip())
    if not text:
        return None
    parsed = _parse_numeric(text) or _parse_slashed(text) or _parse_rfc822(text)
    if parsed is None or not 1990 <= parsed.year <= 2100:
        return None
    return parsed.astimezone(dt.UTC)


def _parse_rfc822(text: str) -> dt.datetime | None:
    """RFC 822 / 2822 dates; None for unknown zone names or 12-hour clocks (a guess would
    be hours off)."""
    if _TWELVE_HOUR.search(text):
        return None
    zone = _TRAILING_ZONE.search(text)
    if zone and zone[1].upper() in _ZONE_OFFSETS:
        text = text[:zone.start()] + " " + _ZONE_OFFSETS[zone[1].upper()]
    elif zone and zone[1].upper() not in _RFC822_ZONES:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _parse_numeric(text: str) -> dt.datetime | None:
    """All-numeric dates: year first (ISO-like, any of -/. separators) or day first (dots)."""
    match = _ISO_LIKE.match(text) or _DAY_FIRST.match(text)
    if match is None:
        return None
    try:
        naive = dt.datetime(int(match["y"]), int(match["m"]), int(match["d"]),
                            int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0))
    except ValueError:
        return None
    return naive.replace(tzinfo=_zone(match["zone"]))


def _parse_slashed(text: str) -> dt.datetime | None:
    """'29/06/2016' or '06/29/2016' when one number exceeds 12; None when either order fits."""
    match = _SLASHED.match(text)
    if match is None:
        return None
    first, second = int(match["a"]), int(match["b"])
    if (first > 12) == (second > 12):
        return None
    day, month = (first, second) if first > 12 else (second, first)
    try:
        return dt.datetime(int(match["y"]), month, day, tzinfo=dt.UTC)
    except ValueError:
        return None


def _zone(text: str | None) -> dt.tzinfo:
    """A fixed offset from 'Z', 'UTC', '+02', '+0200' or '+02:00'; UTC when absent."""
    if not text or text.upper() in ("Z", "UTC", "GMT"):
        return dt.UTC
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return dt.timezone(dt.timedelta(minutes=-minutes if text[0] == "-" else minutes))


def _gunzip(body: bytes, source_url: str) -> bytes:
    """The body itself, or its gzip content (capped at MAX_SOURCE_BYTES)."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(wbits=47)
    try:
        data = inflater.decompress(body, MAX_SOURCE_BYTES)
    except zlib.error as exc:
        raise SourceError(f"{source_url}: broken gzip data ({exc})") from exc
    if inflater.unconsumed_tail:
        raise SourceError(f"{source_url}: gzipped source larger than {MAX_SOURCE_BYTES} bytes")
    return data


def _as_utf8(body: bytes) -> bytes:
    """The XML re-encoded as UTF-8 with its declaration fixed to match.

    Bytes that are valid UTF-8 are read as UTF-8 whatever the declaration says (a UTF-8 body
    labelled ISO-8859-1 is far more common than Latin-1 text that happens to be valid
    UTF-8); otherwise the declared charset, else Windows-1252. UTF-16/32 bodies are left
    to the XML parser.
    """
    body = body.lstrip(b" \t\r\n")
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:4]:
        return body
    declaration = _XML_DECLARATION.match(body)
    declared = _XML_ENCODING.search(declaration[0]) if declaration else None
    rest = body[declaration.end():] if declaration else body
    text = None
    for charset in ("utf-8-sig", declared[1].decode("ascii") if declared else "cp1252", "cp1252", "latin-1"):
        try:
            text = rest.decode(charset)
            break
        except (LookupError, UnicodeDecodeError):
            continue
    text = _HTML_ENTITY.sub(_numeric_entity, text or "")
    return b'<?xml version="1.0" encoding="UTF-8"?>' + text.encode("utf-8")


def _numeric_entity(match: re.Match) -> str:
    """An HTML named entity as a numeric reference (XML knows only five names)."""
    name = match[1]
    if name in _XML_ENTITIES or name not in name2codepoint:
        return match[0]
    return f"&#{name2codepoint[name]};"


def _parse_xml(body: bytes, source_url: str):
    """The root element; bare '&' in text is escaped and parsing retried once."""
    try:
        return _safe_fromstring(body, source_url)
    except SourceError:
        repaired = _BARE_AMPERSAND.sub("&amp;", body.decode("utf-8", errors="replace")).encode("utf-8")
        if repaired == body:
            raise
        return _safe_fromstring(repaired, source_url)


def _safe_fromstring(body: bytes, source_url: str):
    """defusedxml parse with DTD entities refused."""
    try:
        return SafeET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except SafeET.ParseError as exc:
        raise SourceError(f"{source_url}: not well-formed XML ({exc})") from exc
    except Exception as exc:  # defusedxml raises EntitiesForbidden, ExternalReferenceForbidden
        raise SourceError(f"{source_url}: refused unsafe XML ({type(exc).__name__})") from exc


def _parse_plain_text(body: bytes, source_url: str) -> list[Entry]:
    """A text sitemap (one URL a line) or a robots.txt's Sitemap lines."""
    text = body.decode("utf-8", errors="replace")
    sitemaps = [normalise_url(url, source_url) for url in _ROBOTS_SITEMAP.findall(text)]
    if sitemaps:
        return [Entry(url, "sitemap", None, None, None, None, source_url) for url in sitemaps if url]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    urls = [normalise_url(line) for line in lines]
    if not lines or not all(urls):
        raise SourceError(f"{source_url}: neither XML nor a text sitemap of absolute URLs")
    return [Entry(url, "article", None, None, None, None, source_url) for url in urls]


def _local(tag: str) -> str:
    return _TAG_NS.sub("", tag) if isinstance(tag, str) else ""


def _unwrap_cdata(text: str) -> str:
    """Text of a CDATA section that was escaped instead of written as one."""
    match = _CDATA_TEXT.match(text)
    return match[1].strip() if match else text


def _children(node, name: str) -> list:
    return [child for child in node if _local(child.tag) == name]


def _child_text(node, name: str) -> str | None:
    """The first non-empty text of a child named ``name`` (any namespace), CDATA unwrapped."""
    for child in _children(node, name):
        text = _unwrap_cdata((child.text or "").strip())
        if text:
            return text
    return None


def _title(node) -> str | None:
    title = _child_text(node, "title")
    return html.unescape(title) if title else None


def _parse_rss(channel, source_url: str) -> list[Entry]:
    """RSS 2.0 (items in the channel) and RSS 1.0 (items beside it)."""
    outlet = _title(channel) or _title(next(iter(_children(channel, "channel")), channel))
    entries = []
    for item in _children(channel, "item"):
        url = _rss_link(item, source_url)
        if url:
            published = parse_feed_date(_child_text(item, "pubDate") or _child_text(item, "date")
                                        or _child_text(item, "published"))
            updated = parse_feed_date(_child_text(item, "updated") or _child_text(item, "modified"))
            entries.append(Entry(url, "article", published, "feed" if published else None,
                                 _title(item), outlet, source_url, updated))
    return entries


def _rss_link(item, source_url: str) -> str:
    """<link> text, else an atom:link alternate href, else a permalink <guid>; '' if none."""
    for link in _children(item, "link"):
        text = _unwrap_cdata((link.text or "").strip()) or (
            link.get("href") if link.get("rel", "alternate") == "alternate" else "")
        if text and (url := normalise_url(html.unescape(text), source_url)):
            return url
    for guid in _children(item, "guid"):
        text = _unwrap_cdata((guid.text or "").strip())
        if guid.get("isPermaLink", "true").lower() != "false" and text.startswith(("http://", "https://")):
            return normalise_url(text)
    return ""


def _parse_atom(root, source_url: str) -> list[Entry]:
    outlet = _title(root)
    entries = []
    for item in _children(root, "entry"):
        href = _atom_link(item)
        url = normalise_url(href, source_url) if href else ""
        if url:
            published = parse_feed_date(_child_text(item, "published") or _child_text(item, "issued"))
            updated = parse_feed_date(_child_text(item, "updated") or _child_text(item, "modified"))
            entries.append(Entry(url, "article", published, "feed" if published else None,
                                 _title(item), outlet, source_url, updated))
    return entries


def _atom_link(item) -> str | None:
    """The entry's alternate link (an HTML one first); links without href, enclosures and
    other non-article relations are skipped; the <id> when it is an http URL and no link is."""
    links = [c for c in _children(item, "link") if c.get("href")]
    alternates = [link for link in links if link.get("rel", "alternate") == "alternate"]
    alternates.sort(key=lambda link: link.get("type", "text/html") not in ("text/html", "application/xhtml+xml"))
    if alternates:
        return alternates[0].get("href")
    others = [link for link in links if link.get("rel") not in _NOT_ARTICLE_RELS]
    if others:
        return others[0].get("href")
    identifier = _child_text(item, "id") or ""
    return identifier if identifier.startswith(("http://", "https://")) else None


def _parse_sitemap(root, source_url: str, child_kind: str) -> list[Entry]:
    entries = []
    for node in root:
        loc = _child_text(node, "loc")
        url = normalise_url(html.unescape(loc), source_url) if loc else ""
        if url:
            news = next(iter(_children(node, "news")), None)
            published = parse_feed_date(_child_text(news, "publication_date")) if news is not None else None
            title = _title(news) if news is not None else None
            entries.append(Entry(url, child_kind, published, "sitemap" if published else None, title, None,
                                 source_url, parse_feed_date(_child_text(node, "lastmod"))))
    return entries
