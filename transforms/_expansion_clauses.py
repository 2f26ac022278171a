"""Clauses of a sentence and the cue words read in them (see transforms.expansions)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms._expansion_lexicon import (
    ACTIVE_RE,
    AND_COMPANY_RE,
    BACKGROUND_RE,
    CANCELLED_RE,
    CLAUSE_SPLIT_RE,
    HABITUAL_PRODUCTION_RE,
    HYPOTHETICAL_RE,
    NEGATION_RE,
    PLANNED_RE,
    PRODUCTION_RE,
    RELATIVE_RE,
    SALES_RE,
    WEAK_PLANNED_RE,
)
from transforms.registry import Mention

_NO_LONGER_RE = re.compile(r"\bno longer\b", re.IGNORECASE)
# "already sells cars in X" describes a market the company is in, not an entry or growth.
_HABITUAL_SALES_RE = re.compile(r"\balready\s+(?:sells|sell|offers|markets)\b", re.IGNORECASE)
_MAX_TRIGGER_DISTANCE = 90  # characters between a trigger word and the place it governs


@dataclass(frozen=True)
class Clause:
    """A clause at ``start:end`` of a sentence; relative clauses ("which ...") are flagged."""

    start: int
    end: int
    relative: bool


def split_clauses(sentence: str, companies: list[Mention]) -> list[Clause]:
    """Return the clauses of ``sentence`` in text order.

    Cuts at semicolons, "while", "but", "whereas" and ", and" before a company; relative
    clauses opened by ", which/who/whose/where" become clauses of their own.
    """
    cuts = [(m.start(), m.end()) for m in CLAUSE_SPLIT_RE.finditer(sentence)]
    for mention in companies:
        joint = AND_COMPANY_RE.search(sentence[:mention.start])
        if joint:
            cuts.append((joint.start(), mention.start))
    relatives = [(m.start(), m.end()) for m in RELATIVE_RE.finditer(sentence)]
    clauses: list[Clause] = []
    position = 0
    for start, end in sorted(cuts + relatives):
        if start < position:
            continue
        clauses.append(Clause(position, start, False))
        if (start, end) in relatives:
            clauses.append(Clause(start, end, True))
        position = end
    clauses.append(Clause(position, len(sentence), False))
    return [c for c in clauses if c.end > c.start]


def is_hedged(clause: str) -> bool:
    """Tell whether a clause is negated, hypothetical or only background."""
    negated = NEGATION_RE.search(_NO_LONGER_RE.sub("", clause))
    return bool(negated or HYPOTHETICAL_RE.search(clause) or BACKGROUND_RE.search(clause))


def form_near(clause: str, offset: int) -> str | None:
    """The form ('production' | 'sales') of the trigger nearest ``offset`` in a clause."""
    best: tuple[int, str] | None = None
    for form, pattern in (("production", PRODUCTION_RE), ("sales", SALES_RE)):
        for match in pattern.finditer(clause):
            distance = abs(match.start() - offset)
            if distance > _MAX_TRIGGER_DISTANCE:
                continue
            if best is None or distance < best[0]:
                best = (distance, form)
    return best[1] if best else None


def status_of(clause: str, form: str, relative: bool = False) -> str | None:
    """planned | active | cancelled from the cue words of a clause (None: no cue).

    A habitual verb ("assembles") makes production active, except in a relative clause
    that only describes a company ("Toyota, which builds batteries in Kentucky, said");
    sales always need a cue of change.
    """
    if CANCELLED_RE.search(clause) or _NO_LONGER_RE.search(clause):
        return "cancelled"
    if PLANNED_RE.search(clause):
        return "planned"
    if ACTIVE_RE.search(_HABITUAL_SALES_RE.sub(" ", clause) if form == "sales" else clause):
        return "active"
    if WEAK_PLANNED_RE.search(clause):
        return "planned"
    if form == "production" and not relative and HABITUAL_PRODUCTION_RE.search(clause):
        return "active"
    return None
