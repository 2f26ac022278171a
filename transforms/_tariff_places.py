"""Who imposes a tariff and on whom: the roles of the places named in a sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from transforms.registry import Mention, Registry

IMPOSER, TARGET, LOCATION, OTHER = "imposer", "target", "location", "other"

# Agencies, statutes and leaders that stand for the state levying a duty.
_IMPOSER_ALIASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:the\s+)?(?:Office\s+of\s+the\s+)?U\.?S\.?\s+Trade\s+Representative\b"
                r"|\bUSTR\b|\bSection\s+(?:301|232)\b"), "United States"),
    (re.compile(r"\b(?:the\s+)?(?:Biden|Trump|Obama)\s+administration\b"
                r"|\b(?:President\s+)?(?:(?:Joe|Donald)\s+)?(?:Biden|Trump)\b"), "United States"),
    (re.compile(r"\b(?:[Tt]he\s+)?(?:European\s+)?Commission\b|\b[Tt]he\s+bloc\b"), "European Union"),
    (re.compile(r"\b(?:Prime\s+Minister\s+)?(?:Justin\s+)?Trudeau\b"), "Canada"),
)
_PLACE_KINDS = frozenset({"country", "bloc"})
_TARIFF_WORD = r"(?:tariffs?|dut(?:y|ies)|surtax(?:es)?|levy|levies|surcharges?|rates?)"
# "Chinese-made", "China-built": the origin of goods.
_ORIGIN_SUFFIX = re.compile(r"^[-‑–](?:made|built|produced|assembled|manufactured|sourced|origin)")
# "made in China", "imports from China", "tariffs on China", "duties against Japan".
_ORIGIN_PREFIX = re.compile(
    r"(?:\b(?:made|built|produced|assembled|manufactured|sourced|originating)\s+in"
    r"|\bfrom|\bon|\bagainst|\bout\s+of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# "a 34% tariff from Washington": the duty comes from the place.
_SOURCE_PREFIX = re.compile(rf"\b{_TARIFF_WORD}\s+(?:\w+\s+)?from\s+(?:the\s+)?$", re.IGNORECASE)
# "cars imported into the United States", "exports to the EU": the market levies the duty.
_DESTINATION_PREFIX = re.compile(
    r"\b(?:imported|imports?|shipped|brought|entering|exported|exports?)\s+(?:in)?to\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# Places that only locate something ("plants in Hungary", "a deal with Beijing").
_LOCATION_PREFIX = re.compile(
    r"\b(?:in|into|inside|across|throughout|within|with|between|outside|near|at|via)"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_FROM_TO_IDIOM = re.compile(r"\bfrom\s+[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+)?\s+to\s+(?:the\s+)?$")
_FROM_TO_NEXT = re.compile(r"^\s+to\s+(?:the\s+)?[A-Z]")
# "a plant in Szeged, Hungary": the country of a town.
_CITY_PREFIX = re.compile(
    r"\b(?P<prep>[Ii]n|[Aa]t|[Nn]ear|[Oo]utside|[Ff]rom)\s+[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,2}"
    r",\s+$"
)
# "countries without a deal, including China": an example, not the actor.
_MEMBER_PREFIX = re.compile(r"\b(?:including|such\s+as|like|notably)\s+(?:the\s+)?$")
_COREFERENCE = re.compile(r"\b[Tt]he\s+(?:country|nation|government)\b")
_POSSESSIVE = re.compile(r"^['’]s\b")
# "Chinese tariffs", "a U.S. import duty": the place levies the duty.
_TARIFF_AFTER = re.compile(
    r"^\s+(?:(?:import|export|retaliatory|new|extra|additional|countervailing|punitive"
    rf"|anti-\w+|\d+(?:\.\d+)?\s?%)\s+)?{_TARIFF_WORD}\b",
    re.IGNORECASE,
)
# "the Chinese government", "Canadian officials": the state acting.
_ACTOR_AFTER = re.compile(
    r"^\s+(?:government|authorities|officials|ministry|commerce\s+ministry|administration"
    r"|regulators|customs|parliament|lawmakers|trade\s+(?:minister|ministry|representative))\b"
)
# "the Hungarian plant": a place of business, not an origin of goods.
_SITE_AFTER = re.compile(r"^\s+(?:plant|factory|site|facility|unit|subsidiary|arm|partner)\b")
# "China faces a 34% tariff", "Japan was hit with 25%": the place is the target.
_HIT_AFTER = re.compile(
    r"^\s*,?\s+(?:(?:which|that|who)\s+)?(?:(?:now|also|still|already)\s+)?"
    r"(?:faces|is\s+hit|was\s+hit|gets\s+hit|got\s+hit|has\s+been\s+hit|is\s+subject"
    r"|(?i:stays\s+at|remains\s+at))\b"
)  # singular verbs only: in "cars shipped to the United States face ..." the cars face it
_CLAUSE_END = re.compile(r"[;:]")
# "Japan's car exports", "China's carmakers": goods or sellers of that origin.
_GOODS_AFTER = re.compile(
    r"^['’]s\s+(?:\w+\s+){0,2}?(?:exports?|exporters?|goods|products|cars|vehicles|EVs"
    r"|carmakers|automakers|brands|manufacturers|producers|steel|shipments)\b"
)
# "the EU's Official Journal", "Spain's Ebro" (but not "Mexico's Senate": the state acting).
_CAPITALISED_AFTER = re.compile(
    r"^['’]s\s+(?!(?:Senate|Congress|Parliament|President|Prime|Government|Finance|Commerce"
    r"|Trade|Economy|Ministry|Cabinet|Treasury|Department|Customs|Federal|National)\b)[A-Z]"
)
# "from Mexico and Canada": a place coordinated with an origin is an origin too.
_COORDINATED = re.compile(r"^\s*(?:,|and|or|,\s*and|,\s*or)\s+(?:the\s+)?$")
_EUROPEAN_NOT_GOODS = re.compile(
    r"^\s+(?:\w+\s+)?(?:carmakers|automakers|makers|manufacturers|producers|industry|industries"
    r"|companies|firms|brands|rivals|markets?|plants?|factories|workers|jobs|buyers|consumers"
    r"|customers|officials|governments?|leaders|capitals|countries|nations|states|Union"
    r"|Commission|Parliament|Council|sales|demand|roads|showrooms|dealers|operations)\b"
)
_INTRO = re.compile(r"^[^,]{0,30},\s*")  # "At the same time, ", "In May, "


@dataclass(frozen=True)
class PlaceRole:
    """A country or bloc named in a sentence, with its role for a tariff there."""

    canonical: str
    start: int
    end: int
    role: str  # IMPOSER | TARGET | LOCATION ("in the U.S.", a last-resort imposer) | OTHER
    via: str
    marked: bool = False  # the origin is explicit: "from China", "Chinese-made"


def find_place_roles(sentence: str, registry: Registry) -> list[PlaceRole]:
    """Return the countries and blocs of ``sentence`` (registry names plus agency and
    leader aliases), each classified as imposer, target or other, in text order."""
    roles = _alias_roles(sentence)
    for m in registry.places_in(sentence):
        if any(_overlaps(r, m.start, m.end) for r in roles):
            continue
        role = _classify(sentence, m.start, m.end, m.via)
        if role == IMPOSER and "European Union" in registry.blocs_of(m.canonical):
            role = OTHER  # a member state levies no duties of its own: the EU does
        if m.kind not in _PLACE_KINDS:
            if not _names_european_goods(sentence, m, role):
                continue
            m = replace(m, canonical="European Union")  # "European brandy": goods of the EU
        marked = bool(
            _ORIGIN_SUFFIX.match(sentence[m.end:]) or _ORIGIN_PREFIX.search(sentence[:m.start])
        )
        roles.append(PlaceRole(m.canonical, m.start, m.end, role, m.via, marked))
    return _coordinate(sorted(roles, key=lambda r: r.start), sentence)


def _names_european_goods(sentence: str, m: Mention, role: str) -> bool:
    """True for "European brandy", "European cars": goods of EU origin (but not
    "European carmakers", "European markets")."""
    if m.canonical != "Europe" or m.via != "demonym" or role != TARGET:
        return False
    return not _EUROPEAN_NOT_GOODS.match(sentence[m.end:])


def _coordinate(roles: list[PlaceRole], sentence: str) -> list[PlaceRole]:
    """Give a place joined by "and"/"or" to an origin the origin's role."""
    out: list[PlaceRole] = []
    for role in roles:
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.role == TARGET
            and role.role != TARGET
            and _COORDINATED.match(sentence[previous.end:role.start])
        ):
            role = PlaceRole(role.canonical, role.start, role.end, TARGET, role.via, previous.marked)
        out.append(role)
    return out


