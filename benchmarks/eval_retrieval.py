"""Retrieval quality on RealTimeQA: Recall@1/5/10 and MRR@100 per retriever configuration.

Runs the protocol of ``../shared/data/README.md``: the corpus (about 43k passages) is
written as JSONL under ``--work`` (outside the repository) and indexed with the project's
own ``build_index``; queries are the question sentences; gold is the passage built from
the question's evidence paragraph. Questions are split deterministically by a hash of
their id into a dev half (where weights are tuned) and a held-out half (reported).

Every configuration re-ranks the same candidates as the app (the union of the top
``CANDIDATES`` of each retriever), with the app's own functions from ``app.fusion`` and
``app.query``; the rows marked "app" run ``Retriever.search`` itself, end to end.

Usage: ``python benchmarks/eval_retrieval.py [DATA] [--work DIR] [--out DIR]``
(``make eval``). Prints a table and writes ``benchmarks/results/eval_retrieval.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rtqa  # noqa: E402
from machine import machine  # noqa: E402

from app.index.build import EMBED_RECIPE  # noqa: E402
from app.index.keyword import KeywordIndex  # noqa: E402
from app.index.store import StoredIndex  # noqa: E402
from app.search import fusion, query  # noqa: E402
from app.search.retriever import CANDIDATES, Retriever  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
CUTOFF = 100  # MRR is cut at rank 100, as in BASELINES.md


def is_dev(question_id: str) -> bool:
    """Deterministic half split: dev if the first byte of sha256(question_id) is even."""
    return hashlib.sha256(question_id.encode()).digest()[0] % 2 == 0


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
    """The built index, the questions and per-question candidates, computed once."""

    def __init__(self, index_dir: Path, questions: list[rtqa.Question]):
        self.index = StoredIndex(index_dir)
        self.retriever = Retriever(self.index)
        self.questions = questions
        by_url: dict[str, list[int]] = {}
        article_url = {a.article_id: a.url or "" for a in self.index.articles.values()}
        for i, row in enumerate(self.index.passages):
            by_url.setdefault(article_url[row.article_id], []).append(i)
        # A question whose evidence record the project's reader rejected has no gold
        # passage: it counts as a miss (and is counted in ``missing_gold``).
        self.gold = [set(by_url.get(q.evidence_url, ())) for q in questions]
        self.missing_gold = sum(not g for g in self.gold)
        self.dev = np.array([is_dev(q.question_id) for q in questions])
        self.vectors = self.index.all_vectors()
        self.texts = [self.index.text(row) for row in self.index.passages]
        self.n = len(self.texts)

    def ranks(self, orders: list[np.ndarray]) -> np.ndarray:
        return np.array([gold_rank(o, g) for o, g in zip(orders, self.gold, strict=True)])


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


def candidates(
    h: Harness, texts: list[str], keyword: KeywordIndex, depth: int = CANDIDATES
) -> list[Candidates]:
    """Per question: the union of the top ``depth`` dense and keyword passages, as in the app."""
    qv = h.retriever.embedder.encode(texts, batch_size=128)
    out = []
    for start in range(0, len(texts), 256):
        block = qv[start : start + 256] @ h.vectors.T
        for j, dense_all in enumerate(block):
            i = start + j
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


def rocchio_orders(
    h: Harness, cs: list[Candidates], w: float, feedback: int, beta: float
) -> list[np.ndarray]:
    """``fusion.hybrid`` (what the app runs): a weighted pass, Rocchio feedback on the dense
    query from its top ``feedback`` passages, and a second weighted pass."""
    mean, cov = h.index.mean, h.index.cov
    return [
        order_by(
            c,
            fusion.hybrid(
                c.query,
                h.vectors[c.ids],
                c.z_keyword,
                mean,
                cov,
                dense_weight=w,
                feedback=feedback,
                beta=beta,
            ),
        )
        for c in cs
    ]


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


def app_orders(h: Harness, texts: list[str], mode: str) -> tuple[list[np.ndarray], float]:
    """End to end through ``Retriever.search``; returns orders and the p50 seconds a query."""
    rows = {row.passage_id: i for i, row in enumerate(h.index.passages)}
    orders, times = [], []
    for text in texts:
        t0 = time.perf_counter()
        hits = h.retriever.search(text, CUTOFF, mode=mode)
        times.append(time.perf_counter() - t0)
        orders.append(np.array([rows[hit.citation.passage_id] for hit in hits], dtype=np.int64))
    return orders, float(np.median(times))


def answer_accuracy(h: Harness, orders: list[np.ndarray]) -> dict:
    """Share of questions with choices whose right choice's text is in the top passage."""
    found = total = 0
    for q, order in zip(h.questions, orders, strict=True):
        if q.answer is None or q.answer >= len(q.choices) or len(order) == 0:
            continue
        total += 1
        found += q.choices[q.answer].strip().lower() in h.texts[int(order[0])].lower()
    return {"questions": total, "choice_in_top_passage": found / max(total, 1)}


