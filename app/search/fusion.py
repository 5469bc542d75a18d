"""Pure maths for combining dense and keyword scores. No I/O, no models.

The hybrid score of a passage is ``w * z(dense) + (1 - w) * z(bm25)``, where ``z``
standardises a retriever's scores over the *whole corpus* for this question. Scores from
the two retrievers live on unrelated scales (cosine in [-1, 1], BM25 unbounded), and
standardising puts them on one; doing it over the corpus rather than the top hits keeps
a question whose top hits are all weak from looking confident. Reciprocal rank fusion
was measured and is worse here (docs/retrieval.md).

``hybrid`` is what the retriever runs on its candidates: the weighted sum, with optional
Rocchio feedback on the dense query (off by default: it lost on RealTimeQA) and an
optional hubness penalty (applied when the caller passes the candidates' densities,
computed once per index by ``app.index.density``). Every constant is measured by
``benchmarks/eval_retrieval.py`` (docs/retrieval.md).
Does not search, tokenise or embed: it only combines scores it is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.index.vectors import embedded_rows

# Weight of the dense retriever in the hybrid. 0.8 is the reference weighted fusion of
# the RealTimeQA data's BASELINES.md, and also the best of 0.5-0.9 on the dev half of
# RealTimeQA in benchmarks/eval_retrieval.py (0.7: -0.4 R@5 and -1.2 MRR; 0.9: -2 points).
DENSE_WEIGHT = 0.8
# Rocchio pseudo-relevance feedback (the dense query moved toward the mean vector of the
# first pass's top FEEDBACK_PASSAGES passages, weight FEEDBACK_BETA, then scored again) is
# off: on RealTimeQA every setting tried lost (best on dev, 3 passages at 0.3: -0.8 MRR
# held-out), because the top passages are often other stories on the same topic. Kept
# for corpora where it may help and for the evaluation, which measures it.
FEEDBACK_PASSAGES = 0
FEEDBACK_BETA = 0.3
# Hubness penalty (CSLS, Lample et al. 2018): a passage's density (``app.index.density``:
# the mean cosine to its nearest other passages, standardised over the corpus) is
# subtracted with weight HUBNESS_WEIGHT from the hybrid score, so passages in crowded
# regions of the embedding space step back. On RealTimeQA (benchmarks/eval_retrieval.py
# --hubness, dev-chosen): R@5 .683 -> .722 and MRR .576 -> .611 held-out; ranked among
# the protocol's evidence paragraphs only the gain is smaller (R@5 .860 -> .872, MRR
# .740 -> .754), so part of it comes from that corpus's make-up (docs/retrieval.md).
HUBNESS_WEIGHT = 0.5


# The dense weight and the hubness penalty by model family and the question's language,
# each chosen on a dev half (docs/retrieval.md, "Bangla and English", "Choosing the
# model"): MiniLM on English RealTimeQA (0.8 and 0.5, above); multilingual-e5 on Bangla,
# where the Bangla-aware BM25 is strong: 0.4 and 0.1 were best on the mean of both Bangla
# sets' dev halves (the earlier 0.5 and 0.5 lost to BM25 alone on the factoid set's
# held-out MRR); multilingual-e5 on English: 0.85 and 0.5, best on RealTimeQA's dev half
# (benchmarks/eval_models.py, design (a): R@5 .768 dev / .766 held-out, against 0.8's .761).
E5_ENGLISH = (0.85, HUBNESS_WEIGHT)
DENSE_WEIGHTS = {("minilm", "en"): DENSE_WEIGHT, ("e5", "en"): E5_ENGLISH[0], ("e5", "bn"): 0.4}
HUBNESS_WEIGHTS = {("minilm", "en"): HUBNESS_WEIGHT, ("e5", "en"): E5_ENGLISH[1], ("e5", "bn"): 0.1}


# Design (c) (``app.index.models.BOTH``): an English question over an index with the
# English companion (all-MiniLM-L6-v2 vectors of the English passages) scores
# 0.7 z(mE5) + 0.25 z(MiniLM) + 0.05 z(BM25) - 0.5 density(mE5), the dev optimum of every
# three-way weighting on a 0.05 grid (benchmarks/eval_models.py; RealTimeQA R@5 .782 dev,
# .776 held-out, against .768 / .766 for mE5 + BM25). The companion adds no candidates
# of its own (re-scoring mE5's and BM25's top 100 measures the same R@5 as adding
# MiniLM's top 100: .782 either way) and no densities (mE5's alone: .782, MRR -.006).
# A passage the companion did not embed (not English) gives its weight to mE5; a Bangla
# question leaves it out (MiniLM cannot read it).
COMPANION_WEIGHTS = {("e5", "en"): (0.7, 0.25)}  # (model, companion); BM25: the rest


def companion_weights(family: str, language: str) -> tuple[float, float] | None:
    """(model weight, companion weight) for a question in ``language`` over an index of
    a ``family`` model with the English companion; None: the companion is not used."""
    return COMPANION_WEIGHTS.get((family, language))


def dense_weight(family: str, language: str) -> float:
    """The dense weight for a question in ``language`` searched with a ``family`` model."""
    return DENSE_WEIGHTS.get((family, language), DENSE_WEIGHT)


def hubness_weight(family: str, language: str) -> float:
    """The hubness penalty's weight for a question in ``language`` and a ``family`` model."""
    return HUBNESS_WEIGHTS.get((family, language), HUBNESS_WEIGHT)


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


