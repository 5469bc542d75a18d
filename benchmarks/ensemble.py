"""Several retrievers over one list of passages, fused the way the app fuses two.

Each retriever scores every passage for a question; its top ``depth`` passages (the
app's ``CANDIDATES``) join the question's pool, and its scores are standardised over the
whole corpus (z: for a dense retriever the row's mean and deviation are exactly the
moments ``app.search.fusion.dense_moments`` computes from the corpus covariance). A
configuration is a weight per retriever, plus an optional penalty per passage (the
hubness penalty, ``beta * z(density)``): the pool of a configuration is the union of its
retrievers' top passages, ranked by the weighted sum, as ``fusion.hybrid`` ranks the app's
candidates. Pools are padded matrices, so one configuration over thousands of questions
is a few array operations and a grid of weights is tuned on dev in seconds.

Ranks break ties by the lower passage row, as ``fusion.top_k`` does; a rank past
``CUTOFF`` counts as a miss. Does not embed, tokenise or load anything: the scorers are
given (``dense``, ``keyword``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from app.search import fusion
from app.search.retriever import CANDIDATES
from benchmarks.harness import CUTOFF, Metrics

Scorer = Callable[[np.ndarray], np.ndarray]  # question rows -> (len(rows), n) scores
BLOCK = 256  # questions scored at once: 256 x 44k float32 is 45 MB per retriever


def dense(passages: np.ndarray, queries: np.ndarray) -> Scorer:
    """Cosine of each question's vector with every passage's (unit vectors)."""
    return lambda rows: queries[rows] @ passages.T


def keyword(index, questions: Sequence[str], n: int) -> Scorer:
    """BM25 of every passage, from anything with ``scores(question, n)`` (``harness.Bm25``)."""
    return lambda rows: np.stack([index.scores(questions[i], n) for i in rows])


def gold_ranks(scores: np.ndarray, ids: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """1-based rank of the best gold entry of each row of ``scores`` (ties: lower id
    first), 0 when no gold entry is there or it ranks past ``CUTOFF``. ``ids`` gives
    each entry's passage row, -1 for padding (never ranked)."""
    s = np.where(ids >= 0, scores, -np.inf)
    best = np.where(gold, s, -np.inf).max(axis=1, keepdims=True)
    tied_gold = gold & (s == best)
    first = np.where(tied_gold, ids, np.iinfo(np.int64).max).min(axis=1, keepdims=True)
    ranks = 1 + (s > best).sum(axis=1) + ((s == best) & (ids < first) & (ids >= 0)).sum(axis=1)
    ranks[~np.isfinite(best[:, 0]) | (ranks > CUTOFF)] = 0
    return ranks


@dataclass(frozen=True)
class Pools:
    """Every question's candidates: passage rows (-1 pads), which are gold, each
    retriever's corpus-standardised score, and which retriever's top ``depth`` each
    came from; plus each retriever's own gold rank over the whole corpus."""

    ids: np.ndarray  # (questions, pool) int64
    gold: np.ndarray  # (questions, pool) bool
    z: dict[str, np.ndarray]  # retriever -> (questions, pool) float32
    member: dict[str, np.ndarray]  # retriever -> (questions, pool) bool
    alone: dict[str, np.ndarray]  # retriever -> (questions,) rank over the corpus

    def ranks(self, weights: dict[str, float], penalty: np.ndarray | None = None) -> np.ndarray:
        """Gold ranks under ``sum(w * z) - penalty[passage]`` over the pool of the
        retrievers with a non-zero weight. ``penalty``: one value a passage row."""
        used = [name for name, w in weights.items() if w]
        scores = sum(weights[name] * self.z[name] for name in used)
        if penalty is not None:
            scores = scores - penalty[np.maximum(self.ids, 0)]
        pool = np.logical_or.reduce([self.member[name] for name in used])
        return gold_ranks(scores, np.where(pool, self.ids, -1), self.gold)


