"""Retrieval quality on RealTimeQA: Recall@1/5/10 and MRR@100 per retriever configuration.

Runs the protocol of ``../shared/data/README.md``: the corpus (about 43k passages) is
written as JSONL under ``--work`` (outside the repository) and indexed with the project's
own ``build_index``; queries are the question sentences; gold is the passage built from
the question's evidence paragraph. Questions are split deterministically by a hash of
their id into a dev half (where weights are tuned) and a held-out half (reported).

Every configuration re-ranks the same candidates as the app (the union of the top
``CANDIDATES`` of each retriever, ``benchmarks.harness``), with the app's own functions
from ``app.search.fusion`` and ``app.search.query``; the row marked "app" runs
``Retriever.search`` itself, end to end. ``--hubness`` runs only the experiment that
chose the hubness penalty (``fusion.HUBNESS_WEIGHT``): its neighbourhood size, weight and
the dense weight on dev, each also ranked among the evidence paragraphs only. Other
experiments, retired, are recorded in ``docs/experiments.md``.

Usage: ``python -m benchmarks.eval_retrieval [DATA] [--work DIR] [--out DIR] [--hubness]``
(``make eval``). Prints a table and writes ``benchmarks/results/eval_retrieval.json``
(``eval_retrieval_hubness.json`` with ``--hubness``).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from app.index import density
from app.index.build import EMBED_RECIPE
from app.search import fusion, query
from app.text.terms import keyword_terms as tokenize
from benchmarks import rtqa
from benchmarks.common import machine, say, table, write_result
from benchmarks.harness import (
    CUTOFF,
    Bm25sVariant,
    Candidates,
    Harness,
    Metrics,
    candidates,
    cells,
    order_by,
    print_table,
    row,
    tune,
    weighted_orders,
)


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


def app_orders(
    h: Harness, texts: list[str], mode: str, *, copies: bool = False
) -> tuple[list[np.ndarray], float]:
    """End to end through ``Retriever.search``; returns orders and the p50 seconds a query.
    ``copies``: a hit whose citation lists the gold record among the copies of its story
    (``carried_by``: the app folds near-identical passages of one story into one hit
    citing every copy) counts as the gold record's passage; ``texts`` must then be the
    harness's questions, in order."""
    orders, times = [], []
    for i, text in enumerate(texts):
        if not text.strip():  # the app refuses an empty question (one BanglaQuAD question): a miss
            orders.append(np.zeros(0, dtype=np.int64))
            continue
        t0 = time.perf_counter()
        hits = h.retriever.search(text, CUTOFF, mode=mode)
        times.append(time.perf_counter() - t0)
        rows = [h.index.row_of(hit.citation.passage_id) for hit in hits]
        if copies:
            rows = [_gold_copy(h, i, row, hit) for row, hit in zip(rows, hits, strict=True)]
        orders.append(np.array(rows, dtype=np.int64))
    return orders, float(np.median(times))


def _gold_copy(h: Harness, i: int, row: int, hit) -> int:
    """``row``, or a gold row of question ``i`` when the hit cites the gold record as a copy."""
    if row in h.gold[i]:
        return row
    for outlet in hit.citation.carried_by:
        found = [r for r in h.rows_by_url.get(outlet.url or "", ()) if r in h.gold[i]]
        if found:
            return found[0]
    return row


def answer_accuracy(h: Harness, orders: list[np.ndarray]) -> dict:
    """Share of questions with choices whose right choice's text is in the top passage."""
    found = total = 0
    for q, order in zip(h.questions, orders, strict=True):
        if q.answer is None or q.answer >= len(q.choices) or len(order) == 0:
            continue
        total += 1
        found += q.choices[q.answer].strip().lower() in h.texts[int(order[0])].lower()
    return {"questions": total, "choice_in_top_passage": found / max(total, 1)}


def keyword_variant(h: Harness, tokens: list[list[str]], **params) -> Bm25sVariant:
    """A BM25 index over the same passages with other bm25s parameters (k1, b, method)."""
    return Bm25sVariant(tokens, **params)


