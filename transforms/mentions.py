"""Company mentions per sentence, with references resolved within one article.

Explicit mentions come from the registry (``Registry.companies_in``), minus anything
inside a media-outlet name. References are definite descriptions and pronouns that point
back at a company named earlier in the article (the title counts as the first sentence):

* "the automaker", "the company", "the Chinese start-up", "the Japanese group",
  "the Hangzhou-based company", "the battery maker": the most recent company that fits
  the description (home country from a demonym, country or city; kind from the noun);
* "the two companies", "both companies", "the partners", "neither company": the two
  most recently mentioned distinct companies;
* "It" / "Its" opening a sentence: the previous sentence's company when it has one only
  or names it first.

Resolved references are :class:`~transforms.registry.Mention` objects with
``via='reference'`` and the span of the referring phrase; a reference that resolves to
two companies yields two mentions with the same span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.registry import Mention, Registry


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a word-list constant."""
    return frozenset(text.split())


_PLURAL = re.compile(
    r"\b(?:[Tt]he\s+two\s+(?:companies|carmakers|automakers|groups|firms|partners)"
    r"|[Bb]oth\s+(?:companies|carmakers|automakers|firms|partners)"
    r"|[Nn]either\s+(?:company|carmaker|automaker|firm)"
    r"|[Tt]he\s+(?:partners|pair|companies)"
    r"|[Tt]he\s+two(?=\s+(?:have|had|are|were|will|would|also|then|later|[a-z]+ed)\b))\b"
    r"|^(?:They|Their)\b"
)
_HEADS = (
    r"company|automaker|carmaker|car\s?maker|auto\s?maker|firm|start-?up|group|maker"
    r"|manufacturer|producer|supplier|giant|conglomerate|brand|EV\s+maker"
)
_SINGULAR = re.compile(rf"\b[Tt]he\s+(?P<mods>(?:[\w’'&.-]+\s+){{0,3}}?)(?P<head>{_HEADS})\b(?![-’']s?\w)")
_PRONOUN = re.compile(r"^(?:(?:In|On|By|Last|Earlier|Later|Since|After|Before)\b[^,]{0,25}?,?\s+)?(?:[Ii]ts?)\b")
_MAX_PLURAL = 2  # a plural reference resolves only when the last sentence named two
_BASED = re.compile(r"(?P<place>[A-Z][\w .]*?)-(?:based|headquartered)\b")
_MODIFIERS = _words(
    """electric electric-car electric-vehicle ev car auto vehicle battery cell electronics
    tech technology software chip phone smartphone state-owned state-backed
    privately-held listed smaller larger bigger biggest largest world’s world's new
    young struggling loss-making carmaking automaking parts components consumer internet"""
)
_CARMAKER_WORDS = _words("electric electric-car electric-vehicle ev car auto vehicle")
_BATTERY_WORDS = _words("battery cell")
_TECH_WORDS = _words("electronics tech technology software chip phone smartphone")
_NEEDS_MODIFIER = _words("group maker manufacturer producer supplier giant brand")
# Home countries of cities that often locate a company ("the Hangzhou-based company").
_CITY_COUNTRIES = {
    "Hangzhou": "China",
    "Shenzhen": "China",
    "Guangzhou": "China",
    "Shanghai": "China",
    "Beijing": "China",
    "Ningde": "China",
    "Hefei": "China",
    "Chongqing": "China",
    "Wuhan": "China",
    "Changsha": "China",
    "Nanjing": "China",
    "Wuhu": "China",
    "Detroit": "United States",
    "Dearborn": "United States",
    "Austin": "United States",
    "Palo Alto": "United States",
    "Irvine": "United States",
    "Cupertino": "United States",
    "Tokyo": "Japan",
    "Yokohama": "Japan",
    "Toyota City": "Japan",
    "Osaka": "Japan",
    "Seoul": "South Korea",
    "Taipei": "Taiwan",
    "Stuttgart": "Germany",
    "Munich": "Germany",
    "Wolfsburg": "Germany",
    "Amsterdam": "Netherlands",
    "Paris": "France",
    "Turin": "Italy",
    "Gothenburg": "Sweden",
    "Mumbai": "India",
}


@dataclass(frozen=True)
class _Description:
    """What a singular reference says of its antecedent."""

    kinds: frozenset[str]  # empty: any kind but joint ventures
    country: str | None


