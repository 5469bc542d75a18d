"""Issue 12's design decision, measured: which embedding model embeds which passages.

* (a) one multilingual model, multilingual-e5-small (mE5), for every passage;
* (b) all-MiniLM-L6-v2 for English passages and mE5 for the others (on English-only
  RealTimeQA that is MiniLM, today's index; on the Bangla sets it is mE5);
* (c) both models for every passage, fused three ways with BM25 (weights tuned on dev).

Quality: R@1/5/10 and MRR@100 on RealTimeQA (``make eval``'s protocol, ~44k passages;
its mE5 vectors are embedded once and cached: ~40 min on 2 cores) and on both Bangla
sets (``benchmarks.eval_bangla``), each design's weights tuned on dev (R@5 + MRR), then
again with the hubness penalty as the app applies it (``app.index.density``: beta 0.5 of
the z-density at k 10; for (c) the mean of both models' z-densities), with the weights
tuned with it on; and end to end, ``Retriever.search(mode="hybrid")`` on an index built
with each model. Cost: passages/s of each model side by side in one run on the same 300
passages, English and Bangla, and what that makes of each corpus; query latency (one
question embedded by each model, p50 of 100, one thread; hybrid searches). Questions
across languages: ``benchmarks.clir``.

Usage: ``python -m benchmarks.eval_models [DATA] [--work DIR]``. Prints Markdown tables;
writes ``benchmarks/results/eval_models.json``. Does not choose: the report does.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from app.index import density
from app.index.embedder import get_embedder
from app.index.models import BOTH, MINILM, MULTILINGUAL
from app.index.store import StoredIndex
from app.search import fusion
from app.search.query import drop_quiz_phrasing
from app.search.retriever import Retriever
from benchmarks import bangla, clir, ensemble, rtqa, vectors
from benchmarks.common import constants, headline, machine, percentiles, say, table, write_result
from benchmarks.eval_bangla import score_set
from benchmarks.eval_retrieval import app_orders
from benchmarks.harness import Harness, print_table
from benchmarks.harness import row as harness_row

MODELS = {"minilm": MINILM, "me5": MULTILINGUAL}
SAMPLE = 300  # passages per language for the side-by-side speed
ROUNDS = 3  # speed rounds (median taken): the machine is shared
LATENCY_QUESTIONS = 100
WARM_UP = 10


def design_rows(p: ensemble.Pools, dev: np.ndarray, keyword: str, dens: dict, *, english: bool) -> list[dict]:
    """Rows of (a), (b), (c) on one set: fusion tuned on dev, then with the hubness
    penalty (weights tuned with it on). Two-way dense weights 0.3-0.9; three-way: every
    weighting on a 0.05 grid."""
    designs = {"(a)": ["me5"], "(b)": ["minilm"] if english else ["me5"], "(c)": ["minilm", "me5"]}
    rows = []
    for label, models in designs.items():
        names = [*models, keyword]
        grid = ensemble.weight_grid(names, 0.05, *((0.0, 1.0) if len(models) > 1 else (0.1, 0.9)))
        grid = [w for w in grid if len(models) > 1 or 0.3 - 1e-9 <= w[models[0]] <= 0.9 + 1e-9]
        w, ranks = ensemble.tune(p, dev, grid)
        rows.append(ensemble.row(f"{label} {ensemble.weights_label(w)}", ranks, dev, design=label, weights=w))
        penalty = fusion.HUBNESS_WEIGHT * np.mean([dens[m] for m in models], axis=0)
        wh, ranks = ensemble.tune(p, dev, grid, penalty)
        name = f"{label} + hubness: {ensemble.weights_label(wh)}"
        rows.append(ensemble.row(name, ranks, dev, design=label, weights=wh, hubness=True))
    if english:  # (c) as the app runs it: MiniLM only re-scores, mE5's densities alone
        model, companion = fusion.COMPANION_WEIGHTS["e5", "en"]
        w = {"minilm": companion, "me5": model, keyword: round(1 - model - companion, 2)}
        shipped = dataclasses.replace(p, member={**p.member, "minilm": np.zeros_like(p.member["minilm"])})
        ranks = shipped.ranks(w, fusion.HUBNESS_WEIGHT * dens["me5"])
        name = f"(c) shipped: {ensemble.weights_label(w)}, no MiniLM candidates, mE5 density"
        rows.append(ensemble.row(name, ranks, dev, design="(c)", weights=w, hubness=True))
    return rows


def rtqa_rows(data: Path, work: Path) -> tuple[list[dict], dict]:
    """RealTimeQA: each retriever alone, the designs, and both indexes end to end."""
    rtqa.write_corpus(data, work / "corpus" / "rtqa.jsonl")
    folders = {short: rtqa.index_folder(work, model) for short, model in MODELS.items()}
    for short, folder in folders.items():
        started = time.perf_counter()
        rtqa.ensure_index(work / "corpus", folder, rebuild=False, model=MODELS[short])
        say(f"RealTimeQA index ({short}): {time.perf_counter() - started:.0f} s")
    questions = rtqa.load_questions(data)
    h = Harness(folders["minilm"], questions)
    texts = [drop_quiz_phrasing(q.text) for q in questions]
    scorers, dens, dense = {}, {}, {}
    for short, model in MODELS.items():
        embedder = vectors.cached(work, model)
        dense[short] = (embedder.encode(h.texts), embedder.encode(texts, kind="query"))
        scorers[short] = ensemble.dense(*dense[short])
        dens[short] = density.passage_density(dense[short][0])  # as the index computes it at build
    scorers["bm25"] = ensemble.keyword(h.keyword, texts, h.n)
    p = ensemble.pools(scorers, h.gold, h.n)
    rows = [
        ensemble.row("dense MiniLM alone", p.alone["minilm"], h.dev),
        ensemble.row("dense mE5 alone", p.alone["me5"], h.dev),
        ensemble.row("BM25 alone", p.alone["bm25"], h.dev),
    ]
    rows += design_rows(p, h.dev, "bm25", dens, english=True)
    folders["both"] = rtqa.index_folder(work, BOTH)
    rtqa.ensure_index(work / "corpus", folders["both"], rebuild=False, model=BOTH)
    for short, label in (("me5", "(a)"), ("minilm", "(b)"), ("both", "(c)")):
        say(f"  end to end: {short}")
        hh = h if short == "minilm" else Harness(folders[short], questions)
        orders, p50 = app_orders(hh, [q.text for q in questions], "hybrid")
        name = f"{label} end to end: {short} index, Retriever.search(hybrid)"
        rows.append(harness_row(name, hh, orders, design=label, p50_ms=round(1000 * p50, 2)))
    return rows, {"harness": h, "folders": folders, "questions": texts}


def bangla_rows(data: Path, work: Path) -> tuple[dict[str, list[dict]], dict]:
    """Both Bangla sets: the Bangla-aware BM25 with each design, and the shipped index."""
    out, scored = {}, {}
    for name in bangla.SETS:
        s = score_set(bangla.load(name, data / "bangla", work), work)
        rows = design_rows(s.pools, s.harness.dev, "bm25-bangla", s.density, english=False)
        orders, p50 = app_orders(s.harness, [q.text for q in s.harness.questions], "hybrid")
        label = "(a)=(b) end to end: mE5 index, Retriever.search(hybrid)"
        rows.append(harness_row(label, s.harness, orders, design="(a)", p50_ms=round(1000 * p50, 2)))
        out[name], scored[name] = rows, s
    return out, scored


def speed(english: list[str], bangla_texts: list[str]) -> dict:
    """Passages/s of each model on the same passages, interleaved round by round."""
    embedders = {short: get_embedder(model) for short, model in MODELS.items()}
    for e in embedders.values():
        e.encode(english[:8])  # load and warm up
    seconds: dict[tuple[str, str], list[float]] = {}
    for r in range(ROUNDS):
        for language, texts in (("en", english), ("bn", bangla_texts)):
            for short, e in embedders.items():
                started = time.perf_counter()
                e.encode(texts, batch_size=64)
                seconds.setdefault((short, language), []).append(time.perf_counter() - started)
        say(f"  speed round {r + 1}/{ROUNDS}")
    chars = {
        "en": float(np.mean([len(t) for t in english])),
        "bn": float(np.mean([len(t) for t in bangla_texts])),
    }
    return {
        f"{short}/{language}": {
            "passages_per_s": round(
                len(english if language == "en" else bangla_texts) / float(np.median(ts)), 2
            ),
            "seconds": [round(t, 2) for t in ts],
            "mean_chars": round(chars[language], 1),
        }
        for (short, language), ts in seconds.items()
    }


def build_costs(rates: dict, sizes: dict[str, dict[str, int]]) -> list[dict]:
    """Embedding time of each corpus (passages per language) under each design."""

    def cost(model: str, language: str, n: int) -> float:
        return n / rates[f"{model}/{language}"]["passages_per_s"]

    rows = []
    for corpus, per_language in sizes.items():
        a = sum(cost("me5", lang, n) for lang, n in per_language.items())
        b = sum(cost("minilm" if lang == "en" else "me5", lang, n) for lang, n in per_language.items())
        c = a + sum(cost("minilm", lang, n) for lang, n in per_language.items())
        rows.append(
            {"corpus": corpus, **per_language, "(a) s": round(a), "(b) s": round(b), "(c) s": round(c)}
        )
    return rows


def latency(
    english: list[str], bangla_questions: list[str], searches: dict[str, tuple[Retriever, list[str]]]
) -> dict:
    """p50 of one question embedded by each model (one thread: ``encode`` of one text
    runs the single-thread session), and of hybrid searches, interleaved."""
    embedders = {short: get_embedder(model) for short, model in MODELS.items()}
    times: dict[str, list[float]] = {}
    for i in range(WARM_UP + LATENCY_QUESTIONS):
        for language, qs in (("en", english), ("bn", bangla_questions)):
            for short, e in embedders.items():
                started = time.perf_counter()
                e.encode([qs[i]], kind="query")
                if i >= WARM_UP:
                    times.setdefault(f"embed one question: {short}, {language}", []).append(
                        time.perf_counter() - started
                    )
        for label, (retriever, qs) in searches.items():
            started = time.perf_counter()
            retriever.search(qs[i], 5, mode="hybrid")
            if i >= WARM_UP:
                times.setdefault(label, []).append(time.perf_counter() - started)
    return {label: percentiles(ts) for label, ts in times.items()}


def summary(rtqa_table: list[dict], bangla_tables: dict[str, list[dict]]) -> list[list]:
    """One line a design: its best dev-tuned RealTimeQA fusion with the hubness penalty
    (what the app would run) and its rows on the Bangla sets."""

    def pick(rows: list[dict], design: str) -> dict:
        return next(r for r in rows if r.get("design") == design and r.get("hubness"))

    out = []
    for design in ("(a)", "(b)", "(c)"):
        r = pick(rtqa_table, design)
        cells = [design, f"{r['dev']['r5']:.3f}", f"{r['held_out']['r5']:.3f}"]
        cells += [f"{r['dev']['mrr']:.3f}", f"{r['held_out']['mrr']:.3f}"]
        for rows in bangla_tables.values():
            b = pick(rows, design)
            cells += [f"{b['held_out']['r5']:.3f}", f"{b['held_out']['mrr']:.3f}"]
        out.append(cells)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    rtqa.add_arguments(parser)
    args = parser.parse_args(argv)
    data, work = Path(args.data), Path(args.work)
    info = machine()
    print(f"machine: {headline(info)}")
    started = time.perf_counter()
    rtqa_table, rt = rtqa_rows(data, work)
    h = rt["harness"]
    print(f"\n## RealTimeQA: {h.n} passages, {len(h.questions)} questions ({int(h.dev.sum())} dev)\n")
    print_table(rtqa_table)
    bangla_tables, scored = bangla_rows(data, work / "bangla")
    for name, rows in bangla_tables.items():
        sh = scored[name].harness
        print(f"\n## {name}: {sh.n} passages, {len(sh.questions)} questions\n")
        print_table(rows)
    print("\n## Designs: dev-tuned fusion with the hubness penalty (R@5 and MRR)\n")
    heads = ["design", "RTQA dev R@5", "RTQA held R@5", "RTQA dev MRR", "RTQA held MRR"]
    heads += [f"{name} held {m}" for name in bangla_tables for m in ("R@5", "MRR")]
    lines = summary(rtqa_table, bangla_tables)
    print(table(heads, lines))

    say("cross-lingual pairs")
    cross = clir.evaluate(data / "bangla", work / "bangla" / "clir")
    print(f"\n## Cross-lingual: {cross['pairs']} hand-checked pairs, top {clir.TOP} of a mixed index")
    print(f"(passages: {cross['passages']}; articles: {cross['articles']})\n")
    keys = [f"{d} top{clir.TOP}" for d in ("bn->en", "en->bn", "bn->bn", "en->en")]
    print(
        table(
            ["design", "scoring", *keys],
            [[r["design"], r["scoring"], *(r[k] for k in keys)] for r in cross["summary"]],
        )
    )

    say("speed")
    bq = scored[bangla.BANGLAQUAD].harness
    english = h.texts[:: max(1, h.n // SAMPLE)][:SAMPLE]
    bengali = [t for t in bq.texts if any("\u0980" <= c <= "\u09ff" for c in t)]
    bengali = bengali[:: max(1, len(bengali) // SAMPLE)][:SAMPLE]
    rates = speed(english, bengali)
    print(f"\n## Embedding speed: the same {SAMPLE} passages a language, {ROUNDS} rounds, median\n")
    print(
        table(
            ["model/language", "passages/s", "mean chars", "seconds a round"],
            [[k, v["passages_per_s"], v["mean_chars"], v["seconds"]] for k, v in rates.items()],
        )
    )
    sizes = {
        "RealTimeQA": {"en": h.n},
        "BanglaQuAD": {"bn": bq.n},
        "factoid": {"bn": scored[bangla.FACTOID].harness.n},
        "10k passages, half Bangla": {"en": 5000, "bn": 5000},
    }
    costs = build_costs(rates, sizes)
    print("\nembedding time of each corpus (seconds, from the rates above)\n")
    print(table(list(costs[0]), [list(c.values()) for c in costs]))

    say("latency")
    me5_index = StoredIndex(rt["folders"]["me5"])
    searches = {
        "(b) hybrid search, RealTimeQA MiniLM index, en": (Retriever(h.index), [q.text for q in h.questions]),
        "(a) hybrid search, RealTimeQA mE5 index, en": (Retriever(me5_index), [q.text for q in h.questions]),
        "(a)=(b) hybrid search, BanglaQuAD mE5 index, bn": (
            Retriever(bq.index),
            [q.text for q in bq.questions],
        ),
    }
    bn_questions = [q.text for q in bq.questions]
    lat = latency([q.text for q in h.questions], bn_questions, searches)
    query = get_embedder(MULTILINGUAL).encode([h.questions[0].text], kind="query")[0]
    dense_top = []
    for _ in range(LATENCY_QUESTIONS):
        t0 = time.perf_counter()
        me5_index.search(query, 100)
        dense_top.append(time.perf_counter() - t0)
    lat["mE5 dense top 100, RealTimeQA (the extra search of (c))"] = percentiles(dense_top)
    print("\n## Query latency (p50 of 100, ms)\n")
    print(table(["what", "p50 ms", "p95 ms"], [[k, v["p50_ms"], v["p95_ms"]] for k, v in lat.items()]))

    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": info,
        "rtqa": {"passages": h.n, "questions": len(h.questions), "rows": rtqa_table},
        "bangla": bangla_tables,
        "summary": {"headers": heads, "rows": lines},
        "clir": cross,
        "speed": rates,
        "build_costs": costs,
        "latency": lat,
        "fusion_constants": constants(fusion),
        "seconds": round(time.perf_counter() - started, 1),
    }
    write_result("eval_models", result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
