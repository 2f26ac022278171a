"""Partnerships stated in an article's sentences.

Each sentence (the title first) is *masked*: every company mention (registry names and
references resolved by ``transforms.mentions``) becomes a slot token ``§A``, ``§B``, ...
Clauses of the masked sentence that contain a partnership trigger (joint venture,
licence, supply, stake, merger, partnership, talks, ...) yield a candidate fact whose
parties are the companies of the clause; status comes from cue words (ended, denied,
reported, negotiating, else agreed). Candidates are then merged to one fact per set of
parties and article.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from transforms import _partnership_patterns as pat
from transforms.mentions import org_mentions, resolve_company_mentions
from transforms.registry import Mention, Registry

USE_NER = True  # unknown organisations (spaCy ORG) can be parties
_FORM_RANK = ("merger", "joint_venture", "investment", "licensing", "supply", "collaboration")


@dataclass(frozen=True)
class _Slot:
    """Companies one span of a sentence stands for."""

    start: int
    end: int
    names: tuple[str, ...]


@dataclass(frozen=True)
class _Candidate:
    """One partnership statement of one sentence."""

    parties: frozenset[str]
    form: str
    status: str
    evidence: str
    index: int  # sentence index, 0 = title when there is one


def extract_partnerships(sentences: list[str], title: str, published: dt.date, registry: Registry) -> list[dict]:
    """Return partnership fact mentions (keys as in transforms.facts.FACT_KEYS).

    ``sentences`` are the body sentences, ``title`` is read as one more sentence (the
    first). One fact per set of parties: parties sorted canonical company names (registry
    companies, or spaCy ORG names the registry does not know; never outlets or places),
    form the most specific one stated, status the one of the title or lead sentence when
    they state the partnership, else the last ended, denied or agreed statement, else the
    first. ``evidence`` is the whole sentence (or the title) of the chosen statement.
    ``published`` is unused for now (statements carry no dates yet).
    """
    texts = ([title] if title else []) + list(sentences)
    mentions = resolve_company_mentions(texts, "", registry)
    main = _main_company(mentions)
    candidates: list[_Candidate] = []
    for index, (text, found) in enumerate(zip(texts, mentions, strict=True)):
        found = found + _unknown_organisations(text, found, registry)
        found_here = _sentence_candidates(text, found, index, registry, candidates, main)
        candidates += [_inherit_form(c, candidates) for c in found_here]
    candidates = [c for c in candidates if not _owner_and_own_brand(c, registry)]
    groups = [g for g in _group_by_parties(candidates) if _is_stated(g)]
    return [_to_fact(group) for group in groups]


def _owner_and_own_brand(candidate: _Candidate, registry: Registry) -> bool:
    """True when a cooperation links a company with its own brand or unit (Toyota and
    Lexus): one group, no partnership. Stakes and ventures between them stay facts."""
    if candidate.form in ("investment", "joint_venture", "merger") or len(candidate.parties) != 2:
        return False
    first, second = sorted(candidate.parties)
    return first in registry.parents_of(second) or second in registry.parents_of(first)


def _is_stated(group: list[_Candidate]) -> bool:
    """A partnership stated only by denials is a fact only when reports were denied."""
    if any(c.status != "denied" for c in group):
        return True
    return any(pat.REPORT_WORDS.search(c.evidence) for c in group)


def _unknown_organisations(text: str, found: list[Mention], registry: Registry) -> list[Mention]:
    """spaCy ORG entities, only for sentences with a trigger and fewer than two companies."""
    if not USE_NER or len({m.canonical for m in found}) >= 2 or not found:
        return []
    if not any(regex.search(text) for _, regex in pat.RAW_TRIGGERS):
        return []
    return org_mentions(text, registry, found)


def _main_company(mentions: list[list[Mention]]) -> str | None:
    """The company the article is about: the first one of the first sentence naming one."""
    for found in mentions:
        if found:
            return min(found, key=lambda m: m.start).canonical
    return None


def _inherit_form(candidate: _Candidate, earlier: list[_Candidate]) -> _Candidate:
    """A generic statement ("a separate agreement") takes the form of the deal it extends."""
    if candidate.form != "collaboration":
        return candidate
    for before in reversed(earlier):
        if before.parties < candidate.parties and before.form != "collaboration":
            return replace(candidate, form=before.form)
    return candidate


def _sentence_candidates(
    text: str,
    found: list[Mention],
    index: int,
    registry: Registry,
    earlier: list[_Candidate],
    main: str | None,
) -> list[_Candidate]:
    """Candidate facts of one sentence."""
    slots = _slots(text, found, registry)
    if not slots:
        return []
    masked = _mask(text, slots)
    candidates, masked = _shareholder_candidates(masked, slots, text, index)
    candidates += _main_company_candidates(masked, slots, text, index, main)
    clauses = _clauses(masked)
    for number, clause in enumerate(clauses):
        joined = _joined_talks(clause, slots, text, index, earlier + candidates)
        if joined is not None:
            candidates.append(joined)
            continue
        found_here = _clause_candidates(clause, masked, slots, text, index, registry)
        candidates += [_ended_later(c, clauses[number + 1 :], slots) for c in found_here]
    return [_with_sentence_form(c, masked) for c in candidates]


def _ended_later(candidate: _Candidate, later: list[str], slots: list[_Slot]) -> _Candidate:
    """ "X held talks with Y, but the two ended them": a later clause ends the same deal."""
    if candidate.status == "ended":
        return candidate
    for clause in later:
        names = set(_slot_names(clause, slots))
        if pat.ENDED_ANY.search(clause) and (not names or names == set(candidate.parties)):
            return replace(candidate, status="ended")
    return candidate


def _with_sentence_form(candidate: _Candidate, masked: str) -> _Candidate:
    """Talks (reported, denied, ended) take the specific form their sentence names."""
    form, trigger = _form_of(masked)
    if candidate.form != "collaboration" or candidate.status == "agreed" or trigger is None:
        return candidate
    return replace(candidate, form=form)


def _slots(text: str, found: list[Mention], registry: Registry) -> list[_Slot]:
    """Mentions grouped by span; joint ventures stand for their parents when known.

    A company named only as the modifier of a site or product ("a former Nissan plant",
    "Xpeng shares") is no slot.
    """
    spans: dict[tuple[int, int], list[str]] = {}
    named = {m.canonical for m in found}
    for mention in found:
        if len(named & set(registry.parents_of(mention.canonical))) >= 2:
            continue  # "Renault and Geely launched Horse, their venture": parents named
        if pat.MODIFIER_USE.match(text, mention.end) or pat.FORMER.search(text[: mention.start]):
            continue
        if pat.UNIT_MODIFIER.match(text, mention.end) and named & set(registry.parents_of(mention.canonical)):
            continue
        if pat.UNIT_OF.search(text[: mention.start]) and _owns_named_unit(mention.canonical, named, registry):
            continue
        names = spans.setdefault((mention.start, mention.end), [])
        for name in _parents_or_self(mention.canonical, registry):
            if name not in names:
                names.append(name)
    return [_Slot(s, e, tuple(n)) for (s, e), n in sorted(spans.items())][:26]


def _owns_named_unit(owner: str, named: set[str], registry: Registry) -> bool:
    """True when a company named in the sentence is a unit of ``owner``."""
    return any(owner in registry.parents_of(name) for name in named if name != owner)


def _parents_or_self(name: str, registry: Registry) -> tuple[str, ...]:
    """A joint venture's parent companies, or the company itself."""
    company = registry.company(name)
    if company is not None and company.kind == "joint_venture":
        parents = registry.parents_of(name)
        if parents:
            return tuple(parents)
    return (name,)


