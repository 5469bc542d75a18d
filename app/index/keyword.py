"""Keyword search: BM25 over the passages of several segments, with the statistics of
them all, so a segmented index scores exactly as the same passages in one segment would.

Each segment stores its postings (``KeywordPostings``): for every term, the rows that
hold it and how often, as arrays (CSR by term: ``indptr``, ``rows``, ``tf``), and each
row's length in terms. A term is known by a 64-bit hash of its text (``term_key``; a
collision among a few million terms has odds below one in a million), kept sorted, so a
segment's vocabulary is one memory-mapped array searched by bisection: nothing is parsed
at start-up. Terms come from ``app.text.terms.keyword_terms`` (the same for passages
and questions).

``KeywordScorer`` scores a question over every segment with the corpus-wide statistics
of the rows still live (tombstoned rows leave N, the average length and every document
frequency): BM25 as bm25s and Lucene compute it, ``idf * tf / (tf + k1 * (1 - b + b *
dl / avgdl))`` with ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``, k1 = 1.5 and b =
0.75 (the libraries' defaults; a test checks the scores equal bm25s's). Only the rows
that hold a question term get a score; the mean and deviation over all live rows (the
others score 0) come from those sums, which is what the fusion standardises with.
Does not do phrase or boolean queries.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.text.terms import keyword_terms

K1 = 1.5  # term-frequency saturation (bm25s, Lucene)
B = 0.75  # length normalisation (bm25s, Lucene)
ARRAYS = ("keys", "indptr", "rows", "tf", "lengths")


def term_key(term: str) -> int:
    """A term's 64-bit key (blake2b of its UTF-8 text): what the postings store."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class KeywordPostings:
    """One segment's postings: term key -> (rows, tf), and each row's length in terms."""

    keys: np.ndarray  # (terms,) uint64 term keys, ascending
    indptr: np.ndarray  # (terms + 1,) int64: term t's postings are [indptr[t], indptr[t+1])
    rows: np.ndarray  # int32 row of each posting, ascending within a term
    tf: np.ndarray  # float32 count of the term in that row
    lengths: np.ndarray  # (rows,) int32 terms in each row

    @classmethod
    def build(cls, texts: list[str]) -> KeywordPostings:
        """Postings of ``texts`` (one a row)."""
        return cls.from_terms(keyword_terms(texts) if texts else [])

    @classmethod
    def from_terms(cls, docs: list[list[str]]) -> KeywordPostings:
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int32, count=len(docs))
        for terms in docs:
            term_ids.extend(vocab.setdefault(t, len(vocab)) for t in terms)
        keys = np.fromiter((term_key(t) for t in vocab), dtype=np.uint64, count=len(vocab))
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        return cls._from_pairs(keys, np.asarray(term_ids, dtype=np.int64), rows, None, lengths)

    @classmethod
    def _from_pairs(cls, keys, terms, rows, tf, lengths) -> KeywordPostings:
        """Postings from (term index into ``keys``, row, tf) triples; equal (term, row)
        pairs are summed (``tf`` None counts each pair once)."""
        tf = np.ones(len(terms), dtype=np.float64) if tf is None else np.asarray(tf, dtype=np.float64)
        unique, inverse = np.unique(keys, return_inverse=True)  # several parts may share a key
        terms = inverse.reshape(-1)[terms] if len(terms) else terms
        n_rows = max(len(lengths), 1)
        pair = terms * n_rows + rows
        order = np.argsort(pair, kind="stable")
        pair, tf = pair[order], tf[order]
        starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else np.zeros(0, np.int64)
        summed = np.add.reduceat(tf, starts) if len(pair) else np.zeros(0)
        term_of, row_of = pair[starts] // n_rows, pair[starts] % n_rows
        indptr = np.zeros(len(unique) + 1, dtype=np.int64)
        np.add.at(indptr, term_of + 1, 1)
        return cls(
            unique.astype(np.uint64),
            np.cumsum(indptr),
            row_of.astype(np.int32),
            summed.astype(np.float32),
            np.asarray(lengths, dtype=np.int32),
        )

    def postings(self, key: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, tf) of the term with ``key`` (``term_key``)."""
        a, b = self.span(key)
        return self.rows[a:b], self.tf[a:b]

    def span(self, key: int) -> tuple[int, int]:
        """Where the postings of the term with ``key`` lie in ``rows`` and ``tf``
        ((0, 0) for a term no row holds)."""
        t = int(np.searchsorted(self.keys, np.uint64(key)))
        if t >= len(self.keys) or int(self.keys[t]) != key:
            return 0, 0
        return int(self.indptr[t]), int(self.indptr[t + 1])

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, folder: Path) -> KeywordPostings:
        arrays = {n: np.load(folder / f"{n}.npy", mmap_mode="r") for n in ARRAYS}
        if len(arrays["indptr"]) != len(arrays["keys"]) + 1 or len(arrays["rows"]) != len(arrays["tf"]):
            raise ValueError("postings do not match the vocabulary")
        return cls(**arrays)

    def _triples(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(term index, row, tf) of every posting."""
        terms = np.repeat(np.arange(len(self.keys), dtype=np.int64), np.diff(self.indptr))
        return terms, np.asarray(self.rows, dtype=np.int64), np.asarray(self.tf, dtype=np.float64)


_EMPTY_ROWS = np.zeros(0, dtype=np.int32)
_EMPTY_TF = np.zeros(0, dtype=np.float32)


