"""The vectors of an index: the FAISS search index by corpus size, the exact matrix
and the moments the hybrid's standardising needs.

* ``vectors-<gen>.faiss``: FAISS inner-product index of unit vectors, one row a passage:
  exact (flat) up to FLAT_MAX_PASSAGES, IVF with 8-bit scalar quantisation beyond;
* ``matrix-<gen>.npy``: the same vectors, float32, memory-mapped when loaded, and read a
  few rows at a time by ``RowReader``: exact dense scores for any row;
* moment sums per language (``moment_sums``, ``Moments``): the mean and covariance the
  hybrid standardises dense scores with, exact over any set of live rows.

Knows nothing of passages, news or models.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np

# Exact search up to this many passages, IVF-SQ8 beyond. Measured in
# benchmarks/bench_scale.py (README "Speed and scale"): one flat query costs 0.06-0.24 us
# a passage on 2 shared cores (24 ms at 100k), so past ~20k it alone would take a
# sizeable part of the 15 ms budget, while IVF-SQ8 answers in under 1 ms.
FLAT_MAX_PASSAGES = 20_000
# IVF: cells ~ 4 sqrt(n) (faiss's guideline is 4-16 sqrt(n)); a query scans the nearest
# IVF_PROBE_SHARE of them. Questions sit far from passages (cosine ~0.5), so their
# neighbours spread over many cells: on the real 100k corpus, probing 5% of 1,267 cells
# found 0.93 of exact search's top 10, 10% 0.966, 20% 0.983 (0.7 ms); 20% it is.
IVF_CELLS_PER_SQRT = 4
IVF_PROBE_SHARE = 0.2
IVF_TRAIN_PER_CELL = 50  # k-means training sample: 50 points a cell (faiss warns under 39)


def index_kind(count: int) -> str:
    """The index kind for ``count`` passages: exact up to FLAT_MAX_PASSAGES, IVF beyond."""
    return "flat" if count <= FLAT_MAX_PASSAGES else "ivf-sq8"


def make_index(vectors: np.ndarray, kind: str, *, nprobe: int | None = None, trained=None):
    """A FAISS inner-product index of ``vectors`` of the given kind.

    ``ivf-sq8``: an inverted file of ~4 sqrt(n) k-means cells, each vector stored as
    384 bytes (8 bits a dimension, ranges trained per dimension); a query scans the
    ``nprobe`` nearest cells (default IVF_PROBE_SHARE of them). Its scores are
    approximate (~1e-3); ``StoredIndex.search`` re-scores its hits from the matrix.
    Training the cells (k-means) is most of an IVF build (~10 s at 100k on 2 cores), so
    ``trained``, an earlier IVF index, is emptied and refilled instead when its cell count
    is within a factor of 2 of what ``vectors`` call for: an update then only assigns
    the vectors to cells (~1 s at 100k). The cells drift from the data only as much as
    the corpus changed since they were trained.
    Example: ``make_index(V, "flat").search(q[None], 10)``.
    """
    import faiss

    dim = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return index
    if kind != "ivf-sq8":
        raise ValueError(f"Unknown index kind {kind!r}. Supported kinds are: ['flat', 'ivf-sq8']")
    cells = max(1, int(IVF_CELLS_PER_SQRT * np.sqrt(len(vectors))))
    if _reusable(trained, dim, cells):
        index = faiss.clone_index(trained)
        index.reset()
        index.add(vectors)
        index.nprobe = min(nprobe or max(1, int(np.ceil(IVF_PROBE_SHARE * index.nlist))), index.nlist)
        return index
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, cells, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    sample = min(len(vectors), cells * IVF_TRAIN_PER_CELL)
    training = vectors
    if sample < len(vectors):  # a fixed-seed sample: the same vectors give the same index
        training = vectors[np.sort(np.random.default_rng(0).choice(len(vectors), sample, replace=False))]
    index.train(np.ascontiguousarray(training, dtype=np.float32))
    index.add(vectors)
    index.nprobe = min(nprobe or max(1, int(np.ceil(IVF_PROBE_SHARE * cells))), cells)
    return index


def _reusable(trained, dim: int, cells: int) -> bool:
    import faiss

    ivf = faiss.try_extract_index_ivf(trained) if trained is not None else None
    return (
        isinstance(trained, faiss.IndexIVFScalarQuantizer)
        and ivf is not None
        and trained.d == dim
        and trained.is_trained
        and cells / 2 <= ivf.nlist <= cells * 2
    )


# Per-language moments are used for every language with at least this many live
# passages, when there are two or more such languages (a mixed archive); below it a
# language's sample covariance is too noisy to standardise with, and its passages use
# the corpus's.
MIN_LANGUAGE_PASSAGES = 200


def moment_sums(vectors: np.ndarray, languages: np.ndarray) -> dict[str, np.ndarray]:
    """Per language (``languages``: one code a row): the row count, the sum of the
    vectors and the sum of their outer products, in float64. Sums add across segments
    and subtract for tombstoned rows, so the moments of any set of live rows are exact
    without reading the vectors again (``Moments``)."""
    codes = np.asarray(languages, dtype=object)
    found = sorted(set(codes.tolist()))
    sums: dict[str, np.ndarray] = {"languages": np.array(found, dtype=str)}
    for code in found:
        part = np.asarray(vectors[codes == code], dtype=np.float64)
        sums[f"n_{code}"] = np.array(len(part), dtype=np.int64)
        sums[f"s1_{code}"] = part.sum(axis=0)
        sums[f"s2_{code}"] = part.T @ part
    return sums


COMPANION_GROUP = "all"  # a companion model's moments are over every passage it embedded


def embedded_rows(vectors: np.ndarray) -> np.ndarray:
    """Which rows of a companion model's matrix hold a vector: it leaves zeros for the
    passages it does not embed (``app.index.models``: not English)."""
    return np.any(np.asarray(vectors) != 0, axis=1)


def companion_sums(vectors: np.ndarray) -> dict[str, np.ndarray]:
    """The moment sums of the rows of a companion model's matrix that hold a vector."""
    part = np.asarray(vectors)[embedded_rows(vectors)]
    return moment_sums(part, np.full(len(part), COMPANION_GROUP, dtype=object))


