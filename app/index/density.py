"""Hubness: how crowded each passage's neighbourhood is, computed at build time and kept
exact across updates.

A passage's raw density is the mean cosine to its ``HUBNESS_NEIGHBOURS`` nearest other
passages (CSLS, Lample et al. 2018; hubness in nearest-neighbour search, Radovanovic et
al. 2010). Passages in crowded regions of the embedding space (boilerplate, syndicated
copies, a story told in many similar paragraphs) are near every question on their topic
and crowd out the one that answers; the hybrid (``app.search.fusion``) subtracts their
density, standardised over the corpus. Exact and O(n^2): above
``HUBNESS_MAX_PASSAGES`` it is not computed and the penalty is off (a documented limit).

An update (``maintained``) does not recompute every passage: it keeps each passage's
k-th neighbour's cosine, and recomputes only the passages whose k nearest can have
changed (a new passage nearer than that k-th, or a removed one among them), so the
densities equal a full recomputation over the live passages whatever the segments.
Knows nothing of files: the caller hands the vectors over as blocks (segment matrices).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

HUBNESS_NEIGHBOURS = 10
# Above this many passages the exact O(n^2) density is not computed at build time (it
# would take ~14 minutes at 1M on 2 cores) and the penalty is off.
HUBNESS_MAX_PASSAGES = 200_000
# Rows of the corpus and rows asked about in one matrix product (at most 64 MB of
# similarities at a time, large enough for BLAS to run at full speed).
CORPUS_CHUNK = 16_384
QUERY_CHUNK = 1_024
# Two products of the same vectors, cut differently, may round a cosine differently in
# its last bits: a row is recomputed when a new or removed vector comes within this of
# its k-th neighbour (a few more rows recomputed; never a stale neighbour kept).
SIM_SLACK = 1e-4


@dataclass(frozen=True)
class Densities:
    """Every passage row's raw density and the cosine of its k-th nearest live
    neighbour (both NaN for tombstoned rows; the k-th NaN for every row while there are
    no more than k passages, so the next update computes them all)."""

    raw: np.ndarray  # float64
    kth: np.ndarray  # float32


def nearest(
    blocks: Sequence[np.ndarray], live: np.ndarray, rows: np.ndarray, k: int = HUBNESS_NEIGHBOURS
) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``rows``: the mean cosine to its ``k`` nearest *other* live rows and
    the k-th of those cosines. ``blocks``: every row's vector, in row order, as
    consecutive arrays (memory-mapped segment matrices are read a chunk at a time, never
    joined); ``live``: which rows may be neighbours. Exact, O(len(rows) * n * d): ~15 s
    for all of 44k 384-d passages on 2 cores, milliseconds for a few. The k nearest are
    summed in sorted order, so the result does not depend on how rows are cut in blocks.
    """
    rows = np.asarray(rows, dtype=np.int64)
    mean, kth = np.empty(len(rows), np.float64), np.empty(len(rows), np.float32)
    vectors = _gather(blocks, rows)
    for q in range(0, len(rows), QUERY_CHUNK):
        asked, queries = rows[q : q + QUERY_CHUNK], vectors[q : q + QUERY_CHUNK]
        best = np.full((len(asked), k), -np.inf, dtype=np.float32)
        for start, part, alive in _chunks(blocks, live):
            sims = queries @ part.T
            sims[:, ~alive] = -np.inf
            own = np.flatnonzero((asked >= start) & (asked < start + len(part)))
            sims[own, asked[own] - start] = -np.inf  # not its own neighbour
            best = np.partition(np.concatenate([best, sims], axis=1), -k, axis=1)[:, -k:]
        best.sort(axis=1)
        mean[q : q + len(asked)] = best.mean(axis=1, dtype=np.float64)
        kth[q : q + len(asked)] = best[:, 0]
    return mean, kth


def raw_density(
    vectors: np.ndarray, rows: np.ndarray | None = None, k: int = HUBNESS_NEIGHBOURS
) -> np.ndarray:
    """The mean cosine of each passage in ``rows`` (default: all) to its ``k`` nearest
    *other* passages among ``vectors`` (``nearest`` over one block, every row live). Too
    few passages (no more than ``k``): zeros."""
    n = len(vectors)
    rows = np.arange(n) if rows is None else np.asarray(rows)
    if n <= k or k <= 0:
        return np.zeros(len(rows), dtype=np.float64)
    return nearest([vectors], np.ones(n, bool), rows, k)[0]


