"""Percentages that are tariff rates, and what a sentence says about each one."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from transforms.dates import find_dates

PROPOSED, IN_EFFECT, LIFTED = "proposed", "in_effect", "lifted"

_PERCENT = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d+)?)\s?(?:%|percent\b|per\s+cent\b)")
TARIFF_NOUN = re.compile(
    r"\b(?:tariffs?|dut(?:y|ies)|surtax(?:es)?|levy|levies|countervailing|anti-?subsidy"
    r"|anti-?dumping|customs|surcharges?|import\s+tax(?:es)?)\b",
    re.IGNORECASE,
)
_RATE_NOUN = re.compile(r"(?<!interest )(?<!growth )(?<!tax )(?<!exchange )\brates?\b")
# A verb that gives a party a rate: "BYD pays 17%", "Tesla was assigned 7.8%".
_RATE_VERB = re.compile(
    r"\b(?:pays?|paid|faces?|faced|carry|carries|carried|assigned|obtained|received|gets?|got"
    r"|moves?|moved|rises?|rose|doubles?|doubled|triples?|quadruples?|climbs?|set\s+at"
    r"|extra|additional)\b[^%;]{0,25}$"
)
_CHANGE_BEFORE = re.compile(
    r"(?:\b(?:rose|rise|rises|fell|falls?|grew|grows?|jumped|dropped|declined|gained|surged"
    r"|slumped|climbed|soared|plunged|increased|decreased|by|up|down)"
    r"(?:\s+(?:about|nearly|almost|roughly|some|around|over|more\s+than))?\s*$)",
)
_NOT_A_RATE_AFTER = re.compile(
    r"^\s*(?:of\b|stake|share|market|owned|owner|interest|discount|more|less|fewer|higher"
    r"|lower|cheaper|jump|rise|increase|drop|decline|fall|gain|growth|margin|year-on-year"
    r"|in\s+(?:sales|profit|revenue|registrations|deliveries)|of\s+the)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r"[;:]|\s[—–]\s|\bwhile\b|\bbut\b|,\s+and\b|\bon\s+top\s+of\b|\bin\s+addition\s+to\b"
    r"|\binstead\s+of\b|\brather\s+than\b|\balongside\b"
)
_HYPOTHETICAL = re.compile(
    r"\b(?:[Ii]f|[Uu]nless|could|might|may|would|possibl[ey]|potential(?:ly)?"
    r"|consider(?:s|ed|ing)?|weigh(?:s|ing)?|mull(?:s|ing)?|hypothetical"
    r"|analysts?\b[^.]{0,30}\b(?:expect|estimate|predict|see)|[Ee]conomists?)\b"
)
_REPORTED = re.compile(
    r"\b(?:said|says|announced|confirmed|pledged|promised|decided|warned|threatened|vowed"
    r"|stated|declared)\b[^.;]{0,40}\bwould\b"
)
_LIFTED_BEFORE = re.compile(
    r"\b(?:lift(?:ed|s|ing)?|remov(?:ed|es|e|ing)|suspend(?:ed|s|ing)?|scrap(?:ped|s|ping)?"
    r"|repeal(?:ed|s|ing)?|replac(?:ed|es|e|ing)|abolish(?:ed|es|ing)?|waiv(?:ed|es|e|ing)"
    r"|rescind(?:ed|s|ing)?|exempt(?:ed|s|ing)?|fre(?:es|ed|eing)\b[^%]{0,40}\bfrom)\b"
)
_LIFTED_AFTER = re.compile(
    r"^[^.;]{0,60}?\b(?:(?:was|were|has\s+been|have\s+been|had\s+been|is\s+being|are\s+being)"
    r"\s+(?:lifted|removed|suspended|scrapped|repealed|replaced|waived|dropped|rescinded"
    r"|withdrawn)|expired|no\s+longer\s+appl(?:y|ies))\b"
)
_PROPOSED = re.compile(
    r"\b(?:will(?!\s+(?:pay|face|carry|have\s+to\s+pay)\b)|shall|plans?|planned|planning|propos(?:ed|es|al|ing)|threaten(?:s|ed|ing)?"
    r"|set\s+to|due\s+to|is\s+to|are\s+to|intends?|intended|seeks?|would|draft"
    r"|expected\s+to|agreed\s+to|aims?\s+to|poised\s+to"
    r"|to\s+(?:impose|levy|apply|charge|raise|introduce|add|slap|hike|increase|extend)"
    r"|(?:rises|doubles|triples|quadruples|moves|climbs|increases|jumps|goes\s+up|extends"
    r"|reaches)\s+to)\b"
)
# Words that put a rate in force now, whatever dates the sentence also names.
_IN_FORCE_CUE = re.compile(
    r"\b(?:already|took\s+effect|ha(?:s|ve)\s+applied|in\s+(?:force|place)\s+since"
    r"|remains?\s+in\s+(?:force|place))\b"
)
_EFFECT_CUE = re.compile(
    r"\b(?:effect|effective|from|since|starting|starts?|began|begins?|apply|applies|applied"
    r"|force|place|added|imposed|introduced|due|until|by)\b[^%;]{0,20}$",
    re.IGNORECASE,
)
_DATE_REACH = 120  # characters a date before a rate may stand from it
_HEDGE = r"(?:(?:about|roughly|around|nearly|almost|some)\s+)?"
_FROM_TO = re.compile(rf"\bfrom\s+{_HEDGE}$")
_TO_RATE = re.compile(rf"\bto\s+{_HEDGE}$")
_CHANGE_VERB = re.compile(
    r"\b(?P<verb>rise[sn]?|rose|raised?|raises|increase[sd]?|cut|cuts|lower(?:s|ed)?"
    r"|reduce[sd]?|hike[sd]?|climb(?:s|ed)?|jump(?:s|ed)?|move[sd]?|go(?:es)?\s+up|went\s+up"
    r"|doubl(?:es|ed|e)|tripl(?:es|ed|e)|quadrupl(?:es|ed|e))\b"
)
_PAST_CHANGE = re.compile(r"(?:ed|rose|cut|went\s+up)$")
_GENERIC_BEFORE = re.compile(
    r"\b(?:standard|most-favou?red-nation|MFN|general|base|regular|normal|usual|existing)\s+$"
)
_GENERIC_AFTER = re.compile(
    r"^\s*(?:(?:most-favou?red-nation|MFN|standard)\s+)?(?:import\s+(?:tariff|duty|tax)"
    r"|[^.;%]{0,60}\b(?:imported\s+(?:cars?|vehicles?)|every\s+imported|all\s+imports"
    r"|all\s+origins|all\s+imported))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RateMention:
    """A percentage in a sentence and the text around it up to the neighbouring rates."""

    value: float
    start: int
    end: int
    left: str  # from the previous percentage (or sentence start) to this one
    right: str  # from this percentage to the next one (or sentence end)
    clause: str  # ``left`` cut at the last clause break


def find_rates(sentence: str) -> list[RateMention]:
    """Return the percentages of ``sentence`` that read like rates (not growth, stakes,
    shares or comparisons), with their surrounding text."""
    matches = list(_PERCENT.finditer(sentence))
    rates: list[RateMention] = []
    for i, m in enumerate(matches):
        left_start = matches[i - 1].end() if i else 0
        right_end = matches[i + 1].start() if i + 1 < len(matches) else len(sentence)
        left, right = sentence[left_start:m.start()], sentence[m.end():right_end]
        if _CHANGE_BEFORE.search(left[-20:]) or _NOT_A_RATE_AFTER.match(right):
            continue
        breaks = list(_CLAUSE_BREAK.finditer(left))
        clause = left[breaks[-1].end():] if breaks else left
        rates.append(RateMention(float(m.group(1)), m.start(), m.end(), left, right, clause))
    return rates


def is_tariff_rate(rate: RateMention, sentence: str, in_tariff_context: bool) -> bool:
    """True when the sentence ties the percentage to a duty: it names a tariff, or (right
    after tariff sentences) it gives a rate to a party ("Geely 18.8%", "BYD pays 17%")."""
    if TARIFF_NOUN.search(sentence):
        return True
    if not in_tariff_context:
        return False
    return bool(_RATE_NOUN.search(sentence) or _RATE_VERB.search(rate.left))


def is_hypothetical(rate: RateMention, sentence: str) -> bool:
    """True when the rate is only discussed ("could face", "if approved", "analysts
    expect"); reported plans ("said it would raise") are not hypothetical."""
    scope = rate.clause + sentence[rate.end:rate.end + len(rate.right.split(",")[0])]
    found = _HYPOTHETICAL.search(scope)
    if found is None:
        return False
    return not (found.group(0) == "would" and _REPORTED.search(sentence[:rate.end + 40]))


def is_generic_origin(rate: RateMention) -> bool:
    """True when the rate applies to all origins ("the standard 10% import tariff")."""
    return bool(_GENERIC_BEFORE.search(rate.left[-30:]) or _GENERIC_AFTER.match(rate.right))


def find_effective(rate: RateMention, sentence: str, published: dt.date) -> dt.date | None:
    """Return the date the rate takes or took effect, when a date phrase in its scope is
    introduced by an effect word ("took effect on Oct. 1", "from Oct. 15", "since July");
    dates after the rate come first, dates before it count only when close."""
    scope_start = max(rate.start - len(rate.clause), rate.start - _DATE_REACH)
    scope_end = rate.end + len(rate.right)
    dates = [
        (start, date)
        for start, end, date in find_dates(sentence, published)
        if scope_start <= start and end <= scope_end and _EFFECT_CUE.search(sentence[:start])
    ]
    dates.sort(key=lambda d: (d[0] < rate.start, abs(d[0] - rate.start)))
    return dates[0][1] if dates else None


def judge_status(
    rate: RateMention, sentence: str, effective: dt.date | None, published: dt.date
) -> str:
    """Return proposed, in_effect or lifted for the rate from the words around it."""
    change = _change_role(rate, sentence)
    if change:
        return change
    scope = rate.clause + rate.right.split(",")[0]
    if _LIFTED_BEFORE.search(rate.clause) or _LIFTED_AFTER.match(rate.right):
        return LIFTED
    if _IN_FORCE_CUE.search(scope):
        return IN_EFFECT
    if effective is not None:
        return PROPOSED if effective > published else IN_EFFECT
    return PROPOSED if _PROPOSED.search(scope) else IN_EFFECT


def _change_role(rate: RateMention, sentence: str) -> str | None:
    """Status in "rises from 7.5% to 25%": the old rate holds until a scheduled change and
    is lifted by a past one; the new rate is proposed or in effect accordingly."""
    before = sentence[:rate.start]
    verbs = list(_CHANGE_VERB.finditer(before))
    if not verbs or re.search(r"\b(?:rang\w*|between|vary|varies)\b", rate.left):
        return None
    scheduled = bool(_PROPOSED.search(before[verbs[-1].start() - 40:verbs[-1].end()]))
    past = not scheduled and bool(_PAST_CHANGE.search(verbs[-1].group("verb")))
    if _FROM_TO.search(rate.left):
        return LIFTED if past else IN_EFFECT
    if _TO_RATE.search(rate.left):
        return IN_EFFECT if past else PROPOSED
    return None