class Moments:
    """Running moment sums per language (``moment_sums``' dictionaries added or
    subtracted), and the mean and covariance they give."""

    def __init__(self, dim: int):
        self.dim = dim
        self.n: dict[str, int] = {}
        self.s1: dict[str, np.ndarray] = {}
        self.s2: dict[str, np.ndarray] = {}

    def add(self, sums: dict[str, np.ndarray], sign: int = 1) -> None:
        for code in (str(c) for c in sums.get("languages", ())):
            self.n[code] = self.n.get(code, 0) + sign * int(sums[f"n_{code}"])
            self.s1[code] = self.s1.get(code, 0.0) + sign * np.asarray(sums[f"s1_{code}"], dtype=np.float64)
            self.s2[code] = self.s2.get(code, 0.0) + sign * np.asarray(sums[f"s2_{code}"], dtype=np.float64)

    def as_sums(self) -> dict[str, np.ndarray]:
        """The running sums in ``moment_sums``' form (to store them)."""
        codes = sorted(c for c, n in self.n.items() if n)
        if not codes:
            return {}
        out: dict[str, np.ndarray] = {"languages": np.array(codes, dtype=str)}
        for c in codes:
            out[f"n_{c}"], out[f"s1_{c}"], out[f"s2_{c}"] = np.array(self.n[c]), self.s1[c], self.s2[c]
        return out

    def moments(self, codes: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Mean and covariance of the rows in languages ``codes`` (default: all)."""
        codes = [c for c in (codes if codes is not None else list(self.n)) if self.n.get(c, 0) > 0]
        n = sum(self.n[c] for c in codes)
        if not n:
            return np.zeros(self.dim), np.zeros((self.dim, self.dim))
        mean = sum(self.s1[c] for c in codes) / n
        cov = sum(self.s2[c] for c in codes) / n - np.outer(mean, mean)
        return mean, cov

    def by_language(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each language's own moments, for a mixed archive (two or more languages with
        MIN_LANGUAGE_PASSAGES live passages); else empty (the corpus's serve all)."""
        kept = sorted(c for c, n in self.n.items() if n >= MIN_LANGUAGE_PASSAGES)
        return {c: self.moments([c]) for c in kept} if len(kept) >= 2 else {}


def map_matrix(path: Path) -> np.ndarray:
    """The vectors, memory-mapped read-only (for whole-matrix reads: builds, evaluation)."""
    return np.load(path, mmap_mode="r")


class RowReader:
    """Reads a few rows of the matrix file with ``os.pread``, one small read a row.

    Why not the memory map: a query re-scores ~200 rows scattered over the file, and
    with the kernel's read-ahead and large page-cache folios each touched row maps up
    to 2 MB around it; at 100k passages one query mapped the whole 150 MB matrix into
    the process (measured, even with MADV_RANDOM). Here a query costs ~200 reads of
    1.5 KB (~0.3 ms) and no resident memory."""

    def __init__(self, path: Path, matrix: np.memmap):
        self.offset = int(matrix.offset)  # the .npy header's length
        self.fd = os.open(path, os.O_RDONLY)
        self.shape, self.row_bytes = matrix.shape, matrix.shape[1] * 4

    def __call__(self, rows) -> np.ndarray:
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        out = np.empty((len(rows), self.shape[1]), dtype=np.float32)
        buffer = out.reshape(-1).view(np.uint8)
        for j, row in enumerate(rows.tolist()):
            if not 0 <= row < self.shape[0]:
                raise IndexError(f"row {row} out of range 0..{self.shape[0] - 1}")
            chunk = os.pread(self.fd, self.row_bytes, self.offset + row * self.row_bytes)
            buffer[j * self.row_bytes : (j + 1) * self.row_bytes] = np.frombuffer(chunk, dtype=np.uint8)
        return out

    def __del__(self):
        with contextlib.suppress(OSError, AttributeError):
            os.close(self.fd)