def maintained(
    blocks: Sequence[np.ndarray],
    live: np.ndarray,
    previous: Densities | None,
    fresh: np.ndarray,
    removed: np.ndarray,
) -> Densities | None:
    """Every row's densities after an update, equal to a recomputation over the live rows.

    Args:
        blocks: every row's vector, in row order (``nearest``).
        live: which rows are live now.
        previous: the densities before the update, aligned with the rows (NaN for the
            ``fresh`` rows); None, or a NaN k-th for a live old row: all are computed.
        fresh: the rows added by the update.
        removed: the vectors of the rows the update tombstoned or dropped.

    Returns:
        The densities; None above ``HUBNESS_MAX_PASSAGES`` live rows (the penalty is off).

    Example:
        >>> maintained([old_matrix, new_vectors], live, previous, fresh, removed).raw
    """
    k = HUBNESS_NEIGHBOURS
    n = int(live.sum())
    if n > HUBNESS_MAX_PASSAGES:
        return None
    raw = np.full(len(live), np.nan, dtype=np.float64)
    kth = np.full(len(live), np.nan, dtype=np.float32)
    if n <= k:  # too few neighbours: no penalty yet, and everything computed once there are
        raw[live] = 0.0
        return Densities(raw, kth)
    fresh = np.asarray(fresh, dtype=np.int64)
    old = live.copy()
    old[fresh] = False
    if previous is None or np.isnan(previous.kth[old]).any():
        todo = np.flatnonzero(live)
    else:
        raw[old], kth[old] = previous.raw[old], previous.kth[old]
        touched = _touched(blocks, old, kth, _gather(blocks, fresh), removed)
        todo = np.union1d(fresh, np.flatnonzero(touched))
    raw[todo], kth[todo] = nearest(blocks, live, todo, k)
    return Densities(raw, kth)


def _touched(
    blocks: Sequence[np.ndarray], old: np.ndarray, kth: np.ndarray, added: np.ndarray, removed: np.ndarray
) -> np.ndarray:
    """Which ``old`` rows' k nearest can have changed: an ``added`` vector nearer than
    the k-th, or a ``removed`` one as near (it may have been among them), both within
    ``SIM_SLACK``."""
    touched = np.zeros(len(old), bool)
    changed = [np.asarray(m, np.float32) for m in (added, removed) if len(m)]
    if not changed:
        return touched
    changed = np.concatenate(changed)
    for start, part, alive in _chunks(blocks, old):
        bound = kth[start : start + len(part), None] - SIM_SLACK
        hit = np.zeros(len(part), bool)
        for q in range(0, len(changed), QUERY_CHUNK):
            hit |= (part @ changed[q : q + QUERY_CHUNK].T > bound).any(axis=1)
        touched[start : start + len(part)] = hit & alive
    return touched


def _chunks(blocks: Sequence[np.ndarray], live: np.ndarray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(first row, float32 vectors, live mask) of consecutive chunks of every block."""
    start = 0
    for block in blocks:
        for a in range(0, len(block), CORPUS_CHUNK):
            part = np.asarray(block[a : a + CORPUS_CHUNK], dtype=np.float32)
            yield start + a, part, live[start + a : start + a + len(part)]
        start += len(block)


def _gather(blocks: Sequence[np.ndarray], rows: np.ndarray) -> np.ndarray:
    """The vectors of ``rows`` (row numbers over all blocks), float32."""
    dim = next((b.shape[1] for b in blocks if b.ndim == 2), 0)
    out = np.empty((len(rows), dim), dtype=np.float32)
    offsets = np.cumsum([0] + [len(b) for b in blocks])
    which = np.searchsorted(offsets, rows, side="right") - 1
    for b in np.unique(which):
        pick = which == b
        out[pick] = np.asarray(blocks[b][rows[pick] - offsets[b]], dtype=np.float32)
    return out


def standardised(raw: np.ndarray | None, count: int) -> np.ndarray | None:
    """Raw densities as z over the corpus (float32), or None when there are none, they
    do not match the ``count`` passages, or all are equal: the penalty is then off."""
    if raw is None or len(raw) != count or not len(raw) or raw.std() == 0:
        return None
    return ((raw - raw.mean()) / raw.std()).astype(np.float32)


def passage_density(vectors: np.ndarray, k: int = HUBNESS_NEIGHBOURS) -> np.ndarray:
    """Standardised density of every passage (0 for every passage when there are no more
    than ``k`` of them or all are equal). An index computes the raw values once, at build
    time, and standardises at load.

    Example:
        >>> density = passage_density(V)          # once, for the whole index
        >>> hybrid(q, V[ids], z_bm25[ids], mean, cov, density=density[ids])
    """
    raw = raw_density(vectors, k=k)
    z = standardised(raw, len(raw))
    return z if z is not None else np.zeros(len(raw), dtype=np.float32)
