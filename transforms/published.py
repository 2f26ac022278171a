"""Choose an article's publication time from every date signal a page and its source give.

Signals, best first (``PRIORITY``):

1. ``jsonld``: a JSON-LD object's ``datePublished`` (or ``dateCreated``);
2. ``meta``: ``article:published_time`` and similar meta tags;
3. ``time``: a ``<time datetime=...>`` element that is not marked as an update;
4. ``feed``: the feed's ``pubDate`` / Atom ``published``;
5. ``sitemap``: a news sitemap's ``publication_date``;
6. ``url``: a ``/YYYY/MM/DD/`` path in the page's URL or canonical link;
7. ``text``: a date written in the visible text (a byline "Published 12 May 2019").

Markup written for machines ranks above dates guessed from the URL (magazines put the
print-issue date there) or the text. Rules that hold whatever the rank:

- a date after the fetch time is refused (a cookie expiry in a script, a scheduled
  event): a page cannot have been published after it was fetched;
- an updated or modified date (``dateModified``, ``<updated>``, sitemap ``lastmod``,
  "Updated ...") is never taken as the publication date;
- when two strong signals (jsonld, meta, time, feed, sitemap) disagree by more than a
  day the better one wins and the disagreement is recorded in ``Choice.conflict``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from transforms.discover import parse_feed_date

PRIORITY: tuple[str, ...] = ("jsonld", "meta", "time", "feed", "sitemap", "url", "text")
STRONG = frozenset({"jsonld", "meta", "time", "feed", "sitemap"})
CONFLICT_TOLERANCE = dt.timedelta(days=1)
# A zone-less or date-only value may be local time up to UTC+14 ahead of the fetch time.
ZONELESS_SLACK = dt.timedelta(hours=14)
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)

_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|$)")
_META_PUBLISHED = (
    "article:published_time", "og:article:published_time", "datepublished", "date", "dc.date",
    "dc.date.issued", "dcterms.created", "pubdate", "publishdate", "publish-date", "sailthru.date",
    "parsely-pub-date", "article.published",
)
_META_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified")
_MONTH_NAMES = (
    "january jan janvier janv januar jänner enero gennaio januari janeiro",
    "february feb février fevrier févr fevr februar febrero febbraio februari fevereiro",
    "march mar mars märz maerz marzo maart março",
    "april apr avril avr abril aprile",
    "may mai mayo maggio mei maio",
    "june jun juin juni junio giugno junho",
    "july jul juillet juil juli julio luglio julho",
    "august aug août aout agosto augustus",
    "september sep sept septembre septiembre setiembre settembre setembro",
    "october oct octobre oktober octubre ottobre outubro",
    "november nov novembre noviembre novembro",
    "december dec décembre decembre déc dezember diciembre dicembre dezembro",
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
_MONTH = "(?P<m>" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + r")(?![^\W\d_])\.?"
_YEAR = r"(?P<y>(?:19|20)\d{2})(?!\d)"
_TEXT_DATES = (
    re.compile(r"(?<!\d)(?P<d>[0-3]?\d)(?:er|st|nd|rd|th|\.|º)?\s+(?:de\s+)?" + _MONTH
               + r",?\s+(?:de\s+)?" + _YEAR, re.I),
    re.compile(r"(?<![^\W\d_])" + _MONTH + r"\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+" + _YEAR, re.I),
    re.compile(r"(?<!\d)" + _YEAR.replace("(?!\\d)", "") + r"-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)"),
    re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d{2})(?!\d)"),
)
_PUBLISHED_WORDS = re.compile(
    r"published|posted|publié|publiée|veröffentlicht|erschienen|publicado|publicada|pubblicato|gepubliceerd", re.I)
_UPDATED_WORDS = re.compile(
    r"updated|modified|revised|edited|mis à jour|mise à jour|actualisé|aktualisiert|geändert|actualizado|"
    r"aggiornato|bijgewerkt", re.I)
_VISIBLE_TEXT = (
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template"
    " or ancestor::nav or ancestor::footer or ancestor::aside or ancestor::form or ancestor::select"
    " or ancestor::*[contains(@class, 'related') or contains(@class, 'comment') or contains(@class, 'teaser')])]"
)
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})
_SKIPPED_TAGS = frozenset({"nav", "footer", "aside", "form", "select"})
_SKIPPED_CLASSES = ("related", "comment", "teaser")
_TIME_ELEMENTS = (
    "//body//time[@datetime][not(ancestor::aside or ancestor::nav or ancestor::*[contains(@class, 'comment')"
    " or contains(@id, 'comment') or contains(@class, 'related')])]"
)
_TEXT_SCAN_CHARS = 20_000
_TEXT_MAX_DATES = 12
_KEYWORD_WINDOW = 60
_ZONED = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|GMT|UTC|UT)\s*$", re.I)


@dataclass(frozen=True)
class Candidate:
    """One date signal.

    ``source`` is one of PRIORITY; ``value`` is aware UTC; ``modified`` marks an update
    date (shown, never chosen); ``exact`` is False for a date-only or zone-less value;
    ``detail`` says where it was found (for ``newsledger inspect``).
    """

    source: str
    value: dt.datetime
    detail: str = ""
    modified: bool = False
    exact: bool = True


@dataclass(frozen=True)
class Verdict:
    """What ``choose_published`` made of one candidate: chosen, outranked or refused (why)."""

    candidate: Candidate
    status: str
    reason: str


@dataclass(frozen=True)
class Choice:
    """The publication time chosen (aware UTC or None), its source, a conflict note or
    None, and a verdict per candidate in the order they were ranked."""

    published_at: dt.datetime | None
    source: str | None
    conflict: str | None
    verdicts: tuple[Verdict, ...] = field(default=())


def choose_published(candidates: Iterable[Candidate], fetched_at: dt.datetime | None) -> Choice:
    """Pick the publication time from ``candidates`` as of ``fetched_at`` (aware; None: no
    upper bound). Candidates of one source keep their given order (first is best).

    Raises ValueError when a candidate's source is not in PRIORITY.
    """
    ranked = sorted(candidates, key=_rank)
    verdicts: list[Verdict] = []
    chosen: Candidate | None = None
    for candidate in ranked:
        refusal = _refusal(candidate, fetched_at)
        if refusal:
            verdicts.append(Verdict(candidate, "refused", refusal))
        elif chosen is None:
            chosen = candidate
            verdicts.append(Verdict(candidate, "chosen", f"best-ranked valid signal ({candidate.source})"))
        else:
            verdicts.append(Verdict(candidate, "outranked", f"{chosen.source} ranks higher"))
    if chosen is None:
        return Choice(None, None, None, tuple(verdicts))
    return Choice(chosen.value, chosen.source, _conflict(chosen, verdicts), tuple(verdicts))


def _rank(candidate: Candidate) -> int:
    """Position of the candidate's source in PRIORITY."""
    if candidate.source not in PRIORITY:
        msg = f"unknown date source {candidate.source!r}; expected one of {', '.join(PRIORITY)}"
        raise ValueError(msg)
    return PRIORITY.index(candidate.source)