def _mask(text: str, slots: list[_Slot]) -> str:
    """``text`` with each slot span replaced by a ``§A``-style token."""
    out, cursor = [], 0
    for number, slot in enumerate(slots):
        if slot.start < cursor:
            continue
        token = "§" + chr(ord("A") + number)
        if text[slot.start : slot.start + 7].lower() == "neither":
            token = "neither " + token  # keep the negation of "Neither company ..."
        out += [text[cursor : slot.start], token]
        cursor = slot.end
    out.append(text[cursor:])
    return "".join(out)


def _slot_names(fragment: str, slots: list[_Slot]) -> list[str]:
    """Distinct company names of the slot tokens in a masked fragment, in order."""
    names: list[str] = []
    for token in pat.SLOT_TOKEN.findall(fragment):
        for name in slots[ord(token[1]) - ord("A")].names:
            if name not in names:
                names.append(name)
    return names


def _shareholder_candidates(masked: str, slots: list[_Slot], text: str, index: int) -> tuple[list[_Candidate], str]:
    """ "Y, in which X is the largest shareholder" / "X, Y's largest shareholder" facts.

    Returns the facts and the masked sentence with the matched phrases blanked out, so
    the clause rules do not read them again.
    """
    candidates: list[_Candidate] = []
    for regex in (pat.IN_WHICH_SHAREHOLDER, pat.APPOSITIVE_SHAREHOLDER):
        for match in regex.finditer(masked):
            parties = frozenset(_slot_names(match.group("s") + match.group("o"), slots))
            if len(parties) >= 2:
                candidates.append(_Candidate(parties, "investment", "agreed", text, index))
                keep = match.group("o") if regex is pat.IN_WHICH_SHAREHOLDER else match.group("s")
                blank_from = match.start() + len(keep)
                masked = masked[:blank_from] + " " * (match.end() - blank_from) + masked[match.end() :]
    return candidates, masked