def resolve_company_mentions(sentences: list[str], title: str, registry: Registry) -> list[list[Mention]]:
    """Company mentions of each sentence, references resolved against earlier sentences.

    Returns one list per item of ``sentences`` (same order), each sorted by ``start``.
    ``title`` is read first as context only: its companies can be referred to, but its
    own mentions are not returned (pass it inside ``sentences`` to get them).
    Explicit mentions keep the registry's ``via``; resolved ones have ``via='reference'``.
    """
    history: list[Mention] = []
    previous = _explicit_mentions(title, registry) if title else []
    history += previous
    recent = previous
    resolved: list[list[Mention]] = []
    for sentence in sentences:
        mentions = _sentence_mentions(sentence, previous, history, recent, registry)
        resolved.append(mentions)
        history += mentions
        previous = mentions
        if len({m.canonical for m in mentions}) >= 2 or not recent:
            recent = mentions
    return resolved


def company_mentions(text: str, registry: Registry) -> list[Mention]:
    """Registry company mentions of ``text`` that are not part of a media-outlet name."""
    return _explicit_mentions(text, registry)


def _explicit_mentions(text: str, registry: Registry) -> list[Mention]:
    """Registry companies in ``text`` outside outlet names."""
    outlets = [(o.start, o.end) for o in registry.outlets_in(text)]
    return [m for m in registry.companies_in(text) if not any(s <= m.start and m.end <= e for s, e in outlets)]


def _sentence_mentions(
    sentence: str,
    previous: list[Mention],
    history: list[Mention],
    recent: list[Mention],
    registry: Registry,
) -> list[Mention]:
    """Explicit and resolved mentions of one sentence, in text order.

    ``recent`` holds the mentions of the latest sentence naming two or more companies:
    a plural reference stands for them when they are exactly two.
    """
    explicit = _explicit_mentions(sentence, registry)
    found = list(explicit)
    taken = [(m.start, m.end) for m in explicit]
    for match in _reference_matches(sentence, taken):
        before = sorted((m for m in found if m.end <= match.start()), key=lambda m: m.start)
        if match.re is _PLURAL:
            context = before if len({m.canonical for m in before}) >= 2 else recent
        else:
            context = history + before
        found += _resolve(match, sentence, context, registry)
    pronoun = _PRONOUN.match(sentence)
    if pronoun and not any(m.start < pronoun.end() for m in found):
        found += _resolve_pronoun(pronoun, previous)
    return sorted(found, key=lambda m: (m.start, m.canonical))


def _reference_matches(sentence: str, taken: list[tuple[int, int]]) -> list[re.Match[str]]:
    """Referring phrases not overlapping explicit mentions nor followed by a name."""
    matches = list(_PLURAL.finditer(sentence))
    plural_spans = [(m.start(), m.end()) for m in matches]
    for match in _SINGULAR.finditer(sentence):
        if not any(s < match.end() and match.start() < e for s, e in plural_spans):
            matches.append(match)
    return [
        m
        for m in matches
        if not any(s < m.end() and m.start() < e for s, e in taken)
        and not any(0 <= s - m.end() <= 1 for s, _ in taken)  # apposition: "the automaker Ford"
    ]


def _resolve(match: re.Match[str], sentence: str, context: list[Mention], registry: Registry) -> list[Mention]:
    """Mentions a referring phrase stands for (none when nothing fits)."""
    if match.re is _PLURAL:
        canonicals = _last_distinct(context, _MAX_PLURAL + 1, registry)
        if len(canonicals) != _MAX_PLURAL:
            return []
    else:
        description = _describe(match, registry)
        if description is None:
            return []
        canonical = _most_recent_fitting(context, description, registry)
        if canonical is None:
            return []
        canonicals = [canonical]
    return [Mention(match.group(0), match.start(), match.end(), name, "company", "reference") for name in canonicals]


def _describe(match: re.Match[str], registry: Registry) -> _Description | None:
    """Kind and home-country constraints of a singular reference (None: not a reference)."""
    mods = match.group("mods")
    head = match.group("head").lower()
    country, rest = _country_of_modifiers(mods, registry)
    kinds: set[str] = set()
    for word in rest.split():
        if word.lower() not in _MODIFIERS:
            return None
        kinds |= _kinds_of_word(word.lower())
    if head.replace(" ", "") in ("automaker", "carmaker", "evmaker"):
        kinds.add("carmaker")
    if head in _NEEDS_MODIFIER and not mods.strip():
        return None
    return _Description(frozenset(kinds), country)


def _country_of_modifiers(mods: str, registry: Registry) -> tuple[str | None, str]:
    """Home country named in modifiers (demonym, country, "<City>-based") and the rest."""
    based = _BASED.search(mods)
    if based:
        name = based.group("place")
        rest = mods[: based.start()] + mods[based.end() :]
        if name in _CITY_COUNTRIES:
            return _CITY_COUNTRIES[name], rest
        places = registry.places_in(name, subdivisions=True)
        if len(places) == 1 and places[0].text == name:
            return places[0].canonical, rest
        return None, rest + " ?"  # an unknown city: no safe antecedent
    places = [p for p in registry.places_in(mods, subdivisions=True) if p.text[:1].isupper()]
    if len(places) != 1 or places[0].kind != "country":
        return None, mods
    return places[0].canonical, mods[: places[0].start] + mods[places[0].end :]


