"""Keep every stored passage's hubness density exact across a Milvus update.

The same maintenance as the local index (``app.index.density.maintained``, reused here,
not re-implemented): each passage row stores its raw density and ``kth``, the cosine of
its k-th nearest other live passage. After a build has written its new passages
(density 0, ``kth`` unknown) and deleted the removed ones, the old rows that a new
vector comes nearer than their k-th, or a removed vector was as near as, are recomputed
with the new rows, exactly, and rewritten (an upsert rewrites whole rows: they are read
back first); the density moments move by the difference.

**Cost.** Every live passage's vector, density and ``kth`` are read back (n x d floats:
~300 MB at the 200k-passage cap, 384-d), then numpy compares them with the new and
removed vectors (O(n (|new| + |removed|) d)) and recomputes the touched rows against all
(O(touched n d)); only changed rows are written. Above ``HUBNESS_MAX_PASSAGES`` nothing is
read or computed (the penalty is off, as locally). Does not search Milvus for the
neighbours: an exact scan needs no recall assumption (HNSW is approximate).
"""

from __future__ import annotations

import numpy as np

from app.engines.milvus.stats import Stats
from app.engines.milvus.store import MilvusStore
from app.index import density

# Stored for "not computed yet" (Milvus' FLOAT takes no NaN): below every cosine, so the
# next update computes the row (a new row, too few passages, or an interrupted build).
UNKNOWN_KTH = -2.0


def maintain(
    store: MilvusStore,
    stats: Stats,
    fresh: set[str],
    removed: np.ndarray,
    dim: int,
    *,
    everything: bool = False,
) -> int:
    """Recompute the densities an update can have changed and write them.

    Args:
        store: the index, with this build's passages written and removed ones deleted.
        stats: the statistics; their density moments move by what changed.
        fresh: the ids of the passages this build added (their density is not known).
        removed: the vectors of the passages it deleted (n x ``dim``).
        everything: recompute every row (after an interrupted build, whose deleted
            vectors and half-written rows are not known).

    Returns:
        How many rows were rewritten.

    Example:
        >>> maintain(store, stats, {"a1:0:3f2c"}, np.zeros((0, 384), np.float32), 384)
    """
    if store.count() > density.HUBNESS_MAX_PASSAGES:
        return 0
    ids, blocks, raw, kth = [], [], [], []
    for batch in store.batches("passages", "", ["id", "vector", "density", "kth"]):
        ids += [r["id"] for r in batch]
        blocks.append(np.asarray([r["vector"] for r in batch], np.float32).reshape(len(batch), dim))
        raw.append(np.array([r["density"] for r in batch], np.float64))
        kth.append(np.array([r["kth"] for r in batch], np.float32))
    if not ids:
        return 0
    stored = density.Densities(np.concatenate(raw), np.concatenate(kth))
    new = np.array([i in fresh for i in ids])
    unknown = new | (stored.kth <= UNKNOWN_KTH) | everything
    previous = density.Densities(np.where(unknown, np.nan, stored.raw), np.where(unknown, np.nan, stored.kth))
    live = np.ones(len(ids), bool)
    now = density.maintained(blocks, live, previous, np.flatnonzero(new), removed)
    if now is None:
        return 0
    now_kth = np.where(np.isnan(now.kth), UNKNOWN_KTH, now.kth).astype(np.float32)
    now_raw = now.raw.astype(np.float32).astype(np.float64)  # as a FLOAT field holds it
    changed = np.flatnonzero((now_raw != stored.raw) | (now_kth != stored.kth))
    if not len(changed):
        return 0
    rows = store.get_passages([ids[i] for i in changed], store.written_fields("passages"))
    for i in changed:
        rows[ids[i]].update(density=float(now_raw[i]), kth=float(now_kth[i]))
    store.upsert_passages(list(rows.values()))
    stats.move_densities(stored.raw[changed], now_raw[changed])
    return len(changed)
