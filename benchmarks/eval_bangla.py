"""Retrieval quality on the two Bangla protocols: Recall@1/5/10 and MRR@100, dev and held-out.

For BanglaQuAD and the factoid news set (``benchmarks.bangla``) the corpus is written as
JSONL and indexed by the project's ``build_index`` with the automatic model
(multilingual-e5-small: the articles are Bangla); every row ranks that index's passages,
and gold is any passage of the question's gold record. Rows:

* BM25 with bm25s's default tokenizer (English stopwords and Snowball: newsdesk's terms
  before Bangla) and with the Bangla-aware terms of ``app.text.terms``;
* dense all-MiniLM-L6-v2 and dense multilingual-e5-small (mE5), each alone;
* the hybrid newsdesk had before (0.8 MiniLM + 0.2 default BM25);
* mE5 + Bangla BM25, z-fused, the dense weight chosen on dev in 0.3-0.8; the same with
  the hubness penalty as the app applies it;
* MiniLM + mE5 + Bangla BM25, three weights chosen on dev;
* the shipped configuration end to end: ``Retriever.search(mode="hybrid")`` on the
  built index, with whatever weights ``app.search.fusion`` holds today.

Component rows re-rank the app's candidates (``benchmarks.ensemble``); questions are
split by a hash of their text (``benchmarks.common.is_dev``); weights are chosen on dev
(R@5 + MRR) and only reported on held-out. A reference check ranks the protocol's whole
paragraphs with BM25, the unit of the groundwork in ``/work/scratch/bangla/REPORT.md``.

Usage: ``python -m benchmarks.eval_bangla [DATA/bangla] [--work DIR] [--sets a,b]``
(``make eval``). Prints Markdown tables; writes ``benchmarks/results/eval_bangla.json``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from app.index import density
from app.index.models import MINILM, MULTILINGUAL
from app.search import fusion
from app.search.query import drop_quiz_phrasing
from benchmarks import bangla, ensemble, vectors
from benchmarks.common import RESULTS, constants, headline, machine, say, table, write_result
from benchmarks.eval_retrieval import app_orders
from benchmarks.harness import Bm25sVariant, Harness, print_table
from benchmarks.harness import row as harness_row

MODELS = {"minilm": MINILM, "me5": MULTILINGUAL}
PAIR_GRID = ensemble.weight_grid(["me5", "bm25-bangla"], 0.05, 0.3, 0.8)  # the dense weight 0.3-0.8
THREE_GRID = ensemble.weight_grid(["minilm", "me5", "bm25-bangla"], 0.05)


def english_terms(texts: list[str]) -> list[list[str]]:
    """bm25s's default tokenizer (``\\w\\w+``) with English stopwords and Snowball: the
    terms newsdesk indexed before it read Bangla (it drops vowel signs and the virama)."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    return bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)


def DefaultTokenizerBM25(texts: list[str]) -> Bm25sVariant:  # noqa: N802 -- reads as the class it was
    """BM25 (k1 1.5, b 0.75, as the app's) over ``english_terms``."""
    return Bm25sVariant(english_terms(texts), english_terms)


@dataclass(frozen=True)
class Scored:
    """One set's index, questions and every retriever's pools, and each model's
    standardised passage density (``app.index.density``, for the hubness penalty)."""

    name: str
    harness: Harness
    pools: ensemble.Pools
    density: dict[str, np.ndarray]
    dense: dict[str, tuple[np.ndarray, np.ndarray]]  # model -> (passage, question) vectors


def score_set(bangla_set: bangla.BanglaSet, work: Path, *, rebuild: bool = False) -> Scored:
    """Index the set (automatic model), embed its passages and questions with both models
    (cached), and score every question with the four retrievers."""
    index_dir = bangla.ensure_index(bangla_set, work, rebuild=rebuild)
    h = Harness(index_dir, list(bangla_set.questions))
    say(f"{bangla_set.name}: {h.n} passages ({h.index.manifest['model']}), {len(h.questions)} questions")
    texts = [drop_quiz_phrasing(q.text) for q in h.questions]  # what the app's hybrid searches
    dense, scorers, dens = {}, {}, {}
    for short, model in MODELS.items():
        embedder = vectors.cached(work / bangla_set.name, model)
        dense[short] = (embedder.encode(h.texts, progress=True), embedder.encode(texts, kind="query"))
        scorers[short] = ensemble.dense(*dense[short])
        dens[short] = density.passage_density(dense[short][0])
    scorers["bm25-default"] = ensemble.keyword(DefaultTokenizerBM25(h.texts), texts, h.n)
    scorers["bm25-bangla"] = ensemble.keyword(h.keyword, texts, h.n)
    started = time.perf_counter()
    pools = ensemble.pools(scorers, h.gold, h.n)
    say(f"  scored in {time.perf_counter() - started:.0f} s")
    return Scored(bangla_set.name, h, pools, dens, dense)