def concatenate(parts: list[KeywordPostings], keep: list[np.ndarray | None] | None = None) -> KeywordPostings:
    """One segment's postings from several, rows numbered on in order, without
    tokenising any text again. ``keep[i]`` (a boolean mask of part i's rows, or None for
    all) drops the rows a merge leaves out (tombstoned ones)."""
    keep = keep if keep is not None else [None] * len(parts)
    keys, terms, rows, tfs, lengths = [], [], [], [], []
    key_offset = row_offset = 0
    for part, mask in zip(parts, keep, strict=True):
        t, r, f = part._triples()
        n = len(part.lengths)
        if mask is None:
            mask = np.ones(n, dtype=bool)
        new_row = np.cumsum(mask) - 1
        alive = mask[r] if len(r) else np.zeros(0, dtype=bool)
        keys.append(np.asarray(part.keys, dtype=np.uint64))
        terms.append(t[alive] + key_offset)
        rows.append(new_row[r[alive]] + row_offset)
        tfs.append(f[alive])
        lengths.append(np.asarray(part.lengths, dtype=np.int32)[mask])
        key_offset += len(part.keys)
        row_offset += int(mask.sum())
    if not parts:
        return KeywordPostings._from_pairs(np.zeros(0, np.uint64), *(np.zeros(0, np.int64),) * 2, None, [])
    return KeywordPostings._from_pairs(
        np.concatenate(keys),
        np.concatenate(terms),
        np.concatenate(rows),
        np.concatenate(tfs),
        np.concatenate(lengths),
    )


@dataclass(frozen=True)
class KeywordScores:
    """A question's BM25 scores: the live rows that hold a question term (global row
    numbers, ascending) and their scores; every other live row scores 0. ``mean`` and
    ``std`` are over all live rows."""

    rows: np.ndarray
    scores: np.ndarray
    mean: float
    std: float

    def dense(self, n: int) -> np.ndarray:
        """The scores of rows 0..n-1 as one array (0 where no term matches)."""
        out = np.zeros(n, dtype=np.float32)
        out[self.rows] = self.scores
        return out

    def of(self, rows: np.ndarray) -> np.ndarray:
        """The scores of the given global rows (0 where no term matches)."""
        out = np.zeros(len(rows), dtype=np.float32)
        if len(self.rows):
            pos = np.minimum(np.searchsorted(self.rows, rows), len(self.rows) - 1)
            hit = self.rows[pos] == rows
            out[hit] = self.scores[pos[hit]]
        return out


class KeywordScorer:
    """BM25 over several segments' postings with the statistics of all their live rows.

    ``offsets[i]`` is the global row of segment i's first row; ``dead[i]`` marks its
    tombstoned rows (a boolean array, or None when it has none).

    Each row's length part of the BM25 denominator, ``k1 * (1 - b + b * dl / avgdl)``,
    depends on the index only (avgdl is the live rows'), so it is computed once, when
    the scorer is made (8 bytes a row, a few ms at 1M passages)."""

    def __init__(self, parts: list[KeywordPostings], offsets: list[int], dead: list[np.ndarray | None]):
        self.parts, self.offsets, self.dead = parts, offsets, dead
        self.n, total = 0, 0.0
        for part, d in zip(parts, dead, strict=True):
            lengths = np.asarray(part.lengths, dtype=np.float64)
            live = lengths[~d] if d is not None else lengths
            self.n += len(live)
            total += float(live.sum())
        self.avgdl = total / self.n if self.n else 1.0
        self.size = (offsets[-1] + len(parts[-1].lengths)) if parts else 0  # rows, dead included
        self.norms = [K1 * (1 - B + B * np.asarray(p.lengths, dtype=np.float64) / self.avgdl) for p in parts]

    def scores(self, question: str) -> KeywordScores:
        """The BM25 scores of ``question`` over every live row."""
        terms = keyword_terms([question])[0]
        if not terms or not self.n:
            return KeywordScores(_EMPTY_ROWS.astype(np.int64), _EMPTY_TF, 0.0, 0.0)
        found_rows, found_scores = [], []
        for term, repeats in zip(
            *np.unique(np.asarray(terms, dtype=object), return_counts=True), strict=True
        ):
            key = term_key(term)
            live = []
            for part, norm, off, d in zip(self.parts, self.norms, self.offsets, self.dead, strict=True):
                rows, tf = part.postings(key)
                if len(rows) and d is not None:
                    keep = ~d[rows]
                    rows, tf = rows[keep], tf[keep]
                if len(rows):
                    live.append((norm, rows, tf, off))
            df = sum(len(rows) for _, rows, _, _ in live)
            if not df:
                continue
            idf = np.log(1.0 + (self.n - df + 0.5) / (df + 0.5))
            for norm, rows, tf, off in live:
                tfa = np.asarray(tf, dtype=np.float64)
                found_rows.append(np.asarray(rows, dtype=np.int64) + off)
                found_scores.append(repeats * idf * tfa / (tfa + norm[rows]))
        if not found_rows:
            return KeywordScores(_EMPTY_ROWS.astype(np.int64), _EMPTY_TF, 0.0, 0.0)
        rows, summed = _sum_by_row(np.concatenate(found_rows), np.concatenate(found_scores), self.size)
        mean = float(summed.sum() / self.n)
        var = max(float((summed**2).sum() / self.n - mean**2), 0.0)
        return KeywordScores(rows, summed.astype(np.float32), mean, float(np.sqrt(var)))


def _sum_by_row(rows: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``rows`` (ascending) and the sum of their ``scores``: by counting into
    ``n`` slots when the matches are many (a common term at 1M passages: no sort), else
    by sorting the few."""
    if len(rows) * 16 > n:
        summed = np.bincount(rows, weights=scores, minlength=n)
        hit = np.flatnonzero(summed != 0)  # on a float array nonzero is ~10x slower (branches)
        return hit, summed[hit]
    distinct, inverse = np.unique(rows, return_inverse=True)
    summed = np.zeros(len(distinct), dtype=np.float64)
    np.add.at(summed, inverse, scores)
    return distinct, summed
