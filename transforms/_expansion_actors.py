"""Which named companies a clause says are expanding (see transforms.expansions)."""

from __future__ import annotations

import re

from transforms._expansion_lexicon import (
    BRAND_OBJECT_RE,
    FORMER_SITE_RE,
    JOINT_RE,
    PREPOSITION_BEFORE_RE,
    VERB_BEFORE_BRAND_RE,
)
from transforms.registry import Mention, Registry

_OF_RE = re.compile(r"\b(?:of|for)\s+$")
_SITE_AFTER_RE = re.compile(
    r"^(?:'s|’s|'|’)\s+(?:[\w-]+\s+){0,2}?(?:plant|factory|complex|gigafactory|site)\b"
)
_POSSESSIVE_GAP_RE = re.compile(r"^(?:'s|’s|'|’)\s")
_OWNED_GAP_RE = re.compile(r"(?:'s|’s|'|’)?\s+(?:[a-z-]+\s+){0,3}")
_COORDINATION_RE = re.compile(
    r"\s*(?:,|,?\s+and|,?\s+&|,?\s+as well as)\s*"
    r"(?:[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)?['’]s\s+)?"  # "VinFast and South Korea's Hyundai"
)
# An owner named as a modifier of the company that acts ("Geely-owned Proton builds ...").
_OWNER_MODIFIER_RE = re.compile(r"[-‑](?:owned|backed|controlled|led|funded)\b")
# Reported speech: "§A said that §B will build ...": §B is the one expanding.
_SAID_THAT_RE = re.compile(
    r"\b(?:said|says|announced|confirmed|added|stated|disclosed)\s+(?:on\s+\w+\s+)?that\s+$"
)


def pick_actors(sentence: str, mentions: list[Mention], registry: Registry) -> list[str]:
    """Return the canonical companies a clause of ``sentence`` makes the actor.

    ``mentions`` are the company mentions inside the clause, in text order. A brand named
    as the object of a making or selling verb wins ("stopped assembling Leapmotor's T03");
    otherwise the first company and those coordinated with it ("BYD, Chery and Leapmotor
    are moving ..."). A brand of the subject's own group stays the subject's ("Chery will
    assemble Omoda models"). Companies that only name an old site ("a former Nissan
    plant") are skipped.
    """
    usable = [m for m in mentions if not _names_old_site(sentence, m)]
    usable = _after_reporting_verb(sentence, usable)
    usable = [m for m in usable if not _OWNER_MODIFIER_RE.match(sentence, m.end)]
    usable = [m for i, m in enumerate(usable) if not _owns_next(sentence, m, usable[i + 1:])]
    brands = [m.canonical for m in usable if _is_brand_object(sentence, m)]
    usable = [m for m in usable if not _is_oblique(sentence, m)]
    if brands:
        owner = usable[0].canonical if usable else None
        own = owner is not None and all(owner in registry.parents_of(b) for b in brands)
        return [owner] if own and owner else _unique(brands)
    if not usable:
        return []
    actors = [usable[0]]
    for mention in usable[1:]:
        gap = sentence[actors[-1].end:mention.start]
        if not _COORDINATION_RE.fullmatch(gap):
            break
        actors.append(mention)
    names = _unique([m.canonical for m in actors])
    return names[:1] if len(names) > 1 and JOINT_RE.search(sentence) else names


def _after_reporting_verb(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """Mentions from the first one that follows "said that", or all when none does."""
    for index, mention in enumerate(mentions[1:], start=1):
        if _SAID_THAT_RE.search(sentence[mentions[index - 1].end:mention.start]):
            return mentions[index:]
    return mentions


def antecedent(sentence: str, start: int, mentions: list[Mention]) -> list[str]:
    """The company a relative clause opening at ``start`` describes ("BYD, which ...")."""
    before = [m for m in mentions if m.end <= start and not sentence[m.end:start].strip(" '’s")]
    return [before[-1].canonical] if before else []


def _owns_next(sentence: str, mention: Mention, later: list[Mention]) -> bool:
    """Tell whether a mention only owns the next one ("Its affiliate Kia", "VW's Audi")."""
    if not later:
        return False
    gap = sentence[mention.end:later[0].start]
    possessive = mention.text.lower() in {"its", "their"} or _POSSESSIVE_GAP_RE.match(gap)
    return bool(possessive and _OWNED_GAP_RE.fullmatch(gap))


def _is_oblique(sentence: str, mention: Mention) -> bool:
    """Tell whether a mention sits in a prepositional phrase ("at Stellantis' plant")."""
    before = sentence[max(0, mention.start - 30):mention.start]
    if _OF_RE.search(before) and _SITE_AFTER_RE.match(sentence[mention.end:]):
        return False  # "construction of BYD's car plant", "ground broken for its plant": the owner acts
    return bool(PREPOSITION_BEFORE_RE.search(before))


def _names_old_site(sentence: str, mention: Mention) -> bool:
    """Tell whether a mention only locates an old site ("the former Nissan factory")."""
    return bool(FORMER_SITE_RE.search(sentence[max(0, mention.start - 30):mention.start]))


def _is_brand_object(sentence: str, mention: Mention) -> bool:
    """Tell whether a company is the brand made or sold ("assembling Leapmotor's T03")."""
    before = sentence[max(0, mention.start - 30):mention.start]
    return bool(VERB_BEFORE_BRAND_RE.search(before) and BRAND_OBJECT_RE.match(sentence[mention.end:]))


def _unique(names: list[str]) -> list[str]:
    """Drop repeated names, keeping the first occurrence."""
    return list(dict.fromkeys(names))