def _alias_roles(sentence: str) -> list[PlaceRole]:
    """Imposers named by agency, statute or leader."""
    roles: list[PlaceRole] = []
    for pattern, canonical in _IMPOSER_ALIASES:
        for m in pattern.finditer(sentence):
            if not any(_overlaps(r, m.start(), m.end()) for r in roles):
                roles.append(PlaceRole(canonical, m.start(), m.end(), IMPOSER, "alias"))
    return roles


def _overlaps(role: PlaceRole, start: int, end: int) -> bool:
    """True when the spans intersect."""
    return role.start < end and start < role.end


def _classify(sentence: str, start: int, end: int, via: str) -> str:
    """Decide whether a place imposes the duty, is its target, or does neither."""
    left, right = sentence[:start], sentence[end:]
    if via == "metonym" and (_FROM_TO_IDIOM.search(left) or _FROM_TO_NEXT.match(right)):
        return OTHER  # "carmakers from Seoul to Stuttgart": a span of cities, not an origin
    if _ORIGIN_SUFFIX.match(right):
        return TARGET
    if _HIT_AFTER.match(right):
        return TARGET
    if _POSSESSIVE.match(right):
        if _GOODS_AFTER.match(right):
            return TARGET
        return OTHER if _CAPITALISED_AFTER.match(right) else IMPOSER
    if via == "demonym":
        if _ACTOR_AFTER.match(right) or _TARIFF_AFTER.match(right):
            return IMPOSER
        return OTHER if _SITE_AFTER.match(right) else TARGET
    if _SOURCE_PREFIX.search(left) or _DESTINATION_PREFIX.search(left):
        return IMPOSER
    if _ORIGIN_PREFIX.search(left):
        return TARGET
    if _MEMBER_PREFIX.search(left):
        return OTHER
    city = _CITY_PREFIX.search(left)
    if city:
        return TARGET if city.group("prep").lower() == "from" else OTHER
    if _LOCATION_PREFIX.search(left):
        return LOCATION if re.search(r"\bin\s+(?:the\s+)?$", left) else OTHER
    return IMPOSER


