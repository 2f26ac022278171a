"""Article extraction: main text and metadata from a page's HTML, with trafilatura.

A pure function of stored bytes (no network), so re-processing from the raw archive
gives the same result as the crawl did.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import lxml.html
import trafilatura

from transforms.discover import normalise_url, parse_feed_date
from transforms.published import Candidate, Choice, choose_published, jsonld_objects, page_candidates, url_date

__all__ = ["Article", "NotAnArticle", "clean_author", "choose_title", "decode_html", "detect_language",
           "drop_teasers", "extract_article", "url_date"]

MIN_TEXT_CHARS = 200
_META_SITE_KEYS = ("og:site_name", "application-name", "publisher", "dc.publisher")
_META_TITLE_KEYS = ("og:title", "twitter:title")
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|›|/)\s+")
_ENGLISH_WORDS = frozenset((
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "by", "was", "it", "at",
    "from", "said", "has", "its", "have", "are", "be", "will",
))
_OTHER_WORDS = frozenset((
    "der", "die", "und", "das", "den", "nicht", "mit", "ist", "sich", "auf", "für", "les", "des", "une",
    "est", "dans", "pour", "que", "qui", "los", "las", "del", "por", "una", "con", "para", "het", "een",
    "van", "zijn",
))
# Lead-ins of "more on this topic" teasers publishers drop between paragraphs.
_TEASER_LABEL = re.compile(
    r"^\W*(?:mehr zum thema|mehr dazu|lesen sie (?:auch|mehr)|auch interessant|siehe auch|weiterlesen|"
    r"read more|read also|also read|related(?: articles?| stor(?:y|ies)| coverage| content)?|see also|"
    r"more on this(?: topic| story)?|more from|recommended(?: reading)?|you may also like|further reading|"
    r"(?:à |a )?lire aussi|sur le même sujet|voir aussi|leer más|lea también|te puede interesar|"
    r"leggi anche|lees ook|leia também|veja também)\b", re.I)
_TEASER_MARKS = ("related", "teaser", "read-more", "readmore", "more-on", "also-read", "recommend",
                 "further-reading", "inline-link", "article-link-box")
_TEASER_MAX_CHARS = 300
_LINK_SHARE_OF_TEASER = 0.8
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|von|par|por|di|door|written by|reporting by|text:?)\s+", re.I)
_NOT_A_PERSON = re.compile(
    r"\b(?:desk|staff|newsroom|news ?room|editors?|editorial|redaktion|rédaction|redacción|redazione|redactie|"
    r"team|admin|administrator|webmaster|feeds?|rss|bot|wires?|agency|news service|press release|"
    r"pressemitteilung|web ?editor|online|digital|sponsored|partner content)\b", re.I)
_ACCOUNT = re.compile(r"@|https?://|www\.|\.(?:com|net|org|de|fr|it|io|co)\b|\d|_|^[a-z.-]+$")
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\band\b|\bund\b|\bet\b|&)\s*")
_MAX_AUTHOR_WORDS = 5
_BYLINE_ELEMENTS = (
    "//body//*[contains(@class, 'author') or contains(@class, 'byline') or contains(@class, 'credit')"
    " or @rel='author' or @itemprop='author'][not(ancestor::*[contains(@class, 'comment')])]"
)
_BYLINE = re.compile(r"^(?:(?:written |reporting |text |story )?by|von|par|por|di|door)\s+(.+?)\.?$", re.I)
_MAX_BYLINE_CHARS = 80
_OWN_MARKS = "ancestor-or-self::*[position() <= 2]/@class | ancestor-or-self::*[position() <= 2]/@id"
_LOGO_MARKS = ("logo", "brand", "masthead", "site-title", "site-name", "sitename")
_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8")


@dataclass(frozen=True)
class Article:
    """The fields extracted from one page.

    ``published_at`` is aware UTC; ``published_source`` is one of jsonld, meta, time,
    feed, sitemap, url, text; ``date_choice`` holds every date signal considered and the
    verdict on each (see ``transforms.published``).
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
    date_choice: Choice | None = None


