"""Dates named in a sentence, resolved against the article's publication date.

Absolute dates ("Oct. 29, 2024", "29 October 2024", "2024-10-30", "October 2023"),
dates without a year ("Sept. 27", "March 1", "from March"), and relative phrases
("on Tuesday", "last October", "next month", "this year", "by the end of January",
"since early July", "last month", "in 2026") become ``datetime.date`` values. A phrase
that names a month or a period stands for its first day ("from March" -> March 1), except
"end of ..." which stands for its last day. A month/day without a year takes the year
that puts it closest to the publication date; a bare weekday is the most recent one on
or before publication (news reports mostly speak of the past), unless "next" precedes it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}
_PART_DAY = {"early": 1, "mid": 15, "mid-": 15, "late": 21}

# Month names are matched case-sensitively so that the verb "may" is never a month.
_MONTH = (
    r"(?P<month>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|"
    r"June?|July?|Aug(?:ust|\.)?|Sep(?:tember|t\.|\.|t)?|Oct(?:ober|\.)?|"
    r"Nov(?:ember|\.)?|Dec(?:ember|\.)?)(?![a-z])"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PART = r"(?:(?P<part>early|mid-?|late)\s+)?"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_UNIT = r"(?P<unit>week|month|year|quarter)"
_REL = r"(?P<rel>[Ll]ast|[Nn]ext|[Tt]his|[Pp]revious|[Cc]oming)"
_YEAR_PREP = (
    r"(?:(?<=\bin )|(?<=\bby )|(?<=\bsince )|(?<=\bfrom )|(?<=\buntil )|(?<=\bbefore )|"
    r"(?<=\bafter )|(?<=\bthrough )|(?<=\bearly )|(?<=\blate )|(?<=\bmid-)|(?<=\bof ))"
)

_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d\d)-(?P<day>\d\d)\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?")
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR}\b)?")
_END_OF = re.compile(
    rf"\b(?:the\s+)?end\s+of\s+(?:(?P<this>this|next|last)\s+(?P<unit>year|month)|"
    rf"the\s+(?P<the>year|month)|{_MONTH}(?:\s+{_YEAR})?|(?P<byear>(?:19|20)\d\d))\b"
)
_QUARTER = re.compile(
    r"\b(?:the\s+)?(?P<ord>first|second|third|fourth)\s+(?P<unit>quarter|half)"
    r"(?:\s+of\s+(?P<year>(?:19|20)\d\d))?"
    r"|\b(?P<code>[QH][1-4])\s+(?P<cyear>(?:19|20)\d\d)\b"
)
_DAY_OF_MONTH = re.compile(rf"\b(?:the\s+)?{_DAY}\s+of\s+{_MONTH}(?:,?\s+{_YEAR}\b)?")
_MONTH_YEAR = re.compile(rf"\b{_PART}{_MONTH}\s+{_YEAR}\b")
_REL_MONTH = re.compile(rf"\b{_REL}\s+{_MONTH}")
_MONTH_REL_YEAR = re.compile(rf"\b{_PART}{_MONTH}\s+(?:of\s+)?{_REL}\s+year\b")
_REL_WEEKDAY = re.compile(rf"\b{_REL}\s+{_WEEKDAY}")
_REL_UNIT = re.compile(rf"\b{_REL}\s+{_UNIT}\b")
_WEEKDAY_ALONE = re.compile(rf"\b{_WEEKDAY}\b")
_MONTH_ALONE = re.compile(
    rf"(?:(?<=\bin )|(?<=\bby )|(?<=\bsince )|(?<=\bfrom )|(?<=\buntil )|(?<=\bbefore )|"
    rf"(?<=\bafter )|(?<=\bthrough )|(?<=\bon )|(?<=\bstarting )|(?<=\bduring )|"
    rf"(?<=\bearly )|(?<=\blate )|(?<=\bmid-)|(?<=\bmid ))(?P<part>){_MONTH}"
)
_PART_MONTH = re.compile(rf"\b(?P<part>early|mid-?|late)\s*{_MONTH}")
_BARE_YEAR = re.compile(rf"{_YEAR_PREP}{_YEAR}\b")
_SINCE = re.compile(r"\b[Ss]ince\s+(?:early\s+|mid-?\s*|late\s+)?$")
_TODAY = re.compile(r"\b(?P<word>today|yesterday|tomorrow)\b")

_Resolver = Callable[[re.Match[str], dt.date], "dt.date | None"]


def _month_of(token: str) -> int:
    """Return the month number of a month name or abbreviation."""
    return _MONTHS[token[:3].lower()]


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    """Return the date, or None when the day does not exist in that month."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _closest_year(month: int, day: int, published: dt.date) -> dt.date | None:
    """Return month/day in the year (around publication) that lies closest to ``published``."""
    candidates = [_safe_date(published.year + k, month, day) for k in (-1, 0, 1)]
    valid = [c for c in candidates if c is not None]
    return min(valid, key=lambda c: abs((c - published).days)) if valid else None