def dense_z(
    query: np.ndarray,
    vectors: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    groups: np.ndarray | None = None,
    group_moments: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> np.ndarray:
    """Cosines of ``vectors`` to ``query``, standardised over the corpus; with ``groups``
    (a group number per row) and ``group_moments`` (mean and covariance per group), each
    row over its own group. In a Bangla and English index the cosines of a question to
    passages in its own language run higher than to the other language's, whatever the
    relevance; standardising per passage language lets an English article answer a Bangla
    question (docs/retrieval.md: 6 of 12 hand-checked pairs in the top 5, 10 of 12 per
    language)."""
    dense = vectors @ query
    if groups is None or not group_moments:
        return standardise(dense, *dense_moments(query, mean, cov))
    z = np.empty(len(dense), dtype=np.float64)
    for g, (g_mean, g_cov) in enumerate(group_moments):
        rows = groups == g
        if rows.any():
            z[rows] = standardise(dense[rows], *dense_moments(query, g_mean, g_cov))
    return z


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


def rocchio(query: np.ndarray, feedback: np.ndarray, beta: float) -> np.ndarray:
    """Pseudo-relevance feedback on a unit query vector (Rocchio 1971, positive part only):
    ``normalise(query + beta * mean(feedback))``, where ``feedback`` holds the unit vectors
    of the first pass's top passages. ``beta = 0`` or no feedback returns the query."""
    if beta == 0 or len(feedback) == 0:
        return query
    moved = query.astype(np.float64) + beta * feedback.astype(np.float64).mean(axis=0)
    norm = float(np.linalg.norm(moved))
    return (moved / norm).astype(query.dtype) if norm > 0 else query


@dataclass(frozen=True)
class Companion:
    """The English companion's part of a hybrid score (design (c))."""

    query: np.ndarray  # the question embedded by the companion model
    vectors: np.ndarray  # the candidates' companion vectors; zero rows: not embedded
    mean: np.ndarray  # the corpus moments of the companion vectors it embedded
    cov: np.ndarray
    weight: float

    def blend(self, z: np.ndarray, weight: float) -> np.ndarray:
        """The model's z (``weight``) and the companion's z combined, scaled so that
        the pair weighs ``weight + self.weight``: ``weight * z + self.weight * z_c``
        where the companion embedded the passage, the model's z alone elsewhere."""
        total = weight + self.weight
        held = embedded_rows(self.vectors)
        z_c = standardise(self.vectors @ self.query, *dense_moments(self.query, self.mean, self.cov))
        return np.where(held, (weight * z + self.weight * z_c) / total, z)


def hybrid(
    query: np.ndarray,
    vectors: np.ndarray,
    z_keyword: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    *,
    dense_weight: float = DENSE_WEIGHT,
    feedback: int = FEEDBACK_PASSAGES,
    beta: float = FEEDBACK_BETA,
    density: np.ndarray | None = None,
    hubness: float = HUBNESS_WEIGHT,
    groups: np.ndarray | None = None,
    group_moments: list[tuple[np.ndarray, np.ndarray]] | None = None,
    companion: Companion | None = None,
) -> np.ndarray:
    """Hybrid scores of candidate passages, higher is better.

    Args:
        query: the unit query vector.
        vectors: the candidates' unit vectors, one row each.
        z_keyword: the candidates' BM25 scores standardised over the corpus.
        mean, cov: the corpus vectors' mean and covariance (for the dense moments).
        dense_weight: weight of the dense score in the weighted sum.
        feedback, beta: Rocchio feedback from the first pass's top ``feedback``
            candidates with weight ``beta``, then a second weighted pass (0 turns it off).
        density: the candidates' standardised densities; when given, ``hubness``
            times it is subtracted from the score (None or ``hubness=0``: no penalty).
        groups, group_moments: standardise the dense scores per passage language
            (``dense_z``) instead of over the whole corpus.
        companion: a second model's query, the candidates' vectors by it (zero rows:
            not embedded) and its corpus moments, with its weight (design (c)).

    Example:
        >>> scores = hybrid(q, V[ids], z_bm25[ids], mean, cov)
        >>> ids[top_k(scores, 5)]
    """
    penalty = hubness * density if density is not None and hubness else 0.0
    z = dense_z(query, vectors, mean, cov, groups, group_moments)
    if companion is not None:
        z = companion.blend(z, dense_weight)
        dense_weight += companion.weight
    fused = weighted(z, z_keyword, dense_weight) - penalty
    if feedback <= 0 or beta == 0 or len(vectors) == 0:
        return fused
    moved = rocchio(query, vectors[top_k(fused, feedback)], beta)
    z_moved = dense_z(moved, vectors, mean, cov, groups, group_moments)
    return weighted(z_moved, z_keyword, dense_weight) - penalty
