"""The same wire story carried by several outlets, found by MinHash over word shingles.

Outlets republish agency copy with a new headline, a standfirst, a trimmed last
paragraph or their own furniture; the body's word sequence stays nearly the same.
Each body becomes the set of its ``SHINGLE_WORDS``-word shingles (lower-cased words),
summarised by a ``NUM_PERM``-value MinHash (datasketch); articles whose estimated
Jaccard similarity reaches ``THRESHOLD`` are one story. Measured on variants of real
articles (tests/test_syndication.py): a copy with a changed headline, an added
standfirst and a trimmed last paragraph scores 0.7-0.9, different stories on the same
subject under 0.1, so 0.5 sits far from both. Does not detect translations or rewrites.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable

import numpy as np

SHINGLE_WORDS = 5  # long enough that two stories on one subject share few shingles
NUM_PERM = 64  # MinHash size: the estimate's standard error is ~0.06 at 0.5, far below
# the gap between copies (>= 0.7) and different stories (< 0.1) measured in the tests
THRESHOLD = 0.5  # estimated Jaccard at which two bodies are the same story
SCHEME = "affine32"  # datasketch's hashing scheme: stored signatures depend on it
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[bytes]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def signatures(bodies: Iterable[str]) -> np.ndarray:
    """(n, NUM_PERM) uint64 MinHash signatures, deterministic (fixed seed)."""
    from datasketch import MinHash

    sets = [shingles(b) for b in bodies]
    if not sets:
        return np.zeros((0, NUM_PERM), dtype=np.uint64)
    hashes = MinHash.bulk(sets, num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    return np.stack([h.hashvalues for h in hashes]).astype(np.uint64)


# Two passages or sentences are the same text, lightly edited, when the words of the
# shorter are almost all in the longer (a trimmed copy) or the word sets nearly match.
SAME_TEXT_CONTAINED = 0.9
SAME_TEXT_JACCARD = 0.8


def near_duplicate(a: str, b: str) -> bool:
    """Whether two texts are one text as two outlets printed it."""
    wa, wb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    if not wa or not wb:
        return False
    shared = len(wa & wb)
    return shared / min(len(wa), len(wb)) >= SAME_TEXT_CONTAINED or shared / len(wa | wb) >= SAME_TEXT_JACCARD


def encode(signature: np.ndarray) -> str:
    """A signature as compact text for the article store (affine32 values fit 32 bits)."""
    return base64.b64encode(signature.astype("<u4").tobytes()).decode("ascii")


def decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<u4").astype(np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two bodies from their signatures."""
    return float(np.mean(a == b))


def groups(ids: list[str], sigs) -> dict[str, str]:
    """article id -> its story's id (the smallest article id in the group, so the result
    does not depend on the order articles were read)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    row = {article_id: i for i, article_id in enumerate(ids)}
    for article_id, sig in zip(ids, sigs, strict=True):
        minhash = MinHash(num_perm=NUM_PERM, seed=1, hashvalues=sig, scheme=SCHEME)
        for other in lsh.query(minhash):
            if similarity(sig, sigs[row[other]]) >= THRESHOLD:  # LSH gives candidates
                a, b = find(article_id), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        lsh.insert(article_id, minhash)
    return {i: find(i) for i in ids}