def _kinds_of_word(word: str) -> set[str]:
    """Company kinds a modifier word implies ("battery" -> battery makers)."""
    if word in _CARMAKER_WORDS:
        return {"carmaker"}
    if word in _BATTERY_WORDS:
        return {"battery"}
    if word in _TECH_WORDS:
        return {"tech"}
    return set()


def _most_recent_fitting(context: list[Mention], description: _Description, registry: Registry) -> str | None:
    """Canonical name of the latest mention that fits a description."""
    for mention in reversed(context):
        company = registry.company(mention.canonical)
        kind = company.kind if company else ""
        if kind == "joint_venture":
            continue
        if description.kinds and company is not None and kind not in description.kinds:
            continue
        if description.country and (company is None or company.country != description.country):
            continue
        return mention.canonical
    return None


def _last_distinct(context: list[Mention], count: int, registry: Registry) -> list[str]:
    """The ``count`` most recently mentioned distinct companies (no joint ventures)."""
    names: list[str] = []
    for mention in reversed(context):
        company = registry.company(mention.canonical)
        if company is not None and company.kind == "joint_venture":
            continue
        if mention.canonical not in names:
            names.append(mention.canonical)
        if len(names) == count:
            break
    return names


def _resolve_pronoun(match: re.Match[str], previous: list[Mention]) -> list[Mention]:
    """ "It"/"Its" opening a sentence: the company opening (subject of) the previous one."""
    if not previous:
        return []
    first = min(previous, key=lambda m: m.start)
    if first.start > 4:  # "The car runs on BYD cells. It is ..." refers to the car
        return []
    word = re.search(r"[Ii]ts?$", match.group(0))
    start = word.start() if word else 0
    return [Mention(match.group(0)[start:], start, match.end(), first.canonical, "company", "reference")]


_NOT_COMPANY = re.compile(
    r"\b(?:Commission|Ministry|Government|Department|Council|Parliament|Agency|Authority|"
    r"Office|Bureau|Court|Union|Committee|Administration|University|Exchange|Congress|Senate|"
    r"Party|Police|Army|Embassy|Federation|Association|Institute|Organi[sz]ation|Board|Trade|"
    r"Representative|Section|Act|Treasury|Customs|Reserve|Bank of|Republic|Kingdom|State|"
    r"Times|News|Journal|Post|Daily|Herald|Wire|Press|Media|Reuters|Bloomberg|Nikkei|"
    r"Workers|UAW|Metall|Unifor)\b"
)
# A public body or union named right after the entity ("the Tamil Nadu Guidance bureau").
_BODY_AFTER = re.compile(r"\s+(?:bureau|agency|ministry|government|authority|regulator|union|council|office)\b")
_ORG_SHAPE = re.compile(r"^[A-Z0-9][\w&.'’-]*(?:\s+[A-Z0-9&][\w&.'’-]*){0,4}$")
_LEADING_THE = re.compile(r"^[Tt]he\s+")
_TRAILING_SUFFIX = re.compile(r"(?:,?\s+(?:Inc|Co|Corp|Ltd|LLC|Plc|PLC|AG|SE|SA|NV|Holdings?|Group|Limited)\.?)+$")


def org_mentions(text: str, registry: Registry, known: list[Mention]) -> list[Mention]:
    """Organisations spaCy finds in ``text`` that the registry does not know.

    Skips spans overlapping ``known`` mentions, media outlets, places, public bodies and
    anything not shaped like a proper name. Canonical name: the span without a leading
    "the" and legal suffixes; ``via='ner'``. Costs a spaCy run: call it for few sentences.
    """
    from transforms.nlp import org_spans  # spaCy loads lazily, on first use only

    taken = [(m.start, m.end) for m in known] + [(o.start, o.end) for o in registry.outlets_in(text)]
    found: list[Mention] = []
    for start, end, span in org_spans(text):
        name = _TRAILING_SUFFIX.sub("", _LEADING_THE.sub("", span)).strip()
        if any(s < end and start < e for s, e in taken) or not _is_company_name(name, registry):
            continue
        if _BODY_AFTER.match(text, end) or text[:start].rstrip().endswith("union"):
            continue
        found.append(Mention(span, start, end, name, "company", "ner"))
    return found


def _is_company_name(name: str, registry: Registry) -> bool:
    """Whether an ORG entity's name can be a company (not a place, body or outlet)."""
    if len(name) < 2 or not _ORG_SHAPE.match(name) or _NOT_COMPANY.search(name):
        return False
    places = registry.places_in(name, subdivisions=True)
    return not any(p.end - p.start >= len(name) - 1 for p in places)
