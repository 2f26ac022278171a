"""Places an expansion can target, found in one sentence (see transforms.expansions)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms._expansion_lexicon import (
    DEMONYM_HEAD_RE,
    MACRO_REGIONS,
    ORIGIN_AFTER_RE,
    ORIGIN_BEFORE_RE,
    REGION_SYNONYMS,
    SITE_BEFORE_RE,
    SITE_HEAD_RE,
)
from transforms.registry import Registry

_POSSESSIVE_RE = re.compile(r"^(?:'s|’s|'|’)\s+")
_POSSESSIVE_HEAD_RE = re.compile(
    r"^(?:[\w-]+\s+){0,3}?(?:plants?|factor(?:y|ies)|markets?|city|province|state|region|"
    r"[A-Z][\w-]+ (?:province|state|region))\b"
)
_LOCATIVE_BEFORE_RE = re.compile(
    r"\b(?i:in|into|to|across|throughout|at|near|inside|within|entered|enters|entering|"
    r"enter|beginning with|starting with|exit|exits|exited|exiting|out of|from|leave|leaves|"
    r"leaving|quit|quits|picks|picked|chooses|chose|selects|selected|including|such as)\s+"
    r"(?i:the\s+)?"
    r"(?:[a-z][\w-]*\s+){0,2}?(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*,\s+)?(?:the\s+)?$"
)
# A place that names an event, not a market ("at the Shanghai auto show").
_EVENT_AFTER_RE = re.compile(
    r"^\s+(?:international\s+)?(?:(?:auto(?:mobile)?|motor|car|EV)\s+)?(?:show|expo|exhibition|fair"
    r"|summit|forum|conference)\b",
    re.IGNORECASE,
)
# "Southeast Asia's biggest market" names a country of the region, not the region.
_SUPERLATIVE_RE = re.compile(r"^(?:[\w-]+-)?(?:biggest|largest|most\s+populous|top|leading)\b", re.I)
_OWN_CLAIM_RE = re.compile(r"\b(?:other|more|further|new|wider|rest of(?: the)?)\s+$", re.I)
_CLAIM_HEAD_RE = re.compile(
    r"\s+(?:[\w-]+\s+)?(?:expansion|push|launch|sales|entry|debut|roll-?out|markets?)\b", re.I
)
_LIST_GAP_RE = re.compile(r",?\s+(?:and|or)\s+(?:in\s+)?(?:the\s+)?|,\s+(?:the\s+)?")


@dataclass(frozen=True)
class Place:
    """A country or macro-region named at ``start:end`` of a sentence."""

    name: str
    start: int
    end: int
    linked: bool = True
    bloc: bool = False  # named as a trade bloc ("the EU"), read as its macro-region


def find_places(sentence: str, registry: Registry) -> list[Place]:
    """Return the expansion targets named in ``sentence``, in text order.

    Countries and macro-regions come from ``registry.places_in``; states, provinces and
    the cities the registry knows map to their country. Metonyms ("Washington"), demonyms
    that do not modify a site or market noun ("Chinese automakers") and origins
    ("shipped from China", "China-built") are dropped. ``linked`` tells whether a locative
    word ties the place to its clause ("in X", "X plant"; not "Spain's Ebro").
    """
    places = []
    for mention in registry.places_in(sentence, subdivisions=True):
        name = _target_name(mention.canonical, mention.kind)
        if name and _is_named_use(sentence, mention.start, mention.end, mention.via):
            places.append(Place(name, mention.start, mention.end, True, mention.kind == "bloc"))
    places = [p for p in places if not _is_origin(sentence, p)]
    return _mark_linked(sentence, sorted(places, key=lambda p: p.start))


def _mark_linked(sentence: str, places: list[Place]) -> list[Place]:
    """Mark places that a locative word ties to the clause ("in X", "X plant", lists)."""
    marked: list[Place] = []
    for place in places:
        before, after = sentence[:place.start], sentence[place.end:]
        possessive = _POSSESSIVE_RE.match(after)
        linked = bool(
            _LOCATIVE_BEFORE_RE.search(before)
            or SITE_BEFORE_RE.search(before)
            or DEMONYM_HEAD_RE.match(after.lstrip(", "))
            or (possessive and _POSSESSIVE_HEAD_RE.match(after[possessive.end():]))
            or (marked and marked[-1].linked
                and _LIST_GAP_RE.fullmatch(sentence[marked[-1].end:place.start]))
        )
        marked.append(Place(place.name, place.start, place.end, linked, place.bloc))
    return _link_list_heads(sentence, marked)


def _link_list_heads(sentence: str, marked: list[Place]) -> list[Place]:
    """Link the earlier items of a list whose last item a head noun links
    ("Spain, Italy and Poland the first markets")."""
    for index in range(len(marked) - 2, -1, -1):
        place, following = marked[index], marked[index + 1]
        gap = sentence[place.end:following.start]
        if not place.linked and following.linked and _LIST_GAP_RE.fullmatch(gap):
            marked[index] = Place(place.name, place.start, place.end, True, place.bloc)
    return marked


def _target_name(canonical: str, kind: str) -> str | None:
    """Map a registry place to the corpus vocabulary (None: not a valid target)."""
    name = REGION_SYNONYMS.get(canonical, canonical)
    if kind == "country":
        return name
    return name if name in MACRO_REGIONS else None


def _is_named_use(sentence: str, start: int, end: int, via: str) -> bool:
    """Tell whether a place mention names a place (not a government, nor a nationality)."""
    if via == "metonym":  # "Berlin" the government; but "its Berlin factory" is a place
        return bool(
            SITE_HEAD_RE.match(sentence[end:].lstrip())
            or SITE_BEFORE_RE.search(sentence[:start])
        )
    return via != "demonym" or bool(DEMONYM_HEAD_RE.match(sentence[end:].lstrip()))


def _is_origin(sentence: str, place: Place) -> bool:
    """Tell whether ``place`` is named as where goods come from, an old site, an event or
    the frame of a superlative."""
    before = sentence[max(0, place.start - 40):place.start]
    after = sentence[place.end:]
    possessive = _POSSESSIVE_RE.match(after)
    if possessive and _SUPERLATIVE_RE.match(after[possessive.end():]):
        return True  # "Southeast Asia's biggest market" is a country of the region
    return bool(
        ORIGIN_BEFORE_RE.search(before) or ORIGIN_AFTER_RE.match(after) or _EVENT_AFTER_RE.match(after)
    )


def drop_covered_regions(
    sentence: str, places: list[Place], registry: Registry, form: str = "production"
) -> list[str]:
    """Names of ``places`` without macro-regions that only place a member country.

    Within one clause a region beside its member country places the country ("its first
    European factory, in Szeged, Hungary"; "In Southeast Asia, its plant in Thailand"):
    one fact. A region marked as a claim of its own ("other Latin American markets",
    "its Europe expansion") stays; so does a region in a clause of its own ("... as it
    expands in Africa") and a region of a sales claim ("selling in Europe, with Spain and
    Italy the first markets"), which the article makes besides its countries.
    """
    countries = [p.name for p in places if p.name not in MACRO_REGIONS]
    kept: list[str] = []
    for place in places:
        own_claim = _OWN_CLAIM_RE.search(sentence[:place.start]) or _CLAIM_HEAD_RE.match(
            sentence[place.end:]
        )
        covered = form != "sales" and place.name in MACRO_REGIONS and any(
            place.name in registry.regions_of(country) for country in countries
        )
        if (own_claim or not covered) and place.name not in kept:
            kept.append(place.name)
    return kept