def pick_imposer(
    roles: list[PlaceRole],
    start: int,
    end: int,
    target: str | None,
    after: bool = True,
    sentence: str = "",
) -> str | None:
    """Return the imposer of the rate at ``start:end``: a place right after it ("the 25%
    U.S. tariff", not across a semicolon or colon of ``sentence``), else the nearest one
    before it, else (if ``after``) the nearest one after it."""
    imposers = [r for r in roles if r.role == IMPOSER and r.canonical != target]
    adjacent = [
        r for r in imposers
        if 0 <= r.start - end <= 6 and not _CLAUSE_END.search(sentence[end:r.start])
    ]
    before = [r for r in imposers if r.end <= start]
    later = [r for r in imposers if r.start >= end] if after else []
    for group in (adjacent, before[::-1], later):
        if group:
            return group[0].canonical
    return None


def pick_target(
    roles: list[PlaceRole], start: int, end: int, scope: tuple[int, int] | None = None
) -> str | None:
    """Return the origin of the rate at ``start:end``: the first one after it within its
    ``scope`` ("25% on Mexican steel"), else the last one before it within the scope, else
    the nearest one in the sentence (explicit origins such as "from China" first)."""
    targets = [r for r in roles if r.role == TARGET]
    if scope is not None:
        after = [r for r in targets if end <= r.start and r.end <= scope[1]]
        before = [r for r in targets if scope[0] <= r.start and r.end <= start]
        if after or before:
            return (after[0] if after else before[-1]).canonical
    marked = [r for r in targets if r.marked]
    if not targets:
        return None
    nearest = min(
        marked or targets, key=lambda r: start - r.end if r.end <= start else r.start - end
    )
    return nearest.canonical


def explicit_target(roles: list[PlaceRole]) -> str | None:
    """Return the last origin named in the sentence, or None."""
    targets = [r.canonical for r in roles if r.role == TARGET]
    return targets[-1] if targets else None


def find_subject(sentence: str, roles: list[PlaceRole]) -> str | None:
    """Return the country or bloc that opens the sentence as its subject
    ("Washington went furthest.", "At the same time, the EU ..."), or None."""
    starts = {0}
    intro = _INTRO.match(sentence)
    for offset in (0, intro.end() if intro else 0):
        starts.add(offset)
        if re.match(r"[Tt]he\s", sentence[offset:]):
            starts.add(offset + 4)
    for role in roles:
        if role.start in starts and role.role == IMPOSER:
            return role.canonical if not _POSSESSIVE.match(sentence[role.end:]) else None
    return None


def pick_location(
    roles: list[PlaceRole], start: int, end: int, target: str | None
) -> str | None:
    """Return the jurisdiction named with "in" nearest to the rate at ``start:end`` ("the
    tariff on EVs in the United States"), the imposer of last resort, or None."""
    places = [r for r in roles if r.role == LOCATION and r.canonical != target]
    if not places:
        return None
    return min(places, key=lambda r: abs(r.start - start)).canonical


def find_coreferent_roles(sentence: str, last_place: str | None) -> list[PlaceRole]:
    """Imposers named as "the country" or "the government", standing for the country the
    article named last (``last_place``); none without one."""
    if last_place is None:
        return []
    return [
        PlaceRole(last_place, m.start(), m.end(), IMPOSER, "coreference")
        for m in _COREFERENCE.finditer(sentence)
    ]


def find_last_place(roles: list[PlaceRole]) -> str | None:
    """Return the last country or bloc named (not by demonym) among ``roles``, or None."""
    named = [r.canonical for r in roles if r.via not in ("demonym", "coreference")]
    return named[-1] if named else None