def _clauses(masked: str) -> list[str]:
    """Clauses of a masked sentence; a relative clause starts with its antecedent slot."""
    pieces, start = [], 0
    for match in pat.CLAUSE_BREAK.finditer(masked):
        pieces.append(masked[start : match.start()])
        start = match.end()
    pieces.append(masked[start:])
    clauses: list[str] = []
    for piece in pieces:
        antecedent = pat.TRAILING_GROUP.search(clauses[-1]) if clauses else None
        if antecedent and pat.RELATIVE.match(piece):
            relative, _, rest = piece.partition(", ")
            clauses[-1] += " " + rest  # "§A, which ..., agreed": the main clause goes on
            piece = f"{antecedent.group(1)} {relative}"
        if piece.strip():
            clauses.append(piece)
    return clauses


def _main_company_candidates(
    masked: str, slots: list[_Slot], text: str, index: int, main: str | None
) -> list[_Candidate]:
    """Deals whose other party is the article's main company, left unnamed in the sentence."""
    found = _from_partner_candidates(masked, slots, text, index, main)
    found += _in_which_it_candidates(masked, slots, text, index, main)
    return found + _venture_with_candidates(masked, slots, text, index, main)


def _in_which_it_candidates(
    masked: str, slots: list[_Slot], text: str, index: int, main: str | None
) -> list[_Candidate]:
    """ "§A said §B, the carmaker in which it owns a fifth, ...": the sentence's subject
    (else the main company) holds a stake in §B."""
    candidates = []
    for match in pat.IN_WHICH_IT.finditer(masked):
        names = _slot_names(match.group("o"), slots)
        subject = [n for n in _slot_names(masked[: match.start()], slots) if n not in names][:1]
        owner = subject[0] if subject else main
        if owner is not None and names and owner not in names:
            candidates.append(_Candidate(frozenset((owner, *names)), "investment", "agreed", text, index))
    return candidates


def _venture_with_candidates(
    masked: str, slots: list[_Slot], text: str, index: int, main: str | None
) -> list[_Candidate]:
    """ "cells will come from a joint venture with §X" naming no other company."""
    match = pat.VENTURE_WITH.search(masked)
    names = _slot_names(masked, slots)
    if match is None or main is None or len(names) != 1 or main in names:
        return []
    if pat.NEGATION.search(masked[: match.start()]) or pat.MODAL.search(masked):
        return []
    form = "joint_venture" if "venture" in match.group(0).lower() else "collaboration"
    return [_Candidate(frozenset((main, names[0])), form, "agreed", text, index)]


def _from_partner_candidates(
    masked: str, slots: list[_Slot], text: str, index: int, main: str | None
) -> list[_Candidate]:
    """ "technology licensed from §X" with no other company: the main company is licensee."""
    match = pat.FROM_PARTNER.search(masked)
    names = _slot_names(masked, slots)
    if match is None or main is None or len(names) != 1 or main in names:
        return []
    form = "licensing" if "licen" in match.group(0).lower() else "supply"
    if pat.NEGATION.search(masked[: match.start()]) or pat.MODAL.search(masked):
        return []
    return [_Candidate(frozenset((main, names[0])), form, "agreed", text, index)]


def _joined_talks(
    clause: str, slots: list[_Slot], text: str, index: int, earlier: list[_Candidate]
) -> _Candidate | None:
    """ "X joined the talks": X plus the parties of the latest talks before."""
    match = pat.JOINED_TALKS.search(clause.strip())
    talks = [c for c in earlier if c.status in ("negotiating", "reported")]
    if match is None or not talks:
        return None
    newcomer = _slot_names(match.group("s"), slots)
    parties = talks[-1].parties | frozenset(newcomer)
    if len(parties) <= len(talks[-1].parties):
        return None
    return _Candidate(parties, talks[-1].form, talks[-1].status, text, index)


