"""The same wire story carried by several outlets, found by MinHash over word shingles.

Outlets republish agency copy with a new headline, a standfirst, a trimmed last
paragraph or their own furniture; the body's word sequence stays nearly the same.
Each body becomes the set of its ``SHINGLE_WORDS``-word shingles (lower-cased words),
summarised by a ``NUM_PERM``-value MinHash (datasketch's ``affine32`` scheme, computed
here with numpy: the same values bit for bit, tests/test_news.py, without importing
datasketch, whose LSH imports scipy's integrators: ~1 s of an update in a fresh
process); articles whose estimated Jaccard similarity reaches ``THRESHOLD`` are one
story. Measured on variants of real
articles (tests/test_news.py): a copy with a changed headline, an added standfirst and
a trimmed last paragraph scores 0.7-0.9, different stories on the same subject under
0.1, so 0.5 sits far from both.

Grouping is vectorised: the signatures are cut into the LSH bands datasketch's
``MinHashLSH`` uses for ``THRESHOLD`` and ``NUM_PERM`` (``BANDS``), bucketed with numpy, only
candidates sharing a band are compared, and scipy's ``connected_components`` joins the
pairs into stories (~0.1 s for 16k articles). Does not detect translations or rewrites.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from app.text.words import tokens

SHINGLE_WORDS = 5  # long enough that two stories on one subject share few shingles
NUM_PERM = 64  # MinHash size: the estimate's standard error is ~0.06 at 0.5, far below
# the gap between copies (>= 0.7) and different stories (< 0.1) measured in the tests
THRESHOLD = 0.5  # estimated Jaccard at which two bodies are the same story
SCHEME = "affine32"  # datasketch's hashing scheme: stored signatures depend on it


def shingles(text: str) -> set[bytes]:
    words = tokens(text)
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


# Shingle hashes turned into signatures at a time (x NUM_PERM x 4 bytes of work space).
_CHUNK = 65_536


def signatures(bodies: Iterable[str]) -> np.ndarray:
    """(n, NUM_PERM) uint64 MinHash signatures, deterministic (fixed seed): datasketch's
    ``MinHash.bulk(..., num_perm=NUM_PERM, seed=1, scheme="affine32")`` hash values.
    Each shingle's hash is the first 4 bytes of its SHA-1 (little-endian), pre-mixed
    with the MurmurHash3 finalizer, then put through each permutation ``a * h + b``
    (uint32, wrapping); a signature is the minimum of each over the body's shingles
    (2^32 - 1 for a body without one)."""
    sets = [shingles(b) for b in bodies]
    out = np.full((len(sets), NUM_PERM), 0xFFFFFFFF, dtype=np.uint32)
    a, b = _permutations()
    hashes = [int.from_bytes(hashlib.sha1(s).digest()[:4], "little") for group in sets for s in group]
    values = _fmix32(np.asarray(hashes, dtype=np.uint32))
    ends = np.cumsum([len(group) for group in sets])
    first = 0
    while first < len(sets):  # bodies in chunks of about _CHUNK shingles
        start = int(ends[first - 1]) if first else 0
        last = max(int(np.searchsorted(ends, start + _CHUNK, side="right")), first + 1)
        starts = np.concatenate([[start], ends[first : last - 1]]) - start
        permuted = values[start : int(ends[last - 1]), None] * a + b
        filled = np.flatnonzero(np.diff(np.append(starts, len(permuted))) > 0)
        if len(filled):
            out[first + filled] = np.minimum.reduceat(permuted, starts[filled], axis=0)
        first = last
    return out.astype(np.uint64)


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters for seed 1: odd ``a``, any ``b``."""
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer (a bijection; products wrap modulo 2^32)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


# Two passages or sentences are the same text, lightly edited, when the words of the
# shorter are almost all in the longer (a trimmed copy) or the word sets nearly match.
SAME_TEXT_CONTAINED = 0.9
SAME_TEXT_JACCARD = 0.8


def near_duplicate(a: str, b: str) -> bool:
    """Whether two texts are one text as two outlets printed it."""
    wa, wb = set(tokens(a)), set(tokens(b))
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


# The (start, end) signature ranges of the LSH bands datasketch's MinHashLSH chooses
# for THRESHOLD and NUM_PERM (14 bands of 4 values; tests/test_news.py checks them).
BANDS = tuple((start, start + 4) for start in range(0, 56, 4))


def similar_pairs(sigs: np.ndarray) -> np.ndarray:
    """(m, 2) row pairs ``i < j`` whose signatures share an LSH band and whose estimated
    Jaccard similarity reaches THRESHOLD (LSH gives candidates; the estimate decides)."""
    sigs = np.ascontiguousarray(sigs, dtype=np.uint64)
    found: set[tuple[int, int]] = set()
    for start, end in BANDS:
        band = np.ascontiguousarray(sigs[:, start:end])
        keys = band.view(np.dtype((np.void, band.dtype.itemsize * band.shape[1]))).ravel()
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        buckets: dict[int, list[int]] = defaultdict(list)
        for i in np.flatnonzero(counts[inverse] > 1):
            buckets[int(inverse[i])].append(int(i))
        for members in buckets.values():
            rows = np.asarray(members)
            similar = (sigs[rows][:, None, :] == sigs[rows][None, :, :]).mean(axis=2) >= THRESHOLD
            found.update(
                (int(rows[a]), int(rows[b])) for a, b in zip(*np.nonzero(np.triu(similar, k=1)), strict=True)
            )
    return np.array(sorted(found), dtype=np.int64).reshape(-1, 2)


def matches(sigs: np.ndarray, row: int, among: np.ndarray) -> np.ndarray:
    """The rows marked in ``among``, other than ``row``, that ``similar_pairs`` pairs with
    ``row``: sharing an LSH band with it and reaching THRESHOLD (what an update checks
    for each article it adds, instead of pairing the whole corpus again)."""
    equal = sigs == sigs[row]
    banded = np.zeros(len(sigs), dtype=bool)
    for start, end in BANDS:
        banded |= equal[:, start:end].all(axis=1)
    found = banded & (equal.mean(axis=1) >= THRESHOLD) & among
    found[row] = False
    return np.flatnonzero(found)


def story_groups(ids: list[str], sigs: np.ndarray) -> dict[str, str]:
    """article id -> its story's id: the smallest article id among those it is joined to
    by similar pairs, so the result does not depend on the order articles were read.

    Example:
        >>> story_groups(["b", "a"], signatures([text, "Headline. " + text]))
        {'b': 'a', 'a': 'a'}
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(ids)
    if n == 0:
        return {}
    pairs = similar_pairs(sigs)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    smallest: dict[int, str] = {}
    for article_id, label in zip(ids, labels.tolist(), strict=True):
        smallest[label] = min(smallest.get(label, article_id), article_id)
    return {article_id: smallest[label] for article_id, label in zip(ids, labels.tolist(), strict=True)}
