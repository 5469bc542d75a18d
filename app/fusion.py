"""Pure maths for combining dense and keyword scores. No I/O, no models.

The hybrid score of a passage is ``w * z(dense) + (1 - w) * z(bm25)``, where ``z``
standardises a retriever's scores over the *whole corpus* for this question. Scores from
the two retrievers live on unrelated scales (cosine in [-1, 1], BM25 unbounded), and
standardising puts them on one; doing it over the corpus rather than the top hits keeps
a question whose top hits are all weak from looking confident. Reciprocal rank fusion
was measured and is worse here (see ``realtimeqa/BASELINES.md`` and the README).
"""

from __future__ import annotations

import numpy as np

# Weight of the dense retriever in the hybrid. 0.8 is the reference weighted fusion of
# ../shared/data/realtimeqa/BASELINES.md; the evaluation in benchmarks/ measures others.
DENSE_WEIGHT = 0.8


def dense_moments(query: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of ``V @ query`` over all corpus vectors V, exactly,
    from the corpus mean vector and covariance matrix (no pass over the corpus):
    E[v.q] = mean.q and Var[v.q] = q' cov q."""
    q = query.astype(np.float64)
    mu = float(mean @ q)
    var = float(q @ cov @ q)
    return mu, float(np.sqrt(var)) if var > 1e-12 else 1.0


def standardise(scores: np.ndarray, mean: float, std: float) -> np.ndarray:
    return (scores - mean) / std if std > 0 else np.zeros_like(scores)


def weighted(z_dense: np.ndarray, z_keyword: np.ndarray, dense_weight: float = DENSE_WEIGHT) -> np.ndarray:
    """The hybrid score from standardised dense and keyword scores of the same passages."""
    return dense_weight * z_dense + (1.0 - dense_weight) * z_keyword


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores, best first (ties broken by lower index)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]
