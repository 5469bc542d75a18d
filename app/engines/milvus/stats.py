"""The statistics newsdesk's fusion needs that Milvus does not keep, kept beside it.

- **Dense moments**: per language, the passage count and the sums of the vectors and of
  their outer products (``app.index.vectors.moment_sums``); added at ingest and
  subtracted for removed passages, so the mean and covariance are exact.
- **Companion moments** (design (c)): the same sums of the English companion's vectors
  over the passages it embedded (one group).
- **Density moments**: count, sum and sum of squares of the raw hubness densities, for
  the z the hybrid subtracts.
- **Keyword moments**: Milvus scores BM25 (``(k1 + 1)`` times bm25s' score) but has no
  aggregate over the corpus, which the fusion standardises with. Per term we keep df and
  the sums S1 and S2 of the term's weight ``w = tf / (tf + k1 (1 - b + b dl / avgdl))``
  over the passages that hold it. For a question with weights ``a_t = count * idf_t``,
  the mean score over all N passages is ``sum a_t S1_t / N`` (exact), and the variance is
  estimated as ``sum a_t^2 (S2_t / N - (S1_t / N)^2)``, treating terms as independent
  (co-occurrence is ignored). The weights depend on avgdl: they are recomputed from
  the stored terms when it drifts by more than ``AVGDL_DRIFT``.

Pure maths and small containers; the reads and writes are ``store``'s.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from app.index.keyword import K1, B, term_key
from app.index.vectors import Moments

AVGDL_DRIFT = 0.02  # recompute the term weights when avgdl moves by more than 2%
COMPANION = "companion__"  # prefix of the companion's sums in the stored blob
MILVUS_BM25_SCALE = K1 + 1  # Milvus' BM25 = (k1 + 1) x bm25s' (measured: 2.500000)


def encode_terms(terms: list[str]) -> str:
    """Keyword terms as Milvus stores them: each the hex of its 64-bit key, so every
    Milvus tokenizer keeps it whole and Bangla survives any analyzer."""
    return " ".join(f"{term_key(t):016x}" for t in terms)


def decode_terms(text: str) -> list[int]:
    return [int(t, 16) for t in text.split()]


@dataclass
class Stats:
    """Everything ``Stats.add`` accumulates over the live passages."""

    dim: int
    n: int = 0
    total_len: float = 0.0
    avgdl: float = 0.0  # the avgdl the term weights were computed with
    density: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # count, sum, sum sq
    moments: Moments | None = None
    terms: dict[int, list[float]] = field(default_factory=dict)  # key -> [df, s1, s2] changes
    companion: Moments | None = None  # the companion's moment sums (design (c)), else None

    def __post_init__(self):
        if self.moments is None:
            self.moments = Moments(self.dim)

    def add(self, rows: list[dict], sign: int = 1) -> set[int]:
        """Add (``sign`` -1: remove) passage rows (vector, terms, density, language);
        returns the term keys whose sums changed (their df/s1/s2 deltas in ``terms``)."""
        from app.index.vectors import companion_sums, moment_sums

        if not rows:
            return set()
        vectors = np.asarray([r["vector"] for r in rows], dtype=np.float32).reshape(len(rows), self.dim)
        self.moments.add(moment_sums(vectors, np.array([r["language"] for r in rows], dtype=object)), sign)
        if self.companion is not None:
            extra = np.asarray([r["companion"] for r in rows], dtype=np.float32).reshape(len(rows), -1)
            self.companion.add(companion_sums(extra), sign)
        self.n += sign * len(rows)
        docs = [decode_terms(r["terms"]) for r in rows]
        self.total_len += sign * sum(len(d) for d in docs)
        raw = np.array([r["density"] for r in rows], dtype=np.float64)
        self.density = [self.density[0] + sign * len(raw), self.density[1] + sign * raw.sum(),
                        self.density[2] + sign * (raw**2).sum()]  # fmt: skip
        avgdl = self.avgdl or (self.total_len / self.n if self.n else 1.0)
        self.avgdl = avgdl
        touched = set()
        for doc in docs:
            dl = len(doc)
            for key, tf in Counter(doc).items():
                w = tf / (tf + K1 * (1 - B + B * dl / avgdl))
                entry = self.terms.setdefault(key, [0.0, 0.0, 0.0])
                entry[0] += sign
                entry[1] += sign * w
                entry[2] += sign * w * w
                touched.add(key)
        return touched

    def move_densities(self, old: np.ndarray, new: np.ndarray) -> None:
        """Rows whose raw density changed from ``old`` to ``new`` (same passages)."""
        count, total, squares = self.density
        self.density = [count, total + new.sum() - old.sum(), squares + (new**2).sum() - (old**2).sum()]

    def drifted(self) -> bool:
        live = self.total_len / self.n if self.n else 0.0
        return bool(self.avgdl and live and abs(live - self.avgdl) / self.avgdl > AVGDL_DRIFT)

    def density_moments(self) -> tuple[float, float] | None:
        count, total, squares = self.density
        if count <= 0:
            return None
        mean = total / count
        var = squares / count - mean * mean
        return (mean, float(np.sqrt(var))) if var > 1e-12 else None

    def to_bytes(self) -> bytes:
        sums = self.moments.as_sums()
        if self.companion is not None:
            sums.update({COMPANION + k: v for k, v in self.companion.as_sums().items()})
            sums[COMPANION + "dim"] = np.array(self.companion.dim)
        scalars = np.array([self.n, self.total_len, self.avgdl, *self.density], dtype=np.float64)
        buffer = io.BytesIO()
        np.savez(buffer, scalars=scalars, dim=np.array(self.dim), **sums)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Stats:
        with np.load(io.BytesIO(data)) as saved:
            arrays = {k: saved[k] for k in saved.files}
        n, total_len, avgdl, *density = arrays.pop("scalars").tolist()
        stats = cls(int(arrays.pop("dim")), int(n), total_len, avgdl, list(density))
        extra = {k[len(COMPANION) :]: arrays.pop(k) for k in list(arrays) if k.startswith(COMPANION)}
        stats.moments.add(arrays)
        if extra:
            stats.companion = Moments(int(extra.pop("dim")))
            stats.companion.add(extra)
        return stats


def keyword_moments(
    query_terms: list[str], table: dict[int, tuple[int, float, float]], n: int
) -> tuple[float, float]:
    """Mean (exact) and standard deviation (terms taken as independent) of the
    question's BM25 scores, bm25s' scale, over all ``n`` live passages."""
    if not n or not query_terms:
        return 0.0, 0.0
    mean = var = 0.0
    for term, repeats in Counter(query_terms).items():
        df, s1, s2 = table.get(term_key(term), (0, 0.0, 0.0))
        if df <= 0:
            continue
        a = repeats * np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        mean += a * s1 / n
        var += a * a * max(s2 / n - (s1 / n) ** 2, 0.0)
    return float(mean), float(np.sqrt(var))