def rm3_orders(
    h: Harness, cs: list[Candidates], texts: list[str], w: float, feedback: int, terms: int, lam: float
):
    """RM3-like expansion of the BM25 query: the ``terms`` most frequent (length-normalised)
    new terms of the first pass's top ``feedback`` passages, added with weight ``lam``."""
    bm25 = Bm25sVariant(tokenize(h.texts)).bm25  # the app's parameters, bm25s's vocabulary
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
        scores = h.keyword.scores(text, h.n).astype(np.float64)
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
    cs = candidates(h, raw, h.keyword)
    dense, bm25 = [c.dense_order for c in cs], [c.keyword_order for c in cs]
    rows.append(row(f"dense ({h.index.manifest['model'].split('/')[-1]})", h, dense))
    rows.append(row("BM25 (k1=1.5, b=0.75)", h, bm25))
    rows.append(row("weighted 0.8 z(dense)+0.2 z(BM25) (before)", h, weighted_orders(cs, 0.8)))
    weights = [{"w": w} for w in (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)]
    p, _ = tune(h, weights, lambda w: weighted_orders(cs, w))
    rows.append(row(f"weighted, w tuned on dev (w={p['w']})", h, weighted_orders(cs, p["w"]), params=p))
    say("  query clean-up")
    cc = candidates(h, cleaned, h.keyword)
    rows.append(row("dense, cleaned question", h, [c.dense_order for c in cc]))
    rows.append(row("BM25, cleaned question", h, [c.keyword_order for c in cc]))
    p, chosen = tune(h, weights, lambda w: weighted_orders(cc, w))
    rows.append(row(f"HYBRID: weighted, cleaned question (w={p['w']})", h, chosen, params=p))
    say("  Rocchio")
    grid = [{"w": 0.8, "feedback": f, "beta": b} for f in (3, 5, 10) for b in (0.3, 0.6, 1.0)]
    p, orders = tune(h, grid, lambda **kw: rocchio_orders(h, cc, **kw))
    rows.append(row("+ Rocchio feedback on the dense query", h, orders, params=p))
    say("  RM3")
    grid = [{"w": 0.8, "feedback": f, "terms": t, "lam": lam} for f, t, lam in ((3, 10, 0.5), (10, 20, 0.5))]
    p, orders = tune(h, grid, lambda **kw: rm3_orders(h, cc, cleaned, **kw))
    rows.append(row("+ RM3-like expansion of the BM25 query", h, orders, params=p))
    say("  normalisations")
    for how in ("z-candidates", "min-max", "tm2c2"):
        grid = [{"w": w} for w in np.round(np.arange(0.5, 0.96, 0.05), 2).tolist()]
        p, orders = tune(h, grid, lambda w, how=how: normalised_orders(cc, how, w))
        rows.append(row(f"normalised by {how} (w={p['w']})", h, orders, params=p))
    p, orders = tune(h, [{"w": w} for w in (0.6, 0.7, 0.8)], lambda w: centred_orders(h, cc, w))
    rows.append(row(f"mean-centred dense, z-candidates (w={p['w']})", h, orders, params=p))
    say("  BM25 parameters")
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
    say("  learned combiner")
    orders, coef = learned_orders(h, cc, cleaned)
    rows.append(row("logistic combiner over 6 features", h, orders, coefficients=coef))
    say("  the app, end to end")
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
    composed answer of ``app.ask``, how often it abstains, and how long its answers are
    (quoted sentences and characters, over the answers given)?"""
    from app import ask

    picked = [q for q, dev in zip(h.questions, h.dev, strict=True) if not dev and q.answer is not None]
    picked = [q for q in picked if q.answer < len(q.choices)][:sample]
    found = abstained = 0
    sentences, chars = [], []
    for q in picked:
        answer = ask(q.text, index_dir=index_dir)
        abstained += answer.abstained
        found += q.choices[q.answer].strip().lower() in answer.text.lower()
        if not answer.abstained:
            sentences.append(len({(c.passage_id, c.start) for c in answer.citations}))
            chars.append(len(answer.text))
    n = max(len(picked), 1)
    return {
        "questions": len(picked),
        "choice_in_answer": found / n,
        "abstained": abstained / n,
        "sentences": float(np.mean(sentences)) if sentences else 0.0,
        "characters": float(np.mean(chars)) if chars else 0.0,
    }


# ------------------------------------------------------------------- the hubness penalty

HUBNESS_NEIGHBOURS = (5, 10, 20, 50)  # k of the density: mean cosine to the k nearest
HUBNESS_WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.75, 1.0)  # beta, the penalty's weight
HUBNESS_DENSE_WEIGHTS = (0.8, 0.75, 0.85)


def hubness_experiment(h: Harness) -> dict:
    """The hubness penalty on the app's own candidates (top 100 of each retriever, the
    cleaned question): ``weighted(z_dense, z_bm25, w) - beta * z(density_k)``, with k,
    beta and w chosen on dev by R@5 + MRR, then a few fixed points (among them the app's,
    k 10 and beta 0.5). Every row is also ranked among the evidence paragraphs only: part
    of a gain that shrinks there comes from the protocol's make-up (evidence paragraphs
    are less crowded than the distractor articles), not from finding answers. Timed: the
    per-query cost is one gather and one subtraction."""
    cleaned = [query.drop_quiz_phrasing(q.text) for q in h.questions]
    cs = candidates(h, cleaned, h.keyword)
    started = time.perf_counter()
    zd = {k: density.standardised(density.raw_density(h.vectors, k=k), h.n) for k in HUBNESS_NEIGHBOURS}
    density_seconds = time.perf_counter() - started
    say(f"  densities: {density_seconds:.1f} s for {len(zd)} values of k")
    w = fusion.DENSE_WEIGHT
    rows = []

    def add(name: str, orders: list[np.ndarray], **extra) -> None:
        r = row(name, h, orders, **extra)
        ranks = h.evidence_only_ranks(orders)
        r["evidence_only"] = {
            "dev": asdict(Metrics.of(ranks[h.dev])),
            "held_out": asdict(Metrics.of(ranks[~h.dev])),
        }
        rows.append(r)
        say(f"  {name}")

    def run(k: int, beta: float, weight: float = w) -> list[np.ndarray]:
        return [
            order_by(c, fusion.weighted(c.z_dense, c.z_keyword, weight) - beta * zd[k][c.ids]) for c in cs
        ]

    add("hybrid (app candidates)", run(10, 0.0))
    grid = [
        {"k": k, "beta": b, "weight": ww} for k in zd for b in HUBNESS_WEIGHTS for ww in HUBNESS_DENSE_WEIGHTS
    ]
    p, orders = tune(h, grid, run)
    k, b = p["k"], p["beta"]
    add(
        f"hubness penalty, tuned on dev (k {k}, beta {b}, w {p['weight']})",
        orders,
        params=[k, b, p["weight"]],
    )
    for kk, bb in ((10, 0.3), (10, 0.5), (20, 0.5), (k, b)):
        add(f"  k {kk}, beta {bb}, w {w}", run(kk, bb))
    started = time.perf_counter()
    for c in cs:
        fusion.weighted(c.z_dense, c.z_keyword, w) - b * zd[k][c.ids]
    query_us = 1e6 * (time.perf_counter() - started) / len(cs)
    say(f"  query-time cost: {query_us:.1f} us a question")
    return {"rows": rows, "density_seconds": round(density_seconds, 1), "query_time_us": round(query_us, 1)}


def print_evidence_only(rows: list[dict]) -> None:
    print("\nranked among evidence paragraphs only (R@1 R@5 R@10 MRR)")
    print(
        table(
            ["configuration", "dev", "held-out"],
            [
                [r["config"], cells(r["evidence_only"]["dev"]), cells(r["evidence_only"]["held_out"])]
                for r in rows
            ],
        )
    )


# --------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    rtqa.add_arguments(parser)
    parser.add_argument("--ask-sample", type=int, default=300, help="held-out questions for app.ask")
    parser.add_argument("--model", default=None, help="embedding model (default: the app's for English)")
    parser.add_argument(
        "--end-to-end",
        action="store_true",
        help="only retrieve() end to end and app.ask (the default design's row: --model both)",
    )
    parser.add_argument(
        "--hubness",
        action="store_true",
        help="only the hubness penalty's experiment (k, beta, w on dev; evidence paragraphs only)",
    )
    args = parser.parse_args(argv)
    data, work = Path(args.data), Path(args.work)
    started = time.perf_counter()
    size = rtqa.write_corpus(data, work / "corpus" / "rtqa.jsonl")
    index_dir = rtqa.index_folder(work, args.model)
    passages = rtqa.ensure_index(work / "corpus", index_dir, rebuild=args.rebuild, model=args.model)
    say(f"corpus: {size} paragraphs -> {passages} passages in {index_dir}")
    h = Harness(index_dir, rtqa.load_questions(data))
    print(f"questions: {len(h.questions)} ({int(h.dev.sum())} dev, {int((~h.dev).sum())} held-out)")
    if h.missing_gold:
        print(f"warning: {h.missing_gold} questions' evidence paragraphs were rejected by the reader")
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "corpus_paragraphs": size,
        "passages": passages,
        "questions": len(h.questions),
        "dev_questions": int(h.dev.sum()),
        "questions_without_gold_passage": h.missing_gold,
        "embed_recipe": EMBED_RECIPE,
        "model": h.index.manifest["model"],
    }
    if args.hubness:
        hubness = hubness_experiment(h)
        print_table(hubness["rows"])
        print_evidence_only(hubness["rows"])
        result["seconds"] = round(time.perf_counter() - started, 1)
        write_result("eval_retrieval_hubness", {**result, **hubness}, args.out)
        return 0
    if args.end_to_end:
        orders, p50 = app_orders(h, [q.text for q in h.questions], "hybrid")
        rows = [
            row(
                f"app: retrieve(mode='hybrid'), {args.model or 'default'}",
                h,
                orders,
                p50_ms=round(1000 * p50, 2),
            )
        ]
        accuracy = {"hybrid": answer_accuracy(h, orders)}
    else:
        rows, accuracy = experiments(h)
    accuracy["ask"] = ask_accuracy(h, index_dir, args.ask_sample)
    print_table(rows)
    print("answer accuracy:", json.dumps(accuracy))
    result["seconds"] = round(time.perf_counter() - started, 1)
    name = "eval_retrieval_end_to_end" if args.end_to_end else "eval_retrieval"
    write_result(name, {**result, "rows": rows, "answer_accuracy": accuracy}, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