def _clause_candidates(
    clause: str, masked: str, slots: list[_Slot], text: str, index: int, registry: Registry
) -> list[_Candidate]:
    """Candidate facts of one clause with a trigger and two or more companies."""
    form, trigger = _form_of(clause)
    if trigger is None:
        return []
    names = _slot_names(clause, slots)
    if len(names) == 1 and (pat.IT_SUBJECT.search(clause[: trigger.end()]) or pat.VERB_START.match(clause)):
        subject = _slot_names(masked, slots)[:1]  # "..., and that it was in talks with §B"
        names = subject + [n for n in names if n not in subject]
    if len(names) < 2:
        return []
    status = _status_of(clause, masked, trigger, registry)
    if status is None:
        return []
    if (pat.PLURAL_TRIGGER.search(clause) and len(names) > 2) or _one_with_each(clause, trigger, form, slots):
        return [_Candidate(frozenset((names[0], n)), form, status, text, index) for n in names[1:]]
    return [_Candidate(frozenset(names), form, status, text, index)]


def _one_with_each(clause: str, trigger: re.Match[str], form: str, slots: list[_Slot]) -> bool:
    """True when one company deals with each of a list ("buys cells from §B, §C and §D")."""
    if form not in pat.BILATERAL_FORMS:
        return False
    return len(_slot_names(clause[: trigger.start()], slots)) == 1 and len(
        _slot_names(clause[trigger.start() :], slots)
    ) >= 2


def _form_of(clause: str) -> tuple[str, re.Match[str] | None]:
    """The most specific partnership form a clause states, with its trigger match."""
    for form, regex in pat.FORM_TRIGGERS:
        match = regex.search(clause)
        if match is not None:
            return form, match
    return "collaboration", None


def _status_of(clause: str, masked: str, trigger: re.Match[str], registry: Registry) -> str | None:
    """Status from cue words; None when the clause is hypothetical or negated.

    A reporting cue counts in the clause itself or in a clause of the sentence that
    names no company (", the Nikkei reported", "according to people familiar ...").
    """
    if pat.ENDED.search(clause):
        return "ended"
    if pat.DENIED.search(clause):
        return "denied"
    reported = any(
        pat.REPORTED.search(part) is not None or bool(registry.outlets_in(part))
        for part in [clause] + [c for c in _clauses(masked) if not pat.SLOT_TOKEN.search(c)]
    )
    talks = pat.NEGOTIATING.search(clause) is not None
    before = clause[: trigger.end()]
    if pat.NEGATION.search(before) or pat.MODAL.search(before):
        return None
    conditional = pat.CONDITIONAL.search(pat.REPORTED_FUTURE.sub(" ", clause))
    if (pat.HYPOTHETICAL.search(before) or conditional) and not (talks or reported):
        return None
    if reported:
        return "reported"
    return "negotiating" if talks else "agreed"


def _group_by_parties(candidates: list[_Candidate]) -> list[list[_Candidate]]:
    """Candidates grouped by their set of parties, in order of first statement."""
    groups: dict[frozenset[str], list[_Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.parties, []).append(candidate)
    return list(groups.values())


def _chosen_statement(group: list[_Candidate]) -> _Candidate:
    """The statement whose status the fact takes: title or lead, else the last ended,
    denied or agreed one, else the first (news states the main line first)."""
    lead = [c for c in group if c.index <= 1]
    if lead:
        return lead[0]
    for status in ("ended", "denied", "agreed"):
        stated = [c for c in group if c.status == status]
        if stated:
            return stated[-1]
    return group[0]


def _to_fact(group: list[_Candidate]) -> dict:
    """One fact dict from all statements of one set of parties."""
    chosen = _chosen_statement(group)
    # A running deal takes its form from statements of the deal, not from denied rumours.
    stated = [c for c in group if c.status == "agreed"] if chosen.status == "agreed" else group
    form = min((c.form for c in stated), key=_FORM_RANK.index)
    return {
        "fact_type": "partnership",
        "parties": sorted(chosen.parties),
        "form": form,
        "status": chosen.status,
        "evidence": chosen.evidence,
        "valid_from": None,
    }