def experiments(s: Scored) -> tuple[list[dict], list[dict]]:
    """The table rows of one set, and the dense-weight sweep of mE5 + Bangla BM25."""
    h, p, dev = s.harness, s.pools, s.harness.dev
    rows = [
        ensemble.row("BM25, bm25s default tokenizer (before)", p.alone["bm25-default"], dev),
        ensemble.row("BM25, Bangla-aware terms (app.text.terms)", p.alone["bm25-bangla"], dev),
        ensemble.row("dense all-MiniLM-L6-v2", p.alone["minilm"], dev),
        ensemble.row("dense multilingual-e5-small", p.alone["me5"], dev),
    ]
    before = {"minilm": 0.8, "bm25-default": 0.2}
    rows.append(ensemble.row("before: 0.8 MiniLM + 0.2 BM25 default", p.ranks(before), dev))
    sweep = [ensemble.row(ensemble.weights_label(w), p.ranks(w), dev, weights=w) for w in PAIR_GRID]
    w, ranks = ensemble.tune(p, dev, PAIR_GRID)
    rows.append(
        ensemble.row(f"mE5 + Bangla BM25, dev-chosen ({w['me5']:g}/{w['bm25-bangla']:g})", ranks, dev)
    )
    beta = fusion.hubness_weight("e5", "bn")  # z-density at k 10, as the index has it
    rows.append(
        ensemble.row(f"  + hubness penalty (beta {beta:g}, k 10)", p.ranks(w, beta * s.density["me5"]), dev)
    )
    shipped_w = {"me5": fusion.dense_weight("e5", "bn"), "bm25-bangla": 1 - fusion.dense_weight("e5", "bn")}
    rows.append(
        ensemble.row(
            f"mE5 + Bangla BM25 as the app: {_short(shipped_w)}, beta {beta:g}",
            p.ranks(shipped_w, beta * s.density["me5"]),
            dev,
        )
    )
    w3, ranks = ensemble.tune(p, dev, THREE_GRID)
    rows.append(
        ensemble.row(f"MiniLM + mE5 + Bangla BM25, dev-chosen ({_short(w3)})", ranks, dev, weights=w3)
    )
    say("  the shipped configuration, end to end")
    orders, p50 = app_orders(h, [q.text for q in h.questions], "hybrid")
    shipped = f"shipped: build_index (auto: {_model(h)}) + Retriever.search(hybrid)"
    rows.append(harness_row(shipped, h, orders, p50_ms=round(1000 * p50, 2), fusion=fusion_constants()))
    # The protocol holds the same paragraph as several records; the app folds them into one
    # hit citing every copy, which is a miss above when the gold record is not the first copy.
    orders, _ = app_orders(h, [q.text for q in h.questions], "hybrid", copies=True)
    rows.append(harness_row(f"{shipped}, a copy cited counts", h, orders))
    return rows, sweep


def reference_rows(bangla_set: bangla.BanglaSet) -> list[dict]:
    """BM25 over the protocol's whole paragraphs (one record, one unit; the groundwork's
    unit), to compare with the groundwork's numbers: the index splits records longer
    than 900 characters into passages, the rows above rank those."""
    from benchmarks.common import is_dev
    from benchmarks.harness import Bm25

    texts = [r.text for r in bangla_set.records]
    row_of = {r.url: i for i, r in enumerate(bangla_set.records) if r.url}
    gold = [{row_of[q.evidence_url]} for q in bangla_set.questions]
    questions = [q.text for q in bangla_set.questions]
    dev = np.array([is_dev(q.question_id) for q in bangla_set.questions])
    scorers = {
        "default": ensemble.keyword(DefaultTokenizerBM25(texts), questions, len(texts)),
        "bangla": ensemble.keyword(Bm25.build(texts), questions, len(texts)),
    }
    p = ensemble.pools(scorers, gold, len(texts))
    return [
        ensemble.row("whole paragraphs: BM25 default tokenizer", p.alone["default"], dev),
        ensemble.row("whole paragraphs: BM25 Bangla-aware terms", p.alone["bangla"], dev),
    ]


def fusion_constants() -> dict:
    """The fusion constants the app has today (the dense weight may depend on language)."""
    return constants(fusion)


def _model(h: Harness) -> str:
    return h.index.manifest["model"].split("/")[-1]


def _short(weights: dict) -> str:
    return "/".join(f"{w:g}" for w in weights.values())


def print_sweep(sweep: list[dict]) -> None:
    print("\nmE5 + Bangla BM25 by dense weight (R@5 and MRR)")
    print(
        table(
            ["weights", "dev R@5", "dev MRR", "held-out R@5", "held-out MRR"],
            [
                [r["config"], *(f"{r[part][m]:.3f}" for part in ("dev", "held_out") for m in ("r5", "mrr"))]
                for r in sweep
            ],
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    bangla.add_arguments(parser)
    parser.add_argument(
        "--sets", default=",".join(bangla.SETS), help="comma-separated: " + ",".join(bangla.SETS)
    )
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    data, work = Path(args.data), Path(args.work)
    info = machine()
    print(f"machine: {headline(info)}")
    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": info, "sets": {}}
    started = time.perf_counter()
    for name in args.sets.split(","):
        bangla_set = bangla.load(name, data, work)
        s = score_set(bangla_set, work, rebuild=args.rebuild)
        rows, sweep = experiments(s)
        reference = reference_rows(bangla_set)
        h = s.harness
        dev, held = int(h.dev.sum()), int((~h.dev).sum())
        print(f"\n## {name}: {h.n} passages from {len(bangla_set.records)} records")
        print(f"{len(h.questions)} questions ({dev} dev, {held} held-out; gold missing: {h.missing_gold})\n")
        print_table(rows)
        print_sweep(sweep)
        print("\nreference check (the groundwork's unit)")
        print_table(reference)
        result["sets"][name] = {
            "info": bangla_set.info,
            "passages": h.n,
            "model": h.index.manifest["model"],
            "questions": len(h.questions),
            "dev_questions": int(h.dev.sum()),
            "questions_without_gold_passage": h.missing_gold,
            "rows": rows,
            "dense_weight_sweep": sweep,
            "whole_paragraph_reference": reference,
        }
    result["seconds"] = round(time.perf_counter() - started, 1)
    write_result("eval_bangla", result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