def _last_day(year: int, month: int) -> dt.date:
    """Return the last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(day: dt.date, months: int) -> dt.date:
    """Return the first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _resolve_iso(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'2024-10-30'."""
    return _safe_date(int(m["year"]), int(m["mon"]), int(m["day"]))


def _resolve_month_day(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'Oct. 29, 2024', '29 October', 'Sept. 27'."""
    month, day = _month_of(m["month"]), int(m["day"])
    if m["year"]:
        return _safe_date(int(m["year"]), month, day)
    return _closest_year(month, day, published)


def _resolve_end_of(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'by the end of January', 'the end of this year', 'end of 2025'."""
    unit = m["unit"] or m["the"]
    if unit:
        shift = {"this": 0, "next": 1, "last": -1, None: 0}[m["this"]]
        if unit == "year":
            return dt.date(published.year + shift, 12, 31)
        first = _shift_month(published, shift)
        return _last_day(first.year, first.month)
    if m["month"]:
        month = _month_of(m["month"])
        if m["year"]:
            return _last_day(int(m["year"]), month)
        return _closest_year(month, calendar.monthrange(published.year, month)[1], published)
    return dt.date(int(m["byear"]), 12, 31)


def _resolve_quarter(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'the fourth quarter of 2025' -> 2025-10-01, 'Q3 2024', 'the second half of 2025'
    -> 2025-07-01; without a year, the publication year."""
    if m["code"]:
        months = 3 if m["code"][0] == "Q" else 6
        index, year = int(m["code"][1]) - 1, int(m["cyear"])
    else:
        months = 3 if m["unit"] == "quarter" else 6
        index = ("first", "second", "third", "fourth").index(m["ord"])
        year = int(m["year"]) if m["year"] else published.year
    month = months * index + 1
    return dt.date(year, month, 1) if month <= 12 else None


def _resolve_month_year(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'October 2023', 'early July 2024'."""
    return dt.date(int(m["year"]), _month_of(m["month"]), _PART_DAY.get(m["part"] or "", 1))


def _resolve_rel_month(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'last October' (most recent before this month), 'next March', 'this June'."""
    month, rel = _month_of(m["month"]), m["rel"].lower()
    if rel in ("last", "previous"):
        year = published.year if month < published.month else published.year - 1
    elif rel in ("next", "coming"):
        year = published.year if month > published.month else published.year + 1
    else:
        year = published.year
    return dt.date(year, month, 1)


def _resolve_month_rel_year(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'June last year', 'March of next year', 'early July this year'."""
    rel = m["rel"].lower()
    shift = 1 if rel in ("next", "coming") else -1 if rel in ("last", "previous") else 0
    day = _PART_DAY.get(m["part"] or "", 1)
    return dt.date(published.year + shift, _month_of(m["month"]), day)


def _resolve_rel_weekday(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'last Tuesday' (strictly before), 'next Friday' (strictly after), 'this Monday'."""
    target, rel = _WEEKDAYS[m["weekday"].lower()], m["rel"].lower()
    if rel in ("next", "coming"):
        return published + dt.timedelta(days=(target - published.weekday() - 1) % 7 + 1)
    if rel in ("last", "previous"):
        return published - dt.timedelta(days=(published.weekday() - target - 1) % 7 + 1)
    return published - dt.timedelta(days=(published.weekday() - target) % 7)


def _resolve_rel_unit(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'next month' -> first of next month, 'last year' -> Jan 1 of last year, 'this week'."""
    rel, unit = m["rel"].lower(), m["unit"]
    shift = 1 if rel in ("next", "coming") else -1 if rel in ("last", "previous") else 0
    if unit == "year":
        return dt.date(published.year + shift, 1, 1)
    if unit == "month":
        return _shift_month(published, shift)
    if unit == "quarter":
        first = _shift_month(published, 3 * shift)
        return dt.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    monday = published - dt.timedelta(days=published.weekday())
    return monday + dt.timedelta(weeks=shift)


def _resolve_weekday(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'on Tuesday': the most recent Tuesday on or before publication."""
    target = _WEEKDAYS[m["weekday"].lower()]
    return published - dt.timedelta(days=(published.weekday() - target) % 7)


def _resolve_month_alone(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'from March', 'since early July', 'in May': that month, closest to publication."""
    day = _PART_DAY.get(m["part"] or "", 1)
    month = _month_of(m["month"])
    middle = _closest_year(month, 15, published)  # a whole month is closest by its middle
    return dt.date(middle.year, month, day) if middle else None


def _resolve_bare_year(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'in 2026', 'by 2025', 'since 2018' -> January 1 of that year."""
    return dt.date(int(m["year"]), 1, 1)


def _resolve_today(m: re.Match[str], published: dt.date) -> dt.date | None:
    """'today', 'yesterday', 'tomorrow'."""
    offset = {"today": 0, "yesterday": -1, "tomorrow": 1}[m["word"]]
    return published + dt.timedelta(days=offset)


# Most specific first: a span taken by an earlier pattern is not matched again.
_PATTERNS: tuple[tuple[re.Pattern[str], _Resolver], ...] = (
    (_ISO, _resolve_iso),
    (_END_OF, _resolve_end_of),
    (_MONTH_DAY, _resolve_month_day),
    (_DAY_MONTH, _resolve_month_day),
    (_DAY_OF_MONTH, _resolve_month_day),
    (_QUARTER, _resolve_quarter),
    (_MONTH_YEAR, _resolve_month_year),
    (_MONTH_REL_YEAR, _resolve_month_rel_year),
    (_REL_MONTH, _resolve_rel_month),
    (_REL_WEEKDAY, _resolve_rel_weekday),
    (_REL_UNIT, _resolve_rel_unit),
    (_PART_MONTH, _resolve_month_alone),
    (_MONTH_ALONE, _resolve_month_alone),
    (_WEEKDAY_ALONE, _resolve_weekday),
    (_BARE_YEAR, _resolve_bare_year),
    (_TODAY, _resolve_today),
)


def _is_yearless_since(sentence: str, m: re.Match[str]) -> bool:
    """'since July' (no year) cannot lie after publication."""
    return bool(_SINCE.search(sentence[:m.start()])) and not re.search(r"\d{4}", m.group(0))


def find_dates(sentence: str, published: dt.date) -> list[tuple[int, int, dt.date]]:
    """Return ``(start, end, date)`` for each date phrase in ``sentence``, in text order.

    ``start``/``end`` are character offsets of the phrase in ``sentence``; ``date`` is
    resolved against ``published`` (see the module docstring for the rules).
    """
    found: list[tuple[int, int, dt.date]] = []
    taken: list[tuple[int, int]] = []
    for pattern, resolve in _PATTERNS:
        for m in pattern.finditer(sentence):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            date = resolve(m, published)
            if date and date > published and _is_yearless_since(sentence, m):
                date = _safe_date(date.year - 1, date.month, date.day)
            if date is not None:
                found.append((m.start(), m.end(), date))
                taken.append((m.start(), m.end()))
    return sorted(found)


def resolve_date(phrase: str, published: dt.date) -> dt.date | None:
    """Return the date the first date phrase of ``phrase`` stands for, or None.

    >>> resolve_date("Jan. 1", dt.date(2024, 10, 31))
    datetime.date(2025, 1, 1)
    """
    dates = find_dates(phrase, published)
    return dates[0][2] if dates else None
