"""Who imposes a tariff and on whom: the roles of the places named in a sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.registry import Registry

IMPOSER, TARGET, OTHER = "imposer", "target", "other"

# Agencies, statutes and leaders that stand for the state levying a duty.
_IMPOSER_ALIASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:the\s+)?(?:Office\s+of\s+the\s+)?U\.?S\.?\s+Trade\s+Representative\b"
                r"|\bUSTR\b|\bSection\s+(?:301|232)\b"), "United States"),
    (re.compile(r"\b(?:the\s+)?(?:Biden|Trump|Obama)\s+administration\b"
                r"|\b(?:President\s+)?(?:(?:Joe|Donald)\s+)?(?:Biden|Trump)\b"), "United States"),
    (re.compile(r"\b(?:the\s+)?(?:European\s+)?Commission\b|\bthe\s+bloc\b"), "European Union"),
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
# Places that only locate something ("plants in Hungary", "a deal with Beijing").
_LOCATION_PREFIX = re.compile(
    r"\b(?:in|into|inside|across|throughout|within|with|between|outside|near|at|via)"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)
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
_CAPITALISED_AFTER = re.compile(r"^['’]s\s+[A-Z]")
_SUBJECT_START = re.compile(r"^(?:[^,]{0,30},\s*)?(?P<the>(?:the|The)\s+)?")


@dataclass(frozen=True)
class PlaceRole:
    """A country or bloc named in a sentence, with its role for a tariff there."""

    canonical: str
    start: int
    end: int
    role: str  # IMPOSER | TARGET | OTHER
    via: str
    marked: bool = False  # the origin is explicit: "from China", "Chinese-made"


def find_place_roles(sentence: str, registry: Registry) -> list[PlaceRole]:
    """Return the countries and blocs of ``sentence`` (registry names plus agency and
    leader aliases), each classified as imposer, target or other, in text order."""
    roles = _alias_roles(sentence)
    for m in registry.places_in(sentence):
        if m.kind not in _PLACE_KINDS or any(_overlaps(r, m.start, m.end) for r in roles):
            continue
        role = _classify(sentence, m.start, m.end, m.via)
        marked = bool(
            _ORIGIN_SUFFIX.match(sentence[m.end:]) or _ORIGIN_PREFIX.search(sentence[:m.start])
        )
        roles.append(PlaceRole(m.canonical, m.start, m.end, role, m.via, marked))
    return sorted(roles, key=lambda r: r.start)


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
    if _ORIGIN_SUFFIX.match(right):
        return TARGET
    if _POSSESSIVE.match(right):
        return OTHER if _CAPITALISED_AFTER.match(right) else IMPOSER
    if via == "demonym":
        if _ACTOR_AFTER.match(right) or _TARIFF_AFTER.match(right):
            return IMPOSER
        return OTHER if _SITE_AFTER.match(right) else TARGET
    if _ORIGIN_PREFIX.search(left):
        return TARGET
    if _LOCATION_PREFIX.search(left):
        return OTHER
    return IMPOSER


def pick_imposer(
    roles: list[PlaceRole], start: int, end: int, target: str | None, after: bool = True
) -> str | None:
    """Return the imposer of the rate at ``start:end``: a place right after it ("the 25%
    U.S. tariff"), else the nearest one before it, else (if ``after``) the nearest one
    after it."""
    imposers = [r for r in roles if r.role == IMPOSER and r.canonical != target]
    adjacent = [r for r in imposers if 0 <= r.start - end <= 6]
    before = [r for r in imposers if r.end <= start]
    later = [r for r in imposers if r.start >= end] if after else []
    for group in (adjacent, before[::-1], later):
        if group:
            return group[0].canonical
    return None


def pick_target(roles: list[PlaceRole], start: int, end: int) -> str | None:
    """Return the origin nearest to the rate at ``start:end`` (either side), or None."""
    targets = [r for r in roles if r.role == TARGET]
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
    opening = _SUBJECT_START.match(sentence)
    starts = {0, opening.start("the"), opening.end()} if opening else {0}
    for role in roles:
        if role.start in starts and role.role == IMPOSER:
            return role.canonical if not _POSSESSIVE.match(sentence[role.end:]) else None
    return None
