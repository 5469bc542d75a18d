"""The RealTimeQA retrieval harness: the built index, gold passages, the two halves of
the questions, each question's candidates, and the metrics.

``Harness`` loads the protocol's index once (``benchmarks.rtqa`` builds it) and finds each
question's gold rows (the passages of its evidence record). ``candidates`` gives every
question the union of the top ``CANDIDATES`` dense and keyword passages, as the app's
hybrid takes them, with each retriever's scores standardised as ``app.search.fusion``
does, so a configuration is a function from candidates to an order. ``row`` scores
orders on dev, held-out and all questions. Does not choose configurations:
``benchmarks.eval_retrieval`` does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from app.index.keyword import KeywordPostings, KeywordScorer
from app.index.store import StoredIndex
from app.search import fusion
from app.search.retriever import CANDIDATES, Retriever
from app.text.terms import keyword_terms
from benchmarks import rtqa
from benchmarks.common import is_dev, table

CUTOFF = 100  # MRR is cut at rank 100, as in BASELINES.md


@dataclass(frozen=True)
class Metrics:
    n: int
    r1: float
    r5: float
    r10: float
    mrr: float

    @classmethod
    def of(cls, ranks: np.ndarray) -> Metrics:
        """``ranks``: 1-based rank of the gold passage per question, 0 when not in the top 100."""
        hit = ranks > 0
        rr = np.where(hit & (ranks <= CUTOFF), 1.0 / np.maximum(ranks, 1), 0.0)
        return cls(
            n=len(ranks),
            r1=float(np.mean(hit & (ranks <= 1))),
            r5=float(np.mean(hit & (ranks <= 5))),
            r10=float(np.mean(hit & (ranks <= 10))),
            mrr=float(np.mean(rr)),
        )


def gold_rank(order: np.ndarray, gold: set[int]) -> int:
    for r, i in enumerate(order[:CUTOFF], start=1):
        if int(i) in gold:
            return r
    return 0


class Harness:
    """The built index, the questions and their gold rows, computed once."""

    def __init__(self, index_dir: Path, questions: list[rtqa.Question]):
        self.index = StoredIndex(index_dir)
        self.retriever = Retriever(self.index)
        self.questions = questions
        self.n = len(self.index.passages)
        # rows of deleted or replaced passages (a segmented index keeps them, tombstoned)
        self.live = ~np.asarray(self.index.dead, dtype=bool)
        by_url: dict[str, list[int]] = {}
        url_of = [""] * self.n
        article_url = {a.article_id: a.url or "" for a in self.index.articles.values()}
        for i in np.flatnonzero(self.live):
            url_of[i] = article_url[self.index.passages[int(i)].article_id]
            by_url.setdefault(url_of[i], []).append(int(i))
        # A question whose evidence record the project's reader rejected has no gold
        # passage: it counts as a miss (and is counted in ``missing_gold``).
        self.gold = [set(by_url.get(q.evidence_url, ())) for q in questions]
        self.rows_by_url = by_url
        self.missing_gold = sum(not g for g in self.gold)
        self.dev = np.array([is_dev(q.question_id) for q in questions])
        # True for the passages of the protocol's evidence records, False for distractors
        self.evidence = np.array([url.startswith(rtqa.EVIDENCE_URL) for url in url_of])
        self.vectors = self.index.all_vectors()
        self.texts = [self.index.text(i) for i in range(self.n)]
        self.keyword = Bm25(self.index.keyword)

    def ranks(self, orders: list[np.ndarray]) -> np.ndarray:
        return np.array([gold_rank(o, g) for o, g in zip(orders, self.gold, strict=True)])

    def evidence_only_ranks(self, orders: list[np.ndarray]) -> np.ndarray:
        """Ranks among evidence paragraphs only (distractor articles removed): a gain that
        vanishes here came from telling the protocol's two sources apart, not from
        finding the answer."""
        return self.ranks([o[self.evidence[o]] for o in orders])


class Bm25:
    """BM25 of every passage as one array, ``scores(question, n)``: the app's scorer
    (an index's ``keyword``, or ``build`` over texts)."""

    def __init__(self, scorer: KeywordScorer):
        self.scorer = scorer

    @classmethod
    def build(cls, texts: list[str]) -> Bm25:
        """The app's BM25 over ``texts`` (one segment, nothing deleted)."""
        return cls(KeywordScorer([KeywordPostings.build(texts)], [0], [None]))

    def scores(self, question: str, n: int) -> np.ndarray:
        return self.scorer.scores(question).dense(n)


class Bm25sVariant(Bm25):
    """bm25s with other parameters or terms than the app's (the evaluation's variants):
    ``terms`` are the passages' terms, ``tokenize`` makes a question's (default: the
    app's ``keyword_terms``)."""

    def __init__(self, terms: list[list[str]], tokenize=keyword_terms, **params):
        import bm25s

        self.tokenize = tokenize
        self.bm25 = bm25s.BM25(**params)
        self.bm25.index([t or [""] for t in terms] or [[""]], show_progress=False)

    def scores(self, question: str, n: int) -> np.ndarray:
        terms = [t for t in self.tokenize([question])[0] if t in self.bm25.vocab_dict]
        if not terms:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(self.bm25.get_scores(terms), dtype=np.float32)[:n]


@dataclass(frozen=True)
class Candidates:
    """One question's candidates: row ids, raw and standardised scores of each retriever."""

    ids: np.ndarray
    dense: np.ndarray
    z_dense: np.ndarray
    keyword: np.ndarray
    z_keyword: np.ndarray
    query: np.ndarray  # the query vector
    dense_order: np.ndarray  # dense-only top CUTOFF over the corpus
    keyword_order: np.ndarray  # keyword-only top CUTOFF over the corpus


def candidates(h: Harness, texts: list[str], keyword: Bm25, depth: int = CANDIDATES) -> list[Candidates]:
    """Per question: the union of the top ``depth`` dense and keyword passages, as in the app."""
    qv = h.retriever.embedder.encode(texts, kind="query", batch_size=128)
    out = []
    for start in range(0, len(texts), 256):
        block = qv[start : start + 256] @ h.vectors.T
        for j, dense_all in enumerate(block):
            i = start + j
            if not h.live.all():
                dense_all = np.where(h.live, dense_all, -np.inf)
            kw_all = keyword.scores(texts[i], h.n)
            d_top = fusion.top_k(dense_all, max(depth, CUTOFF))
            k_top = fusion.top_k(kw_all, max(depth, CUTOFF))
            ids = np.unique(np.concatenate([d_top[:depth], k_top[:depth]]))
            d = dense_all[ids].astype(np.float64)
            k = kw_all[ids].astype(np.float64)
            out.append(
                Candidates(
                    ids=ids,
                    dense=d,
                    z_dense=fusion.standardise(d, *fusion.dense_moments(qv[i], h.index.mean, h.index.cov)),
                    keyword=k,
                    z_keyword=fusion.standardise(k, float(kw_all.mean()), float(kw_all.std())),
                    query=qv[i],
                    dense_order=d_top[:CUTOFF],
                    keyword_order=k_top[:CUTOFF],
                )
            )
    return out


def order_by(c: Candidates, scores: np.ndarray) -> np.ndarray:
    return c.ids[fusion.top_k(scores, CUTOFF)]


def weighted_orders(cs: list[Candidates], w: float) -> list[np.ndarray]:
    return [order_by(c, fusion.weighted(c.z_dense, c.z_keyword, w)) for c in cs]


def tune(h: Harness, grid: list[dict], run) -> tuple[dict, list[np.ndarray]]:
    """The grid point with the best dev R@5 + MRR, and its orders on every question."""
    best = None
    for params in grid:
        orders = run(**params)
        m = Metrics.of(h.ranks(orders)[h.dev])
        score = m.r5 + m.mrr
        if best is None or score > best[0]:
            best = (score, params, orders)
    return best[1], best[2]


def row(name: str, h: Harness, orders: list[np.ndarray], **extra) -> dict:
    """A table row: the metrics of ``orders`` on dev, held-out and all questions."""
    ranks = h.ranks(orders)
    return {
        "config": name,
        "dev": asdict(Metrics.of(ranks[h.dev])),
        "held_out": asdict(Metrics.of(ranks[~h.dev])),
        "all": asdict(Metrics.of(ranks)),
        **extra,
    }


def cells(metrics: dict) -> str:
    """One table cell: R@1 R@5 R@10 MRR of a row part (``row(...)["dev"]``)."""
    return " ".join(f"{metrics[m]:.3f}" for m in ("r1", "r5", "r10", "mrr"))


def print_table(rows: list[dict]) -> None:
    print(
        table(
            ["configuration (R@1 R@5 R@10 MRR@100)", "dev", "held-out", "all"],
            [[r["config"], *(cells(r[part]) for part in ("dev", "held_out", "all"))] for r in rows],
        )
    )
