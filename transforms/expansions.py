"""Expansions stated in an article's sentences.

An expansion is a named company entering, growing, building, pausing or leaving a market
(see the gold corpus README). The rules work clause by clause: a clause needs a place
tied to it by a locative word ("in Hungary", "Thai factory", "the Mexico gigafactory"), a
production or sales trigger, and an actor company; hedged, negated or origin-only
mentions are skipped because precision matters more than recall.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from transforms._expansion_actors import antecedent, pick_actors
from transforms._expansion_clauses import Clause, form_near, is_hedged, split_clauses, status_of
from transforms._expansion_lexicon import (
    CANCELLED_RE,
    FOLLOW_RE,
    HOME_GROWTH_RE,
    MACRO_REGIONS,
    MARKET_LIST_RE,
    PLANNED_RE,
    REGION_ANAPHOR_RE,
    THERE_RE,
)
from transforms._expansion_places import Place, drop_covered_regions, find_places
from transforms.mentions import company_mentions, resolve_company_mentions
from transforms.registry import Mention, Registry

_WHERE_RE = re.compile(r",\s+where\s+")
_MADE_IN_RE = re.compile(r"\b(?:built|made|produced|assembled|manufactured)\s+in\s+(?:the\s+)?$")


@dataclass
class _Context:
    """What a sentence hands on to the next: its places, its facts, the last region."""

    places: list[str]
    facts: list[dict]
    region: str | None = None


def extract_expansions(
    sentences: list[str], title: str, published: dt.date, registry: Registry
) -> list[dict]:
    """Return expansion fact mentions (keys as in transforms.facts.FACT_KEYS).

    Each fact has ``company`` (canonical), ``region`` (a country or macro-region of the
    corpus vocabulary), ``form`` ('sales' | 'production'), ``status`` ('planned' |
    'active' | 'cancelled') and ``evidence`` (the whole sentence, or the title). The title
    is read as a sentence of its own; ``published`` is not used yet (valid_from is None).
    """
    units = [title, *sentences] if title else list(sentences)
    mentions = _company_mentions(sentences, title, registry)
    facts: list[dict] = []
    context = _Context([], [])
    for index, (unit, companies) in enumerate(zip(units, mentions, strict=True)):
        found = _facts_in_sentence(unit, companies, registry, context)
        facts += found
        if index == 0 and title:
            continue  # the title is no antecedent for the first body sentence
        places = find_places(unit, registry)
        regions = [p.name for p in places if p.name in MACRO_REGIONS]
        context = _Context(
            [p.name for p in places if p.linked], found, (regions or [context.region])[-1]
        )
    return _dedupe(facts)


def _company_mentions(
    sentences: list[str], title: str, registry: Registry
) -> list[list[Mention]]:
    """Company mentions per unit (title first), references resolved within the article."""
    resolved = resolve_company_mentions(sentences, title, registry)
    return [company_mentions(title, registry), *resolved] if title else resolved


def _facts_in_sentence(
    sentence: str, companies: list[Mention], registry: Registry, context: _Context
) -> list[dict]:
    """Expansion facts of one sentence."""
    places = find_places(sentence, registry)
    if not companies and context.facts and _continues_previous(sentence):
        return _continued_facts(sentence, places, context)
    facts: list[dict] = []
    actors_before: list[str] = []
    for clause in split_clauses(sentence, companies):
        inside = [m for m in companies if clause.start <= m.start < clause.end]
        where = _WHERE_RE.match(sentence, clause.start)
        if where and not (inside and inside[0].start == where.end()):
            actors = actors_before  # "in Europe, where it will ...": the subject goes on
        elif clause.relative and not where:
            actors = antecedent(sentence, clause.start, companies) or actors_before
        else:
            actors = pick_actors(sentence, inside, registry) or actors_before
        actors_before = actors
        targets = _clause_targets(sentence, clause, places, context)
        facts += _clause_facts(sentence, clause, actors, targets, registry)
    return facts


def _clause_targets(
    sentence: str, clause: Clause, places: list[Place], context: _Context
) -> list[Place]:
    """Places a clause is about; "there" and "those regions" take earlier places."""
    targets = [p for p in places if p.linked and clause.start <= p.start < clause.end]
    if targets:
        return targets + _there_again(sentence, clause, targets)
    if clause.relative and _WHERE_RE.match(sentence, clause.start):
        return [p for p in places if p.end <= clause.start][-1:]
    text = sentence[clause.start:clause.end]
    anaphor = REGION_ANAPHOR_RE.search(text) or THERE_RE.search(text)
    if not anaphor:
        return []
    offset = clause.start + anaphor.start()
    earlier = [p for p in places if p.start < offset]
    if anaphor.group().lower().endswith("the region"):
        earlier = [p for p in earlier if p.name in MACRO_REGIONS][-1:] or [
            Place(name, offset, offset) for name in [context.region] if name
        ]
    if not earlier:
        earlier = [Place(name, offset, offset) for name in context.places]
    earlier = earlier[-1:] if anaphor.re is THERE_RE else earlier
    end = offset + len(anaphor.group())
    return [Place(p.name, offset, end, True, p.bloc) for p in earlier]


def _there_again(sentence: str, clause: Clause, targets: list[Place]) -> list[Place]:
    """ "began selling cars in Indonesia and is building a plant there": "there" is the
    place once more, with the trigger next to it."""
    there = THERE_RE.search(sentence, targets[-1].end, clause.end)
    if there is None:
        return []
    return [Place(targets[-1].name, there.start(), there.end(), True, targets[-1].bloc)]


def _clause_facts(
    sentence: str, clause: Clause, actors: list[str], targets: list[Place],
    registry: Registry,
) -> list[dict]:
    """Facts of one clause: each actor times each target, with form and status."""
    text = sentence[clause.start:clause.end]
    actors = [a for a in actors if getattr(registry.company(a), "kind", None) != "investor"]
    if not actors or not targets or is_hedged(text):
        return []
    facts = []
    for actor in actors:
        by_key: dict[tuple[str, str], list[Place]] = {}
        for place in targets:
            form = form_near(text, place.start - clause.start)
            if form == "sales" and _MADE_IN_RE.search(sentence[max(0, place.start - 30):place.start]):
                continue  # "cars built in China will be exported to ...": the origin
            status = status_of(text, form, clause.relative) if form else None
            if form and status and not (place.bloc and form == "sales") and not (
                _is_home_background(actor, place.name, text, registry)
                or _is_home_sales(actor, place.name, form, registry)
                or _is_local_partner(actor, actors, place.name, registry)
            ):
                by_key.setdefault((form, status), []).append(place)
        for (form, status), kept in by_key.items():
            facts += [
                _fact(actor, name, form, status, sentence)
                for name in drop_covered_regions(sentence, kept, registry, form)
            ]
    return facts


def _is_local_partner(actor: str, actors: list[str], region: str, registry: Registry) -> bool:
    """Tell whether ``actor`` is the home partner of a foreign company entering its market."""
    homes = {name: getattr(registry.company(name), "country", None) for name in actors}
    return homes[actor] == region and any(home != region for home in homes.values())


def _is_home_background(company: str, region: str, clause: str, registry: Registry) -> bool:
    """Tell whether a home-country operation is only background, not news."""
    record = registry.company(company)
    home = getattr(record, "country", None)
    news = HOME_GROWTH_RE.search(clause) or CANCELLED_RE.search(clause)
    return home == region and not news


def _is_home_sales(company: str, region: str, form: str, registry: Registry) -> bool:
    """Tell whether a sales claim is about the company's home market (never an entry)."""
    return form == "sales" and getattr(registry.company(company), "country", None) == region