class NotAnArticle(ValueError):
    """A page with no article text (a listing, an empty page); the message says why."""


def extract_article(html: str, url: str, *, fetched_at: dt.datetime | None = None,
                    hints: Sequence[Candidate] = ()) -> Article:
    """Extract text and metadata from ``html`` fetched at ``url`` at ``fetched_at`` (aware;
    None: no bound on dates). ``hints`` are date signals from outside the page (the feed's
    or sitemap's date) ranked with the page's own by ``choose_published``.

    Raises NotAnArticle when the page holds no article body of at least
    MIN_TEXT_CHARS characters (listings, empty pages, error pages) or no title.
    """
    tree = _parse_tree(html)
    document = _extract_document(html, url, fetched_at)
    text = (document.text if document else "") or ""
    if len(text) < MIN_TEXT_CHARS:
        raise NotAnArticle(f"no article body ({len(text)} characters of text)")
    if tree is not None and _is_listing(tree):
        raise NotAnArticle("a listing of links to other pages, not an article")
    canonical = _canonical(tree, url)
    choice = choose_published(_date_candidates(tree, url, canonical, document, hints), fetched_at)
    site_names = _site_names(tree)
    title = choose_title(tree, document.title, [*site_names, _host_name(url)])
    if not title:
        raise NotAnArticle("no title")
    outlet = _outlet(tree, title, url, site_names)
    return Article(
        url=url,
        canonical_url=canonical,
        title=title,
        text=text.strip(),
        author=clean_author(document.author, outlet) or _byline_author(tree, outlet),
        outlet=outlet,
        published_at=choice.published_at,
        published_source=choice.source,
        language=detect_language(text, tree),
        date_choice=choice,
    )


def _extract_document(html: str, url: str, fetched_at: dt.datetime | None):
    """trafilatura's result for the page with inline teasers removed (None when empty)."""
    cleaned = _parse_tree(html)
    if cleaned is not None:
        drop_teasers(cleaned)
    # our own signals (transforms.published) come first; htmldate's extensive search would
    # run dateparser over the whole page, seconds per page for a weak last resort
    date_params = {"original_date": True, "extensive_search": False}
    if fetched_at is not None:
        date_params["max_date"] = f"{fetched_at:%Y-%m-%d}"
    source = lxml.html.tostring(cleaned, encoding="unicode") if cleaned is not None else html
    return trafilatura.bare_extraction(
        source, url=url, with_metadata=True, include_comments=False,
        include_tables=False, favor_precision=True, deduplicate=False, date_extraction_params=date_params,
    )


def _date_candidates(tree, url: str, canonical: str | None, document, hints: Sequence[Candidate]) -> list[Candidate]:
    """The page's date signals with trafilatura's (htmldate's) guess among the text ones,
    and the hints."""
    guess = getattr(document, "date", None)
    parsed = parse_feed_date(guess) if guess else None
    text_guess = Candidate("text", parsed, f"htmldate guess {guess!r}", exact=False) if parsed else None
    found = page_candidates(tree, url, canonical, text_guess)
    # htmldate cannot tell an update from a publication: a guess on an update's day is one.
    if text_guess and any(c.modified and c.value.date() == text_guess.value.date() for c in found):
        found = [replace(c, modified=True) if c is text_guess else c for c in found]
    return found + list(hints)


def drop_teasers(tree) -> int:
    """Remove inline "related article" teasers from ``tree`` in place; returns how many.

    A teaser is a short block that starts with a lead-in such as "Mehr zum Thema", "Read
    more" or "Lire aussi" and holds a link, a short paragraph that is nearly all link text,
    or a short element whose class or id names it related/teaser/read-more.
    """
    doomed = [node for node in tree.iter("p", "li", "div", "aside", "section", "h2", "h3", "h4", "span")
              if _is_teaser(node)]
    for node in doomed:
        if node.getparent() is not None:
            node.drop_tree()
    return len(doomed)