def pools(scorers: dict[str, Scorer], gold: list[set[int]], n: int, *, depth: int = CANDIDATES) -> Pools:
    """Score every question with every retriever (in blocks) and keep the pools."""
    blocks = []
    for start in range(0, len(gold), BLOCK):
        rows = np.arange(start, min(start + BLOCK, len(gold)))
        full = {name: np.asarray(score(rows), dtype=np.float32) for name, score in scorers.items()}
        gold_mask = np.zeros((len(rows), n), dtype=bool)
        for j, i in enumerate(rows):
            gold_mask[j, list(gold[i])] = True
        every = np.broadcast_to(np.arange(n), (len(rows), n))
        alone = {name: gold_ranks(s, every, gold_mask) for name, s in full.items()}
        tops = {name: [fusion.top_k(row, depth) for row in s] for name, s in full.items()}
        for j in range(len(rows)):
            ids = np.unique(np.concatenate([tops[name][j] for name in scorers]))
            z = {}
            for name, s in full.items():
                row = s[j].astype(np.float64)
                z[name] = fusion.standardise(row[ids], float(row.mean()), float(row.std()))
            member = {name: np.isin(ids, tops[name][j]) for name in scorers}
            blocks.append((ids, gold_mask[j, ids], z, member, {k: v[j] for k, v in alone.items()}))
    width = max(len(b[0]) for b in blocks)

    def pad(values, fill, dtype):
        out = np.full((len(blocks), width), fill, dtype=dtype)
        for i, v in enumerate(values):
            out[i, : len(v)] = v
        return out

    return Pools(
        ids=pad((b[0] for b in blocks), -1, np.int64),
        gold=pad((b[1] for b in blocks), False, bool),
        z={name: pad((b[2][name] for b in blocks), 0.0, np.float32) for name in scorers},
        member={name: pad((b[3][name] for b in blocks), False, bool) for name in scorers},
        alone={name: np.array([b[4][name] for b in blocks]) for name in scorers},
    )


def weight_grid(names: Sequence[str], step: float, low: float = 0.0, high: float = 1.0) -> list[dict]:
    """Every weighting of ``names`` on a ``step`` grid that sums to 1, each weight in
    [low, high]. Example: ``weight_grid(["dense", "bm25"], 0.1, 0.3, 0.8)`` is six points."""
    ticks = np.round(np.arange(0, 1 + step / 2, step), 4)
    grid = []
    for head in itertools.product(ticks, repeat=len(names) - 1):
        last = round(1 - sum(head), 4)
        weights = [*map(float, head), last]
        if all(low - 1e-9 <= w <= high + 1e-9 for w in weights):
            grid.append(dict(zip(names, weights, strict=True)))
    return grid


def tune(
    p: Pools, dev: np.ndarray, grid: list[dict], penalty: np.ndarray | None = None
) -> tuple[dict, np.ndarray]:
    """The grid point with the best dev R@5 + MRR (``benchmarks.harness.tune``'s rule),
    and its ranks on every question."""
    best = None
    for weights in grid:
        ranks = p.ranks(weights, penalty)
        m = Metrics.of(ranks[dev])
        if best is None or m.r5 + m.mrr > best[0]:
            best = (m.r5 + m.mrr, weights, ranks)
    return best[1], best[2]


def row(name: str, ranks: np.ndarray, dev: np.ndarray, **extra) -> dict:
    """A table row (``benchmarks.harness.print_table``'s): metrics on dev, held-out, all."""
    return {
        "config": name,
        "dev": asdict(Metrics.of(ranks[dev])),
        "held_out": asdict(Metrics.of(ranks[~dev])),
        "all": asdict(Metrics.of(ranks)),
        **extra,
    }


def weights_label(weights: dict[str, float]) -> str:
    return " + ".join(f"{w:g} {name}" for name, w in weights.items() if w)
