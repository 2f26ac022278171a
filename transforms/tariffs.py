"""Tariffs stated in an article's sentences.

A tariff fact is a rate (a percentage tied to a duty, surtax or levy) with the country or
bloc that levies it (``imposer``) and the origin it hits (``target``; None when the duty
applies to all imports). Sentences are read in order, title first; a sentence that gives a
rate without naming the imposer or the origin ("Geely 18.8% and BYD 17%", "The rate on
semiconductors doubles to 50%") takes them from the article's most recent tariff sentence
(or from a country that opens a sentence as its subject: "Washington went furthest.").
A duty stated without a rate ("Tariffs on Chinese vehicle imports remain in place") is a
fact with ``rate_pct`` None, kept only when the article gives no rate for that pair.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from transforms._tariff_places import (
    IMPOSER,
    TARGET,
    PlaceRole,
    explicit_target,
    find_coreferent_roles,
    find_last_place,
    find_place_roles,
    find_subject,
    pick_imposer,
    pick_location,
    pick_target,
)
from transforms._tariff_rates import (
    IN_EFFECT,
    LIFTED,
    PROPOSED,
    TARIFF_NOUN,
    RateMention,
    find_effective,
    find_rates,
    is_generic_origin,
    is_hypothetical,
    is_tariff_rate,
    judge_status,
    right_clause,
    speaks_of_imports,
)
from transforms.normalise import product_category
from transforms.registry import Mention, Registry

_CONTEXT_SENTENCES = 2  # how far back a tariff sentence lends its context
_RATE_CONTEXT_SENTENCES = 4  # ... to a sentence that speaks of "the rate" (quotes between)
_THE_RATE = re.compile(r"\b(?:the|its|that)\s+(?:(?:new|next|higher|top|full)\s+)?rate\b")
_ANY_PERCENT = re.compile(r"\d(?:\s?%|[\s-]?(?:percent|per[\s-]cent|pc)\b)")
_IN_FORCE = re.compile(
    r"\b(?:(?:remain(?:s|ed)?|stay(?:s|ed)?|still|are|is|were|was)\s+in\s+(?:place|force)"
    r"|(?:took|take|takes|taken)\s+effect|(?:came|come|comes|entered|enters?)\s+into\s+force"
    r"|in\s+(?:place|force)\s+since)\b",
    re.IGNORECASE,
)
_IMPORT_DUTY = re.compile(r"\bimport\s+(?:dut(?:y|ies)|tariffs?|tax(?:es)?)\b", re.IGNORECASE)
_UNRATED_HEDGE = re.compile(r"\b(?:[Ii]f|could|might|may|would|consider\w*|possibl[ey])\b")
_PRODUCT = re.compile(
    r"(?:%|\b(?i:tariffs?|dut(?:y|ies)|surtax(?:es)?|levy|levies|rates?|charges|imposes"
    r"|applies))\s+(?:\w+\s+)?on\s+(?:the\s+|all\s+|every\s+)?"
    r"(?!(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\b"
    r"|\d|top\b|average\b|producers\b|manufacturers\b|companies\b|exporters\b"
    r"|(?:the\s+)?(?:same\b|(?:(?:that|this)\s+)?(?:day|date|week|month|year|time)\b))"  # "on the same day"
    r"(?P<p>[\w -]{3,60}?)"
    r"(?=\s+(?:(?:made|built|imported|produced)\s+(?:in|by|from|outside)|from|in|that|which|took|will|would|has|have|had|is|are"
    r"|was|were|starting|since|on|by|to|and\s+(?:a|an|the|\d)|range|ranging|rise|rises|rose"
    r"|face|faces|remain|remains|take|takes|enter|enters|entered|come|comes|came|for|doubles?|triples?"
    r"|quadruples?|starts?|moves?|climbs?|reach(?:es)?|appl(?:y|ies)|stays?|under|it|they)\b"
    r"|[,;.:()]|$)"
)
# Goods named anywhere in a sentence, the fallback for a rate without "on <goods>".
_GOODS = re.compile(
    r"\b(?:battery[- ]electric\s+(?:vehicles|cars)|electric\s+(?:vehicles|cars|SUVs?|trucks"
    r"|buses)|plug-in\s+hybrids|EVs|e-bikes|lithium-ion\s+batteries|batteries"
    r"|semiconductors|chips|solar\s+(?:cells|panels)|steel(?:\s+and\s+aluminum)?|aluminum"
    r"|critical\s+minerals|(?:passenger\s+)?cars|vehicles|trucks|auto\s+parts)\b"
)
_TRAILING = re.compile(r"\s+(?:and|or|of|the|a)$")
_ORIGIN_WORDS = re.compile(
    r"^(?:[A-Z][a-z]+(?:[-‑–](?:made|built|produced))?(?:,|\s+and|\s+or)?\s+)+"
)


@dataclass
class _Context:
    """What the article has said about tariffs so far."""

    imposer: str | None = None
    target: str | None = None
    last_tariff: int = -100  # index of the last sentence that spoke of a duty
    effective: dt.date | None = None  # effective date of the latest dated fact
    last_place: str | None = None  # the country or bloc named last ("the country")
    products: dict[tuple, str] = field(default_factory=dict)  # goods by (imposer, target)
    rates: dict[float, list[dict]] = field(default_factory=dict)  # earlier facts by rate


def extract_tariffs(
    sentences: list[str], title: str, published: dt.date, registry: Registry
) -> list[dict]:
    """Return tariff fact mentions (keys as in transforms.facts.FACT_KEYS).

    ``imposer``/``target`` are canonical country or bloc names from ``registry``;
    ``rate_pct`` is a float or None; ``status`` is proposed | in_effect | lifted;
    ``effective_date`` is resolved against ``published``; ``evidence`` is the whole
    sentence (or the title) that states the fact.
    """
    context = _Context()
    title_facts = _read_sentence(title, 0, context, published, registry) if title else []
    facts: list[dict] = []
    for index, sentence in enumerate(sentences, start=1):
        if sentence.strip():
            facts += _read_sentence(sentence, index, context, published, registry)
    title_facts = [
        f for f in title_facts if not (_rounds_a_body_rate(f, facts) or _vaguer_than_body(f, facts))
    ]
    return _merge(facts + title_facts)  # the body's wording of a fact wins over the title's


def _vaguer_than_body(title_fact: dict, body_facts: list[dict]) -> bool:
    """True when a headline rate with no origin is a body rate that names one
    ("15% US tariff deal" for "South Korean cars will face a 15% tariff")."""
    return title_fact["target"] is None and any(
        f["imposer"] == title_fact["imposer"]
        and f["rate_pct"] == title_fact["rate_pct"]
        and f["target"] is not None
        for f in body_facts
    )


def _rounds_a_body_rate(title_fact: dict, body_facts: list[dict]) -> bool:
    """True when a headline rate is a rounded body rate ("up to 35%" for 35.3%)."""
    rate = title_fact["rate_pct"]
    return rate is not None and any(
        (f["imposer"], f["target"]) == (title_fact["imposer"], title_fact["target"])
        and f["rate_pct"] is not None
        and 0 < abs(f["rate_pct"] - rate) < 1
        for f in body_facts
    )


def _read_sentence(
    sentence: str, index: int, context: _Context, published: dt.date, registry: Registry
) -> list[dict]:
    """Return the tariff facts of one sentence and update the article context."""
    roles = find_place_roles(sentence, registry)
    roles = sorted(
        roles + find_coreferent_roles(sentence, context.last_place), key=lambda r: r.start
    )
    speaks_of_duty = bool(TARIFF_NOUN.search(sentence))
    reach = _RATE_CONTEXT_SENTENCES if _THE_RATE.search(sentence) else _CONTEXT_SENTENCES
    in_context = index - context.last_tariff <= reach
    companies = registry.companies_in(sentence)
    facts: list[dict] = []
    listed = False  # the previous percentage was a rate: "Geely pays 19.3%, BYD 17%"
    names_origin = any(r.role == TARGET for r in roles)
    for rate in find_rates(sentence):
        listed = is_tariff_rate(rate, sentence, in_context, listed, names_origin)
        if listed and not is_hypothetical(rate, sentence):
            fact = _rated_fact(rate, sentence, roles, companies, context, published, in_context)
            if fact is not None:
                facts.append(_with_product(fact, rate, sentence, facts, context))
    if not facts and speaks_of_duty and not _ANY_PERCENT.search(sentence):
        fact = _unrated_fact(sentence, roles, context)
        facts += [fact] if fact else []
    _update_context(context, sentence, index, roles, facts, speaks_of_duty)
    return facts


def _with_product(
    fact: dict, rate: RateMention, sentence: str, before: list[dict], context: _Context
) -> dict:
    """Fill in the goods of a rate that names none: those of the rate before it in the
    sentence ("rises from 7.5% to 25%"), else the article's last goods for the same
    imposer and origin, else the goods named nearest in the sentence."""
    if fact["product"] is None:
        pair = (fact["imposer"], fact["target"])
        same = [f["product"] for f in before if (f["imposer"], f["target"]) == pair]
        fact["product"] = (
            (same[-1] if same else None)
            or context.products.get(pair)
            or _nearest_goods(sentence, rate.start)
        )
    return fact


def _rated_fact(
    rate: RateMention,
    sentence: str,
    roles: list[PlaceRole],
    companies: list[Mention],
    context: _Context,
    published: dt.date,
    in_context: bool = False,
) -> dict | None:
    """Build the fact of one rate, or None when no imposer can be found.

    A rate in a sentence that names no place, right after a duty on all origins, continues
    that duty ("India cuts the duty to 15%. Cars now pay 70% or 100%").
    """
    generic = is_generic_origin(rate)
    scope = (rate.start - len(rate.clause), rate.end + len(right_clause(rate)))
    named_target = pick_target(roles, rate.start, rate.end, scope)
    if named_target is None and context.target is None and speaks_of_imports(rate):
        generic = True  # "cars imported as built units pay 70%": all origins
    inherited = context.target
    if any(r.canonical == inherited and r.role == IMPOSER for r in roles):
        inherited = None  # "Brazil's import tax ...": Brazil levies, it is no origin
    target = None if generic else named_target or inherited
    imposer = pick_imposer(roles, rate.start, rate.end, target, sentence=sentence)
    if imposer is None:  # "Japan faces the same 25% rate" as stated before
        earlier = [f for f in context.rates.get(rate.value, []) if f["target"] in (None, target)]
        imposer = earlier[-1]["imposer"] if earlier else None
    from_context = imposer is None and named_target is None and not generic
    if imposer is None and context.imposer != target and (target or generic):
        imposer = context.imposer  # not when neither imposer nor origin is named
    if imposer is None and in_context and not roles and context.imposer and context.target is None:
        imposer, from_context = context.imposer, True
    imposer = imposer or pick_location(roles, rate.start, rate.end, target)
    if imposer is None and not roles and target is None and _IMPORT_DUTY.search(rate.phrase):
        imposer = context.last_place  # "reflecting import duties of 70%" in the country named last
    if imposer is None:
        return None
    effective = find_effective(rate, sentence, published)
    if effective is None and from_context:
        effective = context.effective  # "Geely 18.8%" after "... took effect on Wednesday"
    product = _find_product(
        sentence[rate.start:rate.end + len(right_clause(rate))],
        sentence[rate.start - len(rate.clause):rate.end],
    )
    return _fact(
        imposer=imposer,
        target=target,
        rate_pct=rate.value,
        status=judge_status(rate, sentence, effective, published),
        effective_date=effective,
        company=None if generic else _find_company(rate, companies),
        product=product,
        evidence=sentence,
    )


def _unrated_fact(sentence: str, roles: list[PlaceRole], context: _Context) -> dict | None:
    """A duty stated as being in force without a rate, with an origin named in the
    sentence ("Tariffs on Chinese vehicle imports remain in place")."""
    cue = _IN_FORCE.search(sentence)
    if cue is None or _UNRATED_HEDGE.search(sentence):
        return None
    noun = min(TARIFF_NOUN.finditer(sentence), key=lambda n: abs(n.start() - cue.start()))
    target = pick_target(roles, noun.start(), noun.end())
    if target is None:
        return None
    imposer = (
        pick_imposer(roles, noun.start(), noun.end(), target, after=False)
        or context.imposer
        or pick_imposer(roles, noun.start(), noun.end(), target)
        or pick_location(roles, noun.start(), noun.end(), target)
    )
    if imposer is None or imposer == target:
        return None
    status = PROPOSED if re.search(r"\bwill\s+(?:take|enter|come)\b", sentence) else IN_EFFECT
    return _fact(
        imposer=imposer, target=target, rate_pct=None, status=status, effective_date=None,
        company=None, product=_find_product(sentence[noun.start():]), evidence=sentence,
    )


def _fact(**fields: object) -> dict:
    """A tariff fact dict; a rate in effect is valid from its effective date."""
    valid_from = fields["effective_date"] if fields["status"] == IN_EFFECT else None
    return {"fact_type": "tariff", "valid_from": valid_from, **fields}


def _find_company(rate: RateMention, companies: list[Mention]) -> str | None:
    """The company a per-company rate belongs to: "7.8% for Tesla", or the first company
    named close before it, after any earlier rate ("Geely 18.8%", "BYD, which pays 17%")."""
    after = re.match(r"\s*for\s+", rate.right)
    if after:
        for company in companies:
            if company.start == rate.end + after.end():
                return company.canonical
    left_start = rate.start - len(rate.left)
    near = [c for c in companies if left_start <= c.start and rate.start - c.start <= 90]
    return near[0].canonical if near and near[0].end <= rate.start else None


def _find_product(*texts: str) -> str | None:
    """Best-effort goods a duty applies to: the phrase after "tariff on" or "25% on" in
    the first of ``texts`` that has one."""
    for text in texts:
        m = _PRODUCT.search(text)
        if m is not None:
            product = _TRAILING.sub("", _ORIGIN_WORDS.sub("", m.group("p").strip()))
            if product[:1].isupper() and not _GOODS.match(product):
                return None  # a model or brand name ("the Cupra Tavascan")
            return product or None
    return None


def _nearest_goods(sentence: str, position: int) -> str | None:
    """The goods named nearest to ``position`` ("electric cars built in China ..."), or None."""
    goods = list(_GOODS.finditer(sentence))
    if not goods:
        return None
    return min(goods, key=lambda m: abs(m.start() - position)).group(0)


def _update_context(
    context: _Context,
    sentence: str,
    index: int,
    roles: list[PlaceRole],
    facts: list[dict],
    speaks_of_duty: bool,
) -> None:
    """Remember the latest imposer and origin the article spoke of."""
    context.last_place = find_last_place(roles) or context.last_place
    if facts or speaks_of_duty:
        context.last_tariff = index
    target = explicit_target(roles)
    for fact in facts:
        context.rates.setdefault(fact["rate_pct"], []).append(fact)
        if fact["product"]:
            context.products[(fact["imposer"], fact["target"])] = fact["product"]
    if facts:
        last = facts[-1]
        same = (last["imposer"], last["target"]) == (context.imposer, context.target)
        context.effective = last["effective_date"] or (context.effective if same else None)
        context.imposer = last["imposer"]
        context.target = target or last["target"] or context.target
        return
    subject = find_subject(sentence, roles)
    if speaks_of_duty:
        imposers = [r.canonical for r in roles if r.role == IMPOSER and r.canonical != target]
        subject = subject or (imposers[0] if imposers else None)
        context.target = target or context.target
    if subject is not None and subject != context.imposer:
        context.imposer, context.effective = subject, None


def _merge(facts: list[dict]) -> list[dict]:
    """Drop repeated facts (same imposer, target and rate, and no two different companies;
    a later mention may add the company) and rate-less facts for a pair the article also
    gives a rate for."""
    rated_pairs = {(f["imposer"], f["target"]) for f in facts if f["rate_pct"] is not None}
    kept: list[dict] = []
    for fact in facts:
        if fact["rate_pct"] is None and (fact["imposer"], fact["target"]) in rated_pairs:
            continue
        same = next((i for i, k in enumerate(kept) if _same_fact(k, fact)), None)
        if same is None:
            kept.append(fact)
        elif kept[same]["company"] is None and fact["company"] is not None:
            kept[same] = {**kept[same], "company": fact["company"]}
    return kept


def _same_fact(first: dict, second: dict) -> bool:
    """True when two facts state the same rate on the same kind of goods (unless for two
    different companies): 25% on cars and 25% on parts are two duties."""
    keys = ("imposer", "target", "rate_pct")
    if any(first[k] != second[k] for k in keys):
        return False
    categories = {product_category(first.get("product")), product_category(second.get("product"))} - {"goods"}
    if len(categories) > 1:
        return False
    return None in (first["company"], second["company"]) or first["company"] == second["company"]


__all__ = ["extract_tariffs", "IN_EFFECT", "LIFTED", "PROPOSED"]