def _refusal(candidate: Candidate, fetched_at: dt.datetime | None) -> str | None:
    """Why a candidate cannot be the publication time, or None when it can."""
    if candidate.modified:
        return "an update/modification date, not the publication date"
    if candidate.value < EARLIEST:
        return f"before {EARLIEST:%Y}: implausible for a web page"
    if fetched_at is not None:
        limit = fetched_at if candidate.exact else fetched_at + ZONELESS_SLACK
        if candidate.value > limit:
            return f"after the fetch time {fetched_at:%Y-%m-%dT%H:%M:%SZ}"
    return None


def _conflict(chosen: Candidate, verdicts: list[Verdict]) -> str | None:
    """A note naming strong signals that disagree with the chosen one by more than a day."""
    if chosen.source not in STRONG:
        return None
    others = [
        v.candidate for v in verdicts
        if v.status == "outranked" and v.candidate.source in STRONG
        and abs(v.candidate.value - chosen.value) > CONFLICT_TOLERANCE
    ]
    if not others:
        return None
    listed = ", ".join(f"{c.source} {c.value:%Y-%m-%d}" for c in others)
    return f"{chosen.source} {chosen.value:%Y-%m-%d} kept over {listed}"


def page_candidates(tree, url: str, canonical_url: str | None = None,
                    text_guess: Candidate | None = None) -> list[Candidate]:
    """Every date signal a page holds: JSON-LD, meta tags, <time> elements, the URL (or the
    canonical link's URL) and dates written in its visible text (never in scripts).

    ``tree`` is an lxml HTML element or None (then only the URL is read). ``text_guess`` is
    a date another tool guessed from the page (htmldate): ranked after text dates labelled
    'Published' and before unlabelled ones.
    """
    found: list[Candidate] = []
    if tree is not None:
        found += jsonld_candidates(tree) + meta_candidates(tree) + time_candidates(tree)
    found += url_candidates(url, canonical_url)
    if tree is not None:
        found += text_candidates(tree, text_guess)
    elif text_guess is not None:
        found.append(text_guess)
    return found


