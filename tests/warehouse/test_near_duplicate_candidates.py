"""The warehouse's LSH band join finds every stored story the in-memory index would match.

``find_near_duplicates`` against only the candidates the join returns must give the same
answer as against every stored story: the join is a pre-filter, not a second rule.
"""

from __future__ import annotations

import random

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.dedupe import Story, find_near_duplicates, lsh_bands, minhash_signature
from warehouse.db import near_duplicate_candidates

WORDS = [f"w{i}" for i in range(400)]


def _text(rng: random.Random, n: int = 120) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _edited(text: str, rng: random.Random, share: float) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = rng.choice(WORDS)
    return " ".join(words)


def _stored(stories: list[Story]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    con.execute("CREATE TABLE core.articles (url VARCHAR, published_at TIMESTAMPTZ, text_minhash UBIGINT[], "
                "title VARCHAR)")
    con.executemany("INSERT INTO core.articles VALUES (?, NULL, ?, ?)",
                    [[s.url, list(s.signature), s.title] for s in stories])
    return con


def _candidates(con: duckdb.DuckDBPyConnection, new: list[Story], exclude: list[str] = ()) -> list[Story]:
    bands, rows = lsh_bands()
    found = near_duplicate_candidates(con, [s.signature for s in new], bands, rows, list(exclude))
    return [Story(url, published, tuple(signature), title=title) for url, published, signature, title in found]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), edits=st.lists(st.floats(0.0, 0.6), min_size=1, max_size=6))
def test_candidates_give_the_same_duplicates_as_every_stored_story(seed: int, edits: list[float]) -> None:
    rng = random.Random(seed)
    originals = [_text(rng) for _ in range(8)]
    stored = [Story(f"https://a.example/{i}", None, tuple(minhash_signature(t)), title=str(i))
              for i, t in enumerate(originals)]
    new = [Story(f"https://b.example/{i}", None, tuple(minhash_signature(_edited(rng.choice(originals), rng, e))))
           for i, e in enumerate(edits)]
    con = _stored(stored)
    candidates = _candidates(con, new)
    assert {s.url for s in candidates} <= {s.url for s in stored}
    assert find_near_duplicates(new, candidates) == find_near_duplicates(new, stored)


def test_an_unrelated_story_has_no_candidates_and_exclude_is_honoured() -> None:
    rng = random.Random(7)
    text = _text(rng)
    stored = [Story("https://a.example/1", None, tuple(minhash_signature(text)), title="one")]
    con = _stored(stored)
    copy = Story("https://b.example/1", None, tuple(minhash_signature(text)))
    unrelated = Story("https://b.example/2", None, tuple(minhash_signature(_text(random.Random(8)))))
    assert [s.url for s in _candidates(con, [copy])] == ["https://a.example/1"]
    assert _candidates(con, [unrelated]) == []
    assert _candidates(con, [copy], exclude=["https://a.example/1"]) == []


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.9])
def test_bands_times_rows_cover_the_signature(threshold: float) -> None:
    bands, rows = lsh_bands(threshold)
    assert bands * rows <= len(minhash_signature("a b c d e f"))


def test_an_edited_article_replaces_its_stored_version_instead_of_clashing_with_it() -> None:
    rng = random.Random(11)
    text = _text(rng)
    stored = [Story("https://a.example/1", None, tuple(minhash_signature(text)), title="one"),
              Story("https://a.example/2", None, tuple(minhash_signature(_text(rng))), title="two")]
    edited = Story("https://a.example/1", None, tuple(minhash_signature(_edited(text, rng, 0.5))))
    copy_of_two = Story("https://b.example/2", None, stored[1].signature)
    assert find_near_duplicates([edited, copy_of_two], stored) == {"https://b.example/2": "https://a.example/2"}
