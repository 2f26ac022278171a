"""Near-duplicate stories: MinHash signatures of word shingles, matched with LSH (datasketch).

A syndicated copy with a changed headline or an edited paragraph keeps most of its
5-word shingles, so its estimated Jaccard similarity to the original stays high.

datasketch is imported where it is used: importing it imports scipy (about 2 s), which a
run with nothing new to extract (the nightly re-run of an unchanged site) never needs.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 64
SHINGLE_WORDS = 5
THRESHOLD = 0.7
SCHEME = "affine64"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Story:
    """An article as the near-duplicate check sees it."""

    url: str
    published_at: dt.datetime | None
    signature: tuple[int, ...]
    points_elsewhere: bool = False   # its rel=canonical names another URL: it says it is a copy
    title: str = ""


def minhash_signature(text: str) -> list[int]:
    """NUM_PERM unsigned 64-bit MinHash values of the text's lower-cased 5-word shingles."""
    from datasketch import MinHash

    words = _WORD.findall(text.lower())
    shingles = {" ".join(words[i:i + SHINGLE_WORDS]).encode("utf-8")
                for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    minhash.update_batch(list(shingles))
    return [int(value) for value in minhash.hashvalues]


def find_near_duplicates(new: list[Story], known: list[Story], threshold: float = THRESHOLD) -> dict[str, str]:
    """Map each new story that repeats another to the URL of the one kept.

    Known stories (already in the warehouse) are always kept, but a known story whose URL
    is among the new ones is an earlier version of it (an article edited since, or loaded
    by a concurrent run) and is left out. Among new ones the one published on the earliest
    day is kept, then one whose rel=canonical does not point elsewhere, then the shortest
    last path segment (copies tend to add suffixes such as -amp or -update), then the URL.
    Returns {duplicate url: kept url}.
    """
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    new_urls = {story.url for story in new}
    for story in known:
        if story.url not in new_urls:
            lsh.insert(story.url, _minhash(story.signature))
    duplicates: dict[str, str] = {}
    for story in sorted(new, key=_age_key):
        candidate = _minhash(story.signature)
        matches = [url for url in lsh.query(candidate) if url != story.url]
        if matches:
            duplicates[story.url] = sorted(matches)[0]
        else:
            lsh.insert(story.url, candidate)
    return duplicates


@functools.cache
def lsh_bands(threshold: float = THRESHOLD) -> tuple[int, int]:
    """(bands, rows per band) of the LSH index ``find_near_duplicates`` builds: two
    signatures are compared only when one of their bands is equal (datasketch's optimum
    for ``threshold`` and NUM_PERM; (8, 8) for 0.7 and 64)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def _minhash(signature: tuple[int, ...] | list[int]) -> MinHash:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashvalues=np.array(signature, dtype=np.uint64))


def _age_key(story: Story) -> tuple:
    day = story.published_at.date() if story.published_at else dt.date.max
    slug = story.url.rstrip("/").rsplit("/", 1)[-1]
    return (day, story.points_elsewhere, len(slug), story.url)


def is_verbatim_copy(copy: Story, kept: Story) -> bool:
    """A syndicated copy (same headline, same text as far as MinHash can tell) rather than an
    edited re-post; MinHash cannot see one edited paragraph, a changed headline shows it."""
    same_title = " ".join(copy.title.lower().split()) == " ".join(kept.title.lower().split())
    return same_title and similarity(copy.signature, kept.signature) >= 0.9


def similarity(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return _minhash(a).jaccard(_minhash(b))