def jsonld_objects(tree) -> list[dict]:
    """Every JSON object in the page's ld+json scripts, @graph members included."""
    objects: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "null")
        except json.JSONDecodeError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                objects.append(item)
                stack.extend(item["@graph"] if isinstance(item.get("@graph"), list) else [])
            elif isinstance(item, list):
                stack.extend(item)
    return objects


def jsonld_candidates(tree) -> list[Candidate]:
    """datePublished / dateCreated (published) and dateModified (modified) of JSON-LD objects."""
    found = []
    for item in jsonld_objects(tree):
        for key, modified in (("datePublished", False), ("dateCreated", False), ("dateModified", True)):
            value = item.get(key)
            if isinstance(value, str) and (parsed := parse_feed_date(value)):
                found.append(Candidate("jsonld", parsed, f"JSON-LD {key} {value!r}", modified, _has_zone(value)))
    return found


def meta_candidates(tree) -> list[Candidate]:
    """Publication (and modification) meta tags, in the order of _META_PUBLISHED."""
    metas: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        metas.setdefault(key, meta.get("content"))
    found = []
    for keys, modified in ((_META_PUBLISHED, False), (_META_MODIFIED, True)):
        for key in keys:
            value = metas.get(key)
            if value and (parsed := parse_feed_date(value)):
                found.append(Candidate("meta", parsed, f"<meta {key}> {value!r}", modified, _has_zone(value)))
    return found


def time_candidates(tree) -> list[Candidate]:
    """<time datetime> elements outside asides, navigation, comments and related links;
    those marked or introduced as an update are modified."""
    found = []
    for node in tree.xpath(_TIME_ELEMENTS):
        value = node.get("datetime")
        parsed = parse_feed_date(value)
        if parsed is None:
            continue
        found.append(Candidate("time", parsed, f"<time datetime={value!r}>", _time_is_update(node), _has_zone(value)))
    return found


def url_date(url: str) -> dt.datetime | None:
    """The date in a URL path such as /2024/10/29/slug.html, as midnight UTC; None when
    the path has none or it is not a real day."""
    match = _URL_DATE.search(urlsplit(url).path)
    if not match:
        return None
    try:
        return dt.datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=dt.UTC)
    except ValueError:
        return None


def url_candidates(url: str, canonical_url: str | None = None) -> list[Candidate]:
    """The URL's date, else the canonical URL's (date only)."""
    for where, address in (("URL", url), ("canonical URL", canonical_url)):
        if address and (found := url_date(address)):
            return [Candidate("url", found, f"{where} path {urlsplit(address).path}", exact=False)]
    return []