def _continues_previous(sentence: str) -> bool:
    """Tell whether a sentence lists more markets of the previous sentence's expansion."""
    return bool(MARKET_LIST_RE.search(sentence) or FOLLOW_RE.search(sentence))


def _continued_facts(sentence: str, places: list[Place], context: _Context) -> list[dict]:
    """Facts for places listed as the next markets of the previous sentence's companies."""
    if is_hedged(sentence):
        return []
    status = "planned" if FOLLOW_RE.search(sentence) or PLANNED_RE.search(sentence) else None
    markets = MARKET_LIST_RE.search(sentence)  # markets are where a company sells
    keys = dict.fromkeys(
        (f["company"], f["form"], f["status"])
        for f in context.facts
        if not markets or f["form"] == "sales"
    )
    return [
        _fact(company, place.name, form, status or previous, sentence)
        for company, form, previous in keys
        for place in places
    ]


def _fact(company: str, region: str, form: str, status: str, evidence: str) -> dict:
    """One expansion fact dict."""
    return {
        "fact_type": "expansion", "company": company, "region": region, "form": form,
        "status": status, "evidence": evidence, "valid_from": None,
    }


def _dedupe(facts: list[dict]) -> list[dict]:
    """Keep the first fact of each (company, region, form)."""
    seen: dict[tuple, dict] = {}
    for fact in facts:
        seen.setdefault((fact["company"], fact["region"], fact["form"]), fact)
    return list(seen.values())