def keyword_variant(h: Harness, tokens: list[list[str]], **params) -> KeywordIndex:
    """A BM25 index over the same passages with other bm25s parameters (k1, b, method)."""
    import bm25s

    bm25 = bm25s.BM25(**params)
    bm25.index(tokens, show_progress=False)
    return KeywordIndex(bm25)


def row(name: str, h: Harness, orders: list[np.ndarray], **extra) -> dict:
    ranks = h.ranks(orders)
    return {
        "config": name,
        "dev": Metrics.of(ranks[h.dev]).__dict__,
        "held_out": Metrics.of(ranks[~h.dev]).__dict__,
        "all": Metrics.of(ranks).__dict__,
        **extra,
    }


def print_table(rows: list[dict]) -> None:
    head = f"{'configuration':<46}" + "".join(
        f" | {part:^27}" for part in ("dev: R@1 R@5 R@10 MRR", "held-out", "all")
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        cells = "".join(
            " | " + " ".join(f"{r[part][m]:.3f}" for m in ("r1", "r5", "r10", "mrr"))
            for part in ("dev", "held_out", "all")
        )
        print(f"{r['config'][:46]:<46}{cells}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    rtqa.add_arguments(parser)
    parser.add_argument("--ask-sample", type=int, default=300, help="held-out questions for app.ask")
    args = parser.parse_args(argv)
    data, work = Path(args.data), Path(args.work)
    started = time.perf_counter()
    size = rtqa.write_corpus(data, work / "corpus" / "rtqa.jsonl")
    index_dir = work / f"index-{EMBED_RECIPE}"
    passages = rtqa.ensure_index(work / "corpus", index_dir, rebuild=args.rebuild)
    print(f"corpus: {size} paragraphs -> {passages} passages in {index_dir}", file=sys.stderr)
    h = Harness(index_dir, rtqa.load_questions(data))
    print(f"questions: {len(h.questions)} ({int(h.dev.sum())} dev, {int((~h.dev).sum())} held-out)")
    if h.missing_gold:
        print(f"warning: {h.missing_gold} questions' evidence paragraphs were rejected by the reader")
    rows, accuracy = experiments(h)
    accuracy["ask"] = ask_accuracy(h, index_dir, args.ask_sample)
    print_table(rows)
    print("answer accuracy:", json.dumps(accuracy))
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "corpus_paragraphs": size,
        "passages": passages,
        "questions": len(h.questions),
        "dev_questions": int(h.dev.sum()),
        "questions_without_gold_passage": h.missing_gold,
        "embed_recipe": EMBED_RECIPE,
        "seconds": round(time.perf_counter() - started, 1),
        "rows": rows,
        "answer_accuracy": accuracy,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "eval_retrieval.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out / 'eval_retrieval.json'}")
    return 0


def rm3_orders(
    h: Harness, cs: list[Candidates], texts: list[str], w: float, feedback: int, terms: int, lam: float
):
    """RM3-like expansion of the BM25 query: the ``terms`` most frequent (length-normalised)
    new terms of the first pass's top ``feedback`` passages, added with weight ``lam``."""
    from app.text.words import keyword_terms as tokenize

    bm25 = h.index.keyword._bm25
    out = []
    for c, text in zip(cs, texts, strict=True):
        top = c.ids[fusion.top_k(fusion.weighted(c.z_dense, c.z_keyword, w), feedback)]
        asked = set(tokenize([text])[0])
        weights: dict[str, float] = {}
        for i in top:
            tokens = tokenize([h.texts[int(i)]])[0]
            for t in tokens:
                if t and t in bm25.vocab_dict and t not in asked:
                    weights[t] = weights.get(t, 0.0) + 1.0 / len(tokens)
        chosen = sorted(weights.items(), key=lambda kv: -kv[1])[:terms]
        scores = h.index.keyword.scores(text, h.n).astype(np.float64)
        if chosen:
            total = sum(v for _, v in chosen)
            scores += lam * sum(v / total * np.asarray(bm25.get_scores([t]), np.float64) for t, v in chosen)
        z = fusion.standardise(scores[c.ids], float(scores.mean()), float(scores.std()))
        out.append(order_by(c, fusion.weighted(c.z_dense, z, w)))
    return out


def normalised_orders(cs: list[Candidates], how: str, w: float) -> list[np.ndarray]:
    """Other score normalisations (Bruch et al. 2023): z over the candidates only, min-max
    over the candidates, or theoretical-min max ("TM2C2": cosine from -1, BM25 from 0)."""
    out = []
    for c in cs:
        if how == "z-candidates":
            d, k = ((x - x.mean()) / (x.std() + 1e-9) for x in (c.dense, c.keyword))
        elif how == "min-max":
            d, k = ((x - x.min()) / (x.max() - x.min() + 1e-9) for x in (c.dense, c.keyword))
        else:
            d, k = (c.dense + 1) / (c.dense.max() + 1), c.keyword / (c.keyword.max() + 1e-9)
        out.append(order_by(c, w * d + (1 - w) * k))
    return out


def centred_orders(h: Harness, cs: list[Candidates], w: float) -> list[np.ndarray]:
    """Dense cosine after subtracting the corpus mean vector from passages and query
    (removes the embedding space's common direction), fused by z over the candidates."""
    mean = h.index.mean.astype(np.float32)
    out = []
    for c in cs:
        v = h.vectors[c.ids] - mean
        q = c.query - mean
        d = (v / np.linalg.norm(v, axis=1, keepdims=True)) @ (q / np.linalg.norm(q))
        zd, zk = ((x - x.mean()) / (x.std() + 1e-9) for x in (d, c.keyword))
        out.append(order_by(c, w * zd + (1 - w) * zk))
    return out


def learned_orders(h: Harness, cs: list[Candidates], texts: list[str]) -> tuple[list[np.ndarray], dict]:
    """A logistic regression (gold vs not, fitted on dev candidates only) over score
    features: z(dense), z(BM25), IDF-weighted query-term coverage, query-bigram coverage,
    and the reciprocal ranks 1/(60 + rank) of each retriever."""
    from sklearn.linear_model import LogisticRegression

    from app.text.words import keyword_terms as tokenize

    tokens = tokenize(h.texts)
    sets = [frozenset(t) for t in tokens]
    bigrams = [frozenset(zip(t, t[1:], strict=False)) for t in tokens]
    df: dict[str, int] = {}
    for st in sets:
        for t in st:
            df[t] = df.get(t, 0) + 1
    idf = {t: float(np.log(1 + (h.n - d + 0.5) / (d + 0.5))) for t, d in df.items()}
    names = ["z_dense", "z_bm25", "coverage", "bigrams", "rr_dense", "rr_bm25"]
    feats = []
    for c, text in zip(cs, texts, strict=True):
        asked = list(dict.fromkeys(t for t in tokenize([text])[0] if t in idf))
        pairs = list(dict.fromkeys(zip(asked, asked[1:], strict=False)))
        wts = np.array([idf[t] for t in asked])
        cover = (
            np.array([[t in sets[int(i)] for t in asked] for i in c.ids], float) @ wts / max(wts.sum(), 1e-9)
        )
        pair = np.array([sum(p in bigrams[int(i)] for p in pairs) / max(len(pairs), 1) for i in c.ids])
        rd, rk = (np.argsort(np.argsort(-x)) for x in (c.dense, c.keyword))
        feats.append(np.column_stack([c.z_dense, c.z_keyword, cover, pair, 1 / (60 + rd), 1 / (60 + rk)]))
    dev = np.flatnonzero(h.dev)
    x = np.vstack([feats[i] for i in dev])
    y = np.concatenate([np.isin(cs[i].ids, list(h.gold[i])) for i in dev])
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    coef = LogisticRegression(C=1.0, max_iter=3000).fit((x - mu) / sd, y).coef_[0] / sd
    orders = [order_by(c, f @ coef) for c, f in zip(cs, feats, strict=True)]
    return orders, {n: round(float(v), 4) for n, v in zip(names, coef, strict=True)}


def experiments(h: Harness) -> tuple[list[dict], dict]:
    """Every configuration, each tuned on dev only; returns the table rows and the answer
    accuracy of the top passage per retriever."""
    raw = [q.text for q in h.questions]
    cleaned = [query.drop_quiz_phrasing(t) for t in raw]
    rows = []
    say = lambda name: print(f"  {name}", file=sys.stderr, flush=True)  # noqa: E731
    cs = candidates(h, raw, h.index.keyword)
    dense, bm25 = [c.dense_order for c in cs], [c.keyword_order for c in cs]
    rows.append(row("dense (all-MiniLM-L6-v2)", h, dense))
    rows.append(row("BM25 (k1=1.5, b=0.75)", h, bm25))
    rows.append(row("weighted 0.8 z(dense)+0.2 z(BM25) (before)", h, weighted_orders(cs, 0.8)))
    weights = [{"w": w} for w in (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)]
    p, _ = tune(h, weights, lambda w: weighted_orders(cs, w))
    rows.append(row(f"weighted, w tuned on dev (w={p['w']})", h, weighted_orders(cs, p["w"]), params=p))
    say("query clean-up")
    cc = candidates(h, cleaned, h.index.keyword)
    rows.append(row("dense, cleaned question", h, [c.dense_order for c in cc]))
    rows.append(row("BM25, cleaned question", h, [c.keyword_order for c in cc]))
    p, chosen = tune(h, weights, lambda w: weighted_orders(cc, w))
    rows.append(row(f"HYBRID: weighted, cleaned question (w={p['w']})", h, chosen, params=p))
    say("Rocchio")
    grid = [{"w": 0.8, "feedback": f, "beta": b} for f in (3, 5, 10) for b in (0.3, 0.6, 1.0)]
    p, orders = tune(h, grid, lambda **kw: rocchio_orders(h, cc, **kw))
    rows.append(row("+ Rocchio feedback on the dense query", h, orders, params=p))
    say("RM3")
    grid = [{"w": 0.8, "feedback": f, "terms": t, "lam": lam} for f, t, lam in ((3, 10, 0.5), (10, 20, 0.5))]
    p, orders = tune(h, grid, lambda **kw: rm3_orders(h, cc, cleaned, **kw))
    rows.append(row("+ RM3-like expansion of the BM25 query", h, orders, params=p))
    say("normalisations")
    for how in ("z-candidates", "min-max", "tm2c2"):
        grid = [{"w": w} for w in np.round(np.arange(0.5, 0.96, 0.05), 2).tolist()]
        p, orders = tune(h, grid, lambda w, how=how: normalised_orders(cc, how, w))
        rows.append(row(f"normalised by {how} (w={p['w']})", h, orders, params=p))
    p, orders = tune(h, [{"w": w} for w in (0.6, 0.7, 0.8)], lambda w: centred_orders(h, cc, w))
    rows.append(row(f"mean-centred dense, z-candidates (w={p['w']})", h, orders, params=p))
    say("BM25 parameters")
    from app.text.words import keyword_terms as tokenize

    tokens = tokenize(h.texts)
    queries = np.stack([c.query for c in cc])
    encode = h.retriever.embedder.encode
    h.retriever.embedder.encode = lambda texts, batch_size=0: queries  # same questions: reuse
    try:
        for params in ({"k1": 1.2, "b": 0.75}, {"k1": 1.2, "b": 0.9}, {"k1": 0.9, "b": 0.4}):
            ck = candidates(h, cleaned, keyword_variant(h, tokens, **params))
            rows.append(row(f"BM25 k1={params['k1']} b={params['b']}", h, [c.keyword_order for c in ck]))
            rows.append(row("  weighted 0.8 with it", h, weighted_orders(ck, 0.8), params=params))
    finally:
        h.retriever.embedder.encode = encode
    say("learned combiner")
    orders, coef = learned_orders(h, cc, cleaned)
    rows.append(row("logistic combiner over 6 features", h, orders, coefficients=coef))
    say("the app, end to end")
    app, p50 = app_orders(h, raw, "hybrid")
    rows.append(row("app: retrieve(mode='hybrid')", h, app, p50_ms=round(1000 * p50, 2)))
    accuracy = {
        "dense": answer_accuracy(h, dense),
        "bm25": answer_accuracy(h, bm25),
        "hybrid": answer_accuracy(h, app),
    }
    return rows, accuracy


def ask_accuracy(h: Harness, index_dir: Path, sample: int) -> dict:
    """On ``sample`` held-out questions with choices: is the right choice's text in the
    composed answer of ``app.ask`` (when that exists)?"""
    try:
        from app import ask
    except ImportError:
        return {"skipped": "app.ask is not available"}
    picked = [q for q, dev in zip(h.questions, h.dev, strict=True) if not dev and q.answer is not None]
    picked = [q for q in picked if q.answer < len(q.choices)][:sample]
    found = abstained = 0
    for q in picked:
        answer = ask(q.text, index_dir=index_dir)
        abstained += answer.abstained
        found += q.choices[q.answer].strip().lower() in answer.text.lower()
    n = max(len(picked), 1)
    return {"questions": len(picked), "choice_in_answer": found / n, "abstained": abstained / n}


if __name__ == "__main__":
    raise SystemExit(main())