def text_candidates(tree, guess: Candidate | None = None) -> list[Candidate]:
    """Dates written in the visible text (not scripts, navigation, asides, related links or
    comments), in English, French, German, Spanish, Italian, Dutch or Portuguese.

    Dates after a 'Published' word come first, then ``guess`` (if any), then unlabelled
    ones in document order; dates after an 'Updated' word are marked modified.
    """
    text = _visible_text(tree, _TEXT_SCAN_CHARS)
    matches = sorted((m for pattern in _TEXT_DATES for m in pattern.finditer(text)), key=lambda m: m.start())
    labelled, plain, previous_end = [], [], 0
    for match in matches[:_TEXT_MAX_DATES]:
        if match.start() < previous_end:
            continue
        value = parse_date_match(match)
        lead = text[max(previous_end, match.start() - _KEYWORD_WINDOW):match.start()]
        previous_end = match.end()
        if value is None:
            continue
        label = _label(lead)
        candidate = Candidate("text", value, f"visible text {match[0]!r}", label == "updated", exact=False)
        (labelled if label == "published" else plain).append(candidate)
    return labelled + ([guess] if guess is not None else []) + plain


def _visible_text(tree, limit: int) -> str:
    """The first ``limit`` characters of visible text, whitespace collapsed; walks the tree
    lazily so a page of megabytes costs no more than its head."""
    parts, size = [], 0
    for node in tree.iter():
        if not isinstance(node.tag, str) or node.tag.lower() in _HIDDEN_TAGS or _is_excluded(node):
            continue
        for piece in (node.text, *(child.tail for child in node)):
            if piece and piece.strip():
                parts.append(" ".join(piece.split()))
                size += len(parts[-1]) + 1
        if size >= limit:
            break
    return " ".join(parts)[:limit]


def _is_excluded(node) -> bool:
    """Inside a hidden, navigation, aside, related, teaser or comment element (or outside <body>)."""
    inside_body = False
    for element in (node, *node.iterancestors()):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        classes = (element.get("class") or "").lower()
        if tag in _HIDDEN_TAGS or tag in _SKIPPED_TAGS or any(word in classes for word in _SKIPPED_CLASSES):
            return True
        inside_body = inside_body or tag == "body"
    return not inside_body


def parse_date_match(match: re.Match) -> dt.datetime | None:
    """Midnight UTC of a day/month/year regex match (month as a number or a name)."""
    month = match["m"].rstrip(".").lower()
    number = int(month) if month.isdigit() else _MONTHS.get(month)
    try:
        return dt.datetime(int(match["y"]), number or 0, int(match["d"]), tzinfo=dt.UTC)
    except ValueError:
        return None


def _label(lead: str) -> str | None:
    """'published' or 'updated' after whichever keyword comes last in ``lead``, else None."""
    last = {name: max((m.end() for m in pattern.finditer(lead)), default=-1)
            for name, pattern in (("published", _PUBLISHED_WORDS), ("updated", _UPDATED_WORDS))}
    if max(last.values()) < 0:
        return None
    return max(last, key=last.__getitem__)


def _time_is_update(node) -> bool:
    """True for a <time> marked as a modification (itemprop, class, or 'Updated' before it)."""
    marks = " ".join(node.xpath("ancestor-or-self::*/@class | ancestor-or-self::*/@itemprop")).lower()
    if "publish" in marks:   # WordPress marks its entry date "published updated"
        return False
    if "modif" in marks or "updat" in marks:
        return True
    before = (node.getprevious().tail if node.getprevious() is not None else node.getparent().text) or ""
    return _label(before[-_KEYWORD_WINDOW:]) == "updated"


def _has_zone(value: str) -> bool:
    """True when a date string carries a time and a zone (Z, +hh:mm or an RFC 822 zone)."""
    return bool(_ZONED.search(value.strip()))