def _is_teaser(node) -> bool:
    """True for a short block that reads as a link to another story."""
    text = " ".join(node.text_content().split())
    if not text or len(text) > _TEASER_MAX_CHARS or node.xpath("ancestor::nav | ancestor::header"):
        return False
    marks = f"{node.get('class', '')} {node.get('id', '')}".lower()
    if any(mark in marks for mark in _TEASER_MARKS):
        return True
    links = node.xpath(".//a[@href]")
    if not links or node.tag not in ("p", "li", "div", "h2", "h3", "h4"):
        return False
    if _TEASER_LABEL.match(text):
        return True
    link_chars = sum(len(" ".join(a.text_content().split())) for a in links)
    return node.tag == "p" and link_chars >= _LINK_SHARE_OF_TEASER * len(text)


def choose_title(tree, extracted: str | None, site_names: Sequence[str] = ()) -> str:
    """The headline without the site name or slogan ('' when the page has none).

    An <h1> that a meta or <title> headline starts with (before a separator) wins; else the
    ``extracted`` title, og:title, twitter:title or <title> (the first there is) with a
    site-name segment cut off; else the first <h1>. ``site_names`` are the names the page
    declares (and its host's name); an <h1> that is one, is marked as a logo, or sits in the
    page header and starts no title names the site, not the story.
    """
    titles = [t for t in (_squash(extracted or ""), *_meta_titles(tree)) if t]
    names, headings = list(site_names), []
    for node in tree.xpath("//h1") if tree is not None else []:
        text = _squash(node.text_content())
        if text:
            (names if _is_site_heading(node, text, titles, names) else headings).append(text)
    for heading in headings:
        if any(_starts_headline(title, heading) for title in titles):
            return heading
    titles = [title for title in titles if not any(_key(title) == _key(name) for name in names)]
    if titles:
        return _strip_site_name(titles[0], names)
    return headings[0] if headings else ""


def _is_site_heading(node, text: str, titles: Sequence[str], names: Sequence[str]) -> bool:
    """True for an <h1> naming the site rather than the story."""
    marks = " ".join(node.xpath(_OWN_MARKS)).lower()
    if any(_key(text) == _key(name) for name in names) or any(mark in marks for mark in _LOGO_MARKS):
        return True
    if any(_starts_headline(title, text) for title in titles):
        return False
    later = {_key(seg) for title in titles for seg in _TITLE_SEPARATORS.split(title)[1:]}
    in_page_header = node.xpath("ancestor::header") and not node.xpath("ancestor::article | ancestor::main")
    return bool(in_page_header) or _key(text) in later


def _meta_titles(tree) -> list[str]:
    """og:title, twitter:title and <title>, in that order."""
    if tree is None:
        return []
    metas = {(m.get("property") or m.get("name") or "").lower(): m.get("content") or "" for m in tree.xpath("//meta")}
    return [_squash(metas.get(key, "")) for key in _META_TITLE_KEYS] + [_squash(" ".join(tree.xpath("//title/text()")))]


def _starts_headline(title: str, heading: str) -> bool:
    """True when ``title`` is ``heading``, or ``heading`` followed by a separator and more."""
    if title.casefold() == heading.casefold():
        return True
    if not title.casefold().startswith(heading.casefold()):
        return False
    return bool(_TITLE_SEPARATORS.match(title[len(heading):]))


def _strip_site_name(title: str, site_names: Sequence[str]) -> str:
    """``title`` without a leading site-name segment and without a site-name segment and
    everything after it (a slogan)."""
    segments = _TITLE_SEPARATORS.split(title)
    keys = [_key(name) for name in site_names if _key(name)]
    if len(segments) < 2 or not keys:
        return title
    matches = [bool(_key(seg)) and any(_has_words(_key(seg), k) for k in keys) for seg in segments]
    if matches[0] and not all(matches):
        return _TITLE_SEPARATORS.split(title, maxsplit=1)[1].strip()
    if True in matches[1:]:
        cut = matches.index(True, 1)
        return " - ".join(segments[:cut]) if cut > 1 else segments[0]
    return title


