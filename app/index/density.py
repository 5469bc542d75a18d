"""Hubness: how crowded each passage's neighbourhood is, computed at build time.

A passage's raw density is the mean cosine to its ``HUBNESS_NEIGHBOURS`` nearest other
passages (CSLS, Lample et al. 2018; hubness in nearest-neighbour search, Radovanovic et
al. 2010). Passages in crowded regions of the embedding space (boilerplate, syndicated
copies, a story told in many similar paragraphs) are near every question on their topic
and crowd out the one that answers; the hybrid (``app.search.fusion``) subtracts their
density, standardised over the corpus. Exact and O(n^2): above
``HUBNESS_MAX_PASSAGES`` it is not computed and the penalty is off (a documented limit).
"""

from __future__ import annotations

import numpy as np

HUBNESS_NEIGHBOURS = 10
# Above this many passages the exact O(n^2) density is not computed at build time (it
# would take ~14 minutes at 1M on 2 cores) and the penalty is off.
HUBNESS_MAX_PASSAGES = 200_000


def raw_density(
    vectors: np.ndarray, rows: np.ndarray | None = None, k: int = HUBNESS_NEIGHBOURS, block: int = 2048
) -> np.ndarray:
    """The mean cosine of each passage in ``rows`` (default: all) to its ``k`` nearest
    *other* passages among ``vectors``. Exact, O(len(rows) * n * d) in blocks of
    ``block`` rows: about 10 s for all of 44k 384-d passages on 2 cores, milliseconds for
    the few passages an update adds. Too few passages (no more than ``k``): zeros.
    """
    n = len(vectors)
    rows = np.arange(n) if rows is None else np.asarray(rows)
    if n <= k or k <= 0:
        return np.zeros(len(rows), dtype=np.float64)
    raw = np.empty(len(rows), dtype=np.float64)
    for start in range(0, len(rows), block):
        chunk = rows[start : start + block]
        sims = np.asarray(vectors[chunk], dtype=np.float32) @ np.asarray(vectors, dtype=np.float32).T
        sims[np.arange(len(chunk)), chunk] = -np.inf  # not its own neighbour
        raw[start : start + len(chunk)] = np.partition(sims, -k, axis=1)[:, -k:].mean(axis=1)
    return raw


def standardised(raw: np.ndarray | None, count: int) -> np.ndarray | None:
    """Raw densities as z over the corpus (float32), or None when there are none, they
    do not match the ``count`` passages, or all are equal: the penalty is then off."""
    if raw is None or len(raw) != count or not len(raw) or raw.std() == 0:
        return None
    return ((raw - raw.mean()) / raw.std()).astype(np.float32)


def passage_density(vectors: np.ndarray, k: int = HUBNESS_NEIGHBOURS, block: int = 2048) -> np.ndarray:
    """Standardised density of every passage (0 for every passage when there are no more
    than ``k`` of them or all are equal). An index computes the raw values once, at build
    time, and standardises at load.

    Example:
        >>> density = passage_density(V)          # once, for the whole index
        >>> hybrid(q, V[ids], z_bm25[ids], mean, cov, density=density[ids])
    """
    raw = raw_density(vectors, k=k, block=block)
    z = standardised(raw, len(raw))
    return z if z is not None else np.zeros(len(raw), dtype=np.float32)
