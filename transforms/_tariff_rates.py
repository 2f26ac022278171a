"""Percentages that are tariff rates, and what a sentence says about each one."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from transforms.dates import find_dates

PROPOSED, IN_EFFECT, LIFTED = "proposed", "in_effect", "lifted"

_PERCENT = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:\.\d+)?)(?:\s?%|[\s-]?(?:percent|per[\s-]cent|pc)\b)"
)
_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
# Rates written in words: "twenty-five per cent", "forty percent".
_WORD_PERCENT = re.compile(
    rf"(?<![\w-])(?P<w>(?:{'|'.join(_TENS)})(?:[-\s](?:{'|'.join(k for k in _UNITS if _UNITS[k] < 10)}))?"
    rf"|{'|'.join(sorted(_UNITS, key=len, reverse=True))}|one\s+hundred|a\s+hundred)"
    r"[\s-](?:percent|per[\s-]cent)\b",
    re.IGNORECASE,
)
# Fractions that state a rate when they are a share of a value or price ("a quarter of the
# car's customs value") or follow a rate word ("a tariff of a quarter").
_FRACTIONS = {"half": 50.0, "a half": 50.0, "a third": 33.3, "a quarter": 25.0, "a fifth": 20.0, "a tenth": 10.0}
_FRACTION_RATE = re.compile(
    r"(?<![\w-])(?P<f>a\s+(?:half|third|quarter|fifth|tenth)|half)"
    r"\s+of\s+(?:the|its|their|a|an)\s+(?:[\w’'-]+\s+){0,3}?(?:value|price)s?\b",
    re.IGNORECASE,
)
TARIFF_NOUN = re.compile(
    r"\b(?:tariffs?|dut(?:y|ies)|surtax(?:es)?|levy|levies|countervailing|anti-?subsidy"
    r"|anti-?dumping|customs|surcharges?|import\s+tax(?:es)?)\b",
    re.IGNORECASE,
)
_RATE_NOUN = re.compile(r"\brates?\b", re.IGNORECASE)
_OTHER_RATE = re.compile(
    r"\b(?:interest|growth|tax|exchange|inflation|unemployment|utili[sz]ation|charging"
    r"|conversion|mortgage|savings|policy|adoption|penetration|return)\s+rates?\b",
    re.IGNORECASE,
)
# A verb that gives a party a rate: "BYD pays 17%", "Tesla was assigned 7.8%".
_RATE_VERB = re.compile(
    r"\b(?:pays?|paid|faces?|faced|carry|carries|carried|assigned|obtained|received|gets?|got"
    r"|moves?|moved|rises?|rose|doubles?|doubled|triples?|quadruples?|climbs?|set\s+at"
    r"|hits?|reach(?:es|ed)?"
    r"|extra|additional)\b[^%;]{0,25}$"
)
_IMPOSING_VERB = re.compile(
    r"\b(?:levy|levies|levied|impos(?:e|es|ed|ing)|charg(?:e|es|ed)|slap(?:s|ped)?"
    r"|taxed)\b"
    r"[^%;.]{0,25}$"
)
# The next item of a list of rates: ", BYD 17%", " and SAIC 38.1%", "; Chery, 21%".
_LIST_ITEM = re.compile(
    r"^\s*\)?\s*(?:,|;|and|,\s*and|as\s+well\s+as)\s+[^%;.]{0,40}$"
)
# A label before a rate in tables and bullet lists: "SAIC: 35.3%", "Geely - 18.8%".
_LABEL = re.compile(r"^[^%:;.]{1,40}(?::|\s[—–-])\s*$")
_CHANGE_BEFORE = re.compile(
    r"(?:\b(?:rose|rise|rises|fell|falls?|grew|grows?|jumped|dropped|declined|gained|surged"
    r"|slumped|climbed|soared|plunged|increased|decreased|by|up|down)"
    r"(?:\s+(?:about|nearly|almost|roughly|some|around|over|more\s+than))?\s*$)",
)
_NOT_A_RATE_AFTER = re.compile(
    r"^\s*(?:of\b|stake|share|market|owned|owner|interest|discount|more|less|fewer|higher"
    r"|lower|cheaper|jump|rise|increase|drop|decline|fall|gain|growth|margin|year-on-year"
    r"|price|prices|cut|cuts|reduction|premium|return|yield|probability|chance|majority"
    r"|in\s+(?:sales|profit|revenue|registrations|deliveries)|of\s+the)",
    re.IGNORECASE,
)
_METRIC = re.compile(
    r"\b(?:market\s+share|share|shares|sales|registrations|deliveries|profits?|revenues?"
    r"|stake|prices?|margins?|output|growth|capacity|exports|volumes?|earnings|costs?)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r"[;:]|\s[—–]\s|\bwhile\b|\bbut\b|,\s+and\b|\bon\s+top\s+of\b|\bin\s+addition\s+to\b"
    r"|\binstead\s+of\b|\brather\s+than\b|\balongside\b"
)
_HYPOTHETICAL = re.compile(
    r"\b(?:[Ii]f|[Uu]nless|could|might|may|would|possibl[ey]|potential(?:ly)?"
    r"|consider(?:s|ed|ing)?|weigh(?:s|ing)?|mull(?:s|ing)?|hypothetical)\b"
)
# Forecasts and aggregate statistics anywhere in the sentence.
_ESTIMATE = re.compile(
    r"\b(?:[Aa]nalysts?|[Ee]conomists?|[Ee]xperts?|[Ff]orecasters?)\b[^.]{0,40}"
    r"\b(?:expect|estimate|predict|forecast|project|calculate|reckon)\w*"
    r"|\b(?:average|effective|overall|trade-weighted)\s+(?:\w+\s+)?(?:tariff|duty)\s+rate",
    re.IGNORECASE,
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
    r"\b(?:will(?!\s+(?:pay|face|carry|have\s+to\s+pay)\b)|shall|plans?|planned|planning"
    r"|propos(?:ed|es|al|ing)|threaten(?:s|ed|ing)?"
    r"|set\s+to|due\s+to|is\s+to|are\s+to|intends?|intended|seeks?|would|draft"
    r"|expected\s+to|agreed\s+to|aims?\s+to|poised\s+to"
    r"|to\s+(?:impose|levy|apply|charge|raise|introduce|add|slap|hike|increase|extend)"
    r"|(?:rises|doubles|triples|quadruples|moves|climbs|increases|jumps|goes\s+up|extends"
    r"|reaches)\s+to)\b"
)
# Words that put a rate in force now, whatever dates the sentence also names.
_IN_FORCE_CUE = re.compile(
    r"\b(?:already|existing|current(?:ly)?|took\s+effect|ha(?:s|ve)\s+applied|in\s+(?:force|place)\s+since"
    r"|remains?\s+in\s+(?:force|place))\b"
)
_EFFECT_CUE = re.compile(
    r"\b(?:effect|effective|from|since|starting|starts?|began|begins?|apply|applies|applied"
    r"|force|place|added|imposed|introduced|due|by)\b[^%;]{0,20}$",
    re.IGNORECASE,
)
_DATE_REACH = 120  # characters a date before a rate may stand from it
_HEDGE = r"(?:(?:about|roughly|around|nearly|almost|some|as\s+much\s+as|as\s+high\s+as|up\s+to)\s+)?"
_FROM_TO = re.compile(rf"\bfrom\s+{_HEDGE}$")
_DOWN_FROM = re.compile(rf"\b(?:down|up)\s+from\s+{_HEDGE}$")
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
    r"|[^.;%]{0,60}\b(?:imported\s+(?:[\w-]+\s+){0,3}?(?:cars?|vehicles?|trucks?|autos?)\b"
    r"|every\s+imported|all\s+imports"
    r"|all\s+origins|all\s+imported|from\s+(?:other\s+|all\s+|most\s+)?(?:countries|nations)"
    r"|from\s+outside\b))",
    re.IGNORECASE,
)
_RIGHT_BREAK = re.compile(
    r"[;:]|\s[—–]\s|,\s+(?:and|but|while|after|before|as|when|whereas|although|though)\b"
    r"|\s(?:while|after|before|but|whereas|although)\b"
)
_IMPORTS = re.compile(r"\b(?:imported|imports)\b", re.IGNORECASE)
# "raised by 70% to 85%": a range of changes, not a rate.
_CHANGE_RANGE = re.compile(r"\bby\s+\d{1,3}(?:\.\d+)?\s?%\s+to\s+$")


@dataclass(frozen=True)
class RateMention:
    """A percentage in a sentence and the text around it up to the neighbouring rates."""

    value: float
    start: int
    end: int
    left: str  # from the previous percentage (or sentence start) to this one
    right: str  # from this percentage to the next one (or sentence end)
    clause: str  # ``left`` cut at the last clause break
    phrase: str  # the sentence from the last clause break to this percentage


def find_rates(sentence: str) -> list[RateMention]:
    """Return the percentages of ``sentence`` that read like rates (not growth, stakes,
    shares or comparisons), with their surrounding text."""
    matches = _percentages(sentence)
    rates: list[RateMention] = []
    for i, (value, start, end) in enumerate(matches):
        left_start = matches[i - 1][2] if i else 0
        right_end = matches[i + 1][1] if i + 1 < len(matches) else len(sentence)
        left, right = sentence[left_start:start], sentence[end:right_end]
        if _CHANGE_BEFORE.search(left[-20:]) or _NOT_A_RATE_AFTER.match(right):
            continue
        if _CHANGE_RANGE.search(sentence[:start]):
            continue
        rates.append(RateMention(
            value, start, end, left, right, _after_break(left), _after_break(sentence[:start]),
        ))
    return rates


def _percentages(sentence: str) -> list[tuple[float, int, int]]:
    """(value, start, end) of every percentage in figures or words, in text order."""
    found = [(float(m.group(1)), m.start(), m.end()) for m in _PERCENT.finditer(sentence)]
    found += [(_word_value(m.group("w")), m.start(), m.end()) for m in _WORD_PERCENT.finditer(sentence)]
    found += [
        (_FRACTIONS[" ".join(m.group("f").lower().split())], m.start(), m.end())
        for m in _FRACTION_RATE.finditer(sentence)
    ]
    return sorted(found, key=lambda item: item[1])


def _word_value(words: str) -> float:
    """The number a rate in words stands for ("twenty-five" -> 25.0)."""
    parts = re.split(r"[-\s]+", words.lower())
    if parts[-1] == "hundred":
        return 100.0
    return float(sum(_TENS.get(part, 0) + _UNITS.get(part, 0) for part in parts))


def _after_break(text: str) -> str:
    """The end of ``text`` after its last clause break."""
    breaks = list(_CLAUSE_BREAK.finditer(text))
    return text[breaks[-1].end():] if breaks else text


def is_tariff_rate(
    rate: RateMention,
    sentence: str,
    in_tariff_context: bool,
    listed: bool = False,
    names_origin: bool = False,
) -> bool:
    """True when the sentence ties the percentage to a duty: it names a tariff, a verb
    levies it ("charges 25% on imports"), it speaks of rates on goods of a named origin,
    or (right after tariff sentences, or after another rate of a list) it gives a rate
    to a party ("Geely 18.8%", "BYD pays 17%", "SAIC: 35.3%")."""
    if _METRIC.search(rate.clause[-45:]) and not TARIFF_NOUN.search(rate.clause):
        return False  # "market share rose to 3%" next to a duty
    if TARIFF_NOUN.search(sentence) or _IMPOSING_VERB.search(rate.left):
        return True
    if listed and _LIST_ITEM.match(rate.left):
        return True
    if names_origin and _names_a_rate(sentence):
        return True
    if not in_tariff_context:
        return False
    return bool(
        _names_a_rate(sentence) or _RATE_VERB.search(rate.left) or _LABEL.match(rate.left)
    )


def _names_a_rate(sentence: str) -> bool:
    """True when "rate" appears other than as an interest, growth, tax ... rate."""
    return len(_RATE_NOUN.findall(sentence)) > len(_OTHER_RATE.findall(sentence))


def is_hypothetical(rate: RateMention, sentence: str) -> bool:
    """True when the rate is only discussed ("could face", "if approved", "analysts
    expect"); reported plans ("said it would raise") are not hypothetical."""
    scope = rate.phrase + sentence[rate.end:rate.end + len(rate.right.split(",")[0])]
    if _ESTIMATE.search(sentence):
        return True
    found = _HYPOTHETICAL.search(scope)
    if found is None:
        return False
    return not (found.group(0) == "would" and _REPORTED.search(sentence[:rate.end + 40]))


def is_generic_origin(rate: RateMention) -> bool:
    """True when the rate applies to all origins ("the standard 10% import tariff")."""
    return bool(_GENERIC_BEFORE.search(rate.left[-30:]) or _GENERIC_AFTER.match(rate.right))


def right_clause(rate: RateMention) -> str:
    """The text after the rate up to the next rate or the end of its clause."""
    cut = _RIGHT_BREAK.search(rate.right)
    return rate.right[:cut.start()] if cut else rate.right


def speaks_of_imports(rate: RateMention) -> bool:
    """True when the rate's clause is about imports in general ("cars imported as
    completely built units pay 70%"); with no origin named, the duty hits all origins."""
    return bool(_IMPORTS.search(rate.phrase + rate.right.split(",")[0]))


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
    scope = rate.phrase + rate.right.split(",")[0]
    if _LIFTED_BEFORE.search(rate.phrase) or _LIFTED_AFTER.match(rate.right):
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
    if _DOWN_FROM.search(rate.left) and not verbs:
        return LIFTED  # "a 15% tariff, down from 27.5%"
    if not verbs or re.search(r"\b(?:rang\w*|between|vary|varies)\b", rate.left):
        return None
    scheduled = bool(_PROPOSED.search(before[max(0, verbs[-1].start() - 40):verbs[-1].end()]))
    past = not scheduled and bool(_PAST_CHANGE.search(verbs[-1].group("verb")))
    if _FROM_TO.search(rate.left):
        return LIFTED if past else IN_EFFECT
    if _DOWN_FROM.search(rate.left):
        return IN_EFFECT if scheduled else LIFTED
    if _TO_RATE.search(rate.left):
        return IN_EFFECT if past else PROPOSED
    return None