def _has_words(text: str, words: str) -> bool:
    """True when ``words`` occurs in ``text`` as whole words."""
    return f" {words} " in f" {text} "


def _host_name(url: str) -> str:
    """The host's distinctive label: 'simplyscience' for www.simplyscience.ch."""
    labels = (urlsplit(url).hostname or "").split(".")
    labels = [label for label in labels if label not in ("www", "m", "amp")]
    return labels[0] if len(labels) >= 2 else ""


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def _squash(text: str) -> str:
    return " ".join(text.split())


def clean_author(name: str | None, outlet: str | None = None) -> str | None:
    """The byline's person names joined by '; ', or None when it names none.

    Drops a leading 'By', and names that are accounts (handles, e-mail or web addresses,
    names with digits), feeds, desks, staff or the outlet itself.
    """
    if not name:
        return None
    people = []
    for part in _AUTHOR_SPLIT.split(_BYLINE_PREFIX.sub("", _squash(name))):
        part = part.strip(" .·|-")
        if part and _is_person(part, outlet):
            people.append(part)
    return "; ".join(dict.fromkeys(people)) or None


def _byline_author(tree, outlet: str | None) -> str | None:
    """A person named in a byline or credit element ('Reporting by Lin Jiahui'), if any."""
    if tree is None:
        return None
    for node in tree.xpath(_BYLINE_ELEMENTS):
        text = _squash(node.text_content())
        if (len(text) <= _MAX_BYLINE_CHARS and (match := _BYLINE.match(text))
                and (name := clean_author(match[1], outlet))):
            return name
    return None


def _is_person(name: str, outlet: str | None) -> bool:
    """True unless ``name`` reads as an account, a desk, a feed or the outlet."""
    if _NOT_A_PERSON.search(name) or _ACCOUNT.search(name) or len(name.split()) > _MAX_AUTHOR_WORDS:
        return False
    return not (outlet and _key(outlet) and _key(name) in (_key(outlet), _key(outlet).replace(" ", "")))


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
    """The page's lxml tree, or None for a page lxml cannot parse."""
    try:
        return lxml.html.fromstring(html)
    except ValueError:  # a str with an XML encoding declaration: parse its UTF-8 bytes
        try:
            return lxml.html.fromstring(html.encode("utf-8"), parser=_UTF8_PARSER)
        except (ValueError, lxml.etree.ParserError):
            return None
    except lxml.etree.ParserError:
        return None


def _canonical(tree, url: str) -> str | None:
    if tree is None:
        return None
    for link in tree.xpath('//link[@rel="canonical"][@href]'):
        canonical = normalise_url(link.get("href"), url)
        if canonical and canonical != url:
            return canonical
    return None


def _site_names(tree) -> list[str]:
    """The publication's names the page declares: JSON-LD publisher, og:site_name and kin."""
    if tree is None:
        return []
    names: list[str | None] = []
    for item in jsonld_objects(tree):
        publisher = item.get("publisher")
        if isinstance(publisher, dict):
            names.append(publisher.get("name"))
    metas = {(m.get("property") or m.get("name") or "").lower(): m.get("content") for m in tree.xpath("//meta")}
    names += [metas.get(key) for key in _META_SITE_KEYS]
    return [name.strip() for name in names if isinstance(name, str) and name.strip()]


def _outlet(tree, title: str, url: str, site_names: Sequence[str]) -> str | None:
    """The publication's name from JSON-LD, meta tags or the <title> suffix; never the host."""
    if tree is None:
        return None
    host = urlsplit(url).netloc.lower()
    candidates = list(site_names)
    page_title = " ".join(tree.xpath("//title/text()")).strip()
    for separator in (" | ", " – ", " — ", " - "):
        if separator in page_title and page_title.rsplit(separator, 1)[0].strip() in (title, ""):
            candidates.append(page_title.rsplit(separator, 1)[1])
    for name in candidates:
        if name.strip() and not _looks_like_host(name.strip(), host):
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
    return any(str(item.get("@type", "")).endswith("Article") for item in jsonld_objects(tree))


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
