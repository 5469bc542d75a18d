"""Query latency of each retrieval mode at RealTimeQA scale (~43k passages), same run.

Uses the index that ``benchmarks.eval_retrieval`` builds under ``--work`` (building it if it is
missing: ~7 minutes of embedding on 2 cores) and times ``Retriever.search`` for the
first ``--queries`` questions in each mode, after a warm-up; the default design is
(c) (multilingual-e5-small + the English MiniLM companion), and a hybrid search of the
MiniLM-only index of the same corpus (``--baseline``) is timed beside it. Modes are
interleaved question by question, so a noisy neighbour slows them alike. Prints a table and writes
``benchmarks/results/bench_latency.json`` with the machine and date.

Usage: ``python -m benchmarks.bench_latency [DATA] [--work DIR] [--queries N]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from app.index.models import recorded_design
from app.index.store import StoredIndex
from app.search.retriever import MODES, Retriever
from benchmarks import rtqa
from benchmarks.common import headline, machine, table, write_result

WARM_UP = 10  # queries per mode before timing: loads BM25, fills caches, JIT-free steady state
TOP_K = 5  # what the chat asks for


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    rtqa.add_arguments(parser)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--baseline", default="minilm", help="the model of the same-run baseline index")
    args = parser.parse_args(argv)
    data, work = Path(args.data), Path(args.work)
    rtqa.write_corpus(data, work / "corpus" / "rtqa.jsonl")
    index_dir = rtqa.index_folder(work)  # the default design's
    rtqa.ensure_index(work / "corpus", index_dir, rebuild=args.rebuild)
    started = time.perf_counter()
    retriever = Retriever(StoredIndex(index_dir))
    load_seconds = time.perf_counter() - started
    baseline_dir = rtqa.index_folder(work, args.baseline)
    rtqa.ensure_index(work / "corpus", baseline_dir, rebuild=False, model=args.baseline)
    baseline = Retriever(StoredIndex(baseline_dir))
    base_label = f"hybrid, {args.baseline}-only index (baseline)"
    questions = [q.text for q in rtqa.load_questions(data)]
    runs = {mode: (retriever, mode) for mode in MODES} | {base_label: (baseline, "hybrid")}
    for text in questions[:WARM_UP]:
        for searcher, mode in runs.values():
            searcher.search(text, TOP_K, mode=mode)
    timings: dict[str, list[float]] = {label: [] for label in runs}
    for text in questions[WARM_UP : WARM_UP + args.queries]:
        for label, (searcher, mode) in runs.items():
            t0 = time.perf_counter()
            searcher.search(text, TOP_K, mode=mode)
            timings[label].append(time.perf_counter() - t0)
    rows = {
        mode: {
            "queries": len(ts),
            "p50_ms": round(1000 * float(np.percentile(ts, 50)), 2),
            "p95_ms": round(1000 * float(np.percentile(ts, 95)), 2),
            "mean_ms": round(1000 * float(np.mean(ts)), 2),
        }
        for mode, ts in timings.items()
    }
    ratio = rows["hybrid"]["p50_ms"] / rows["dense"]["p50_ms"]
    info = machine()
    date = datetime.now(timezone.utc).isoformat(timespec="seconds")
    n = retriever.index.count
    design = recorded_design(retriever.index.manifest)
    print(f"{n} passages, k={TOP_K}, design {design}")
    print(headline(info))
    print(
        table(
            ["mode", "p50 ms", "p95 ms", "mean ms"],
            [[mode, r["p50_ms"], r["p95_ms"], r["mean_ms"]] for mode, r in rows.items()],
        )
    )
    print(f"hybrid p50 / dense p50 = {ratio:.2f} (target <= 1.5)")
    result = {
        "date": date,
        "machine": info,
        "passages": n,
        "k": TOP_K,
        "index_load_seconds": round(load_seconds, 2),
        "model": retriever.index.manifest["model"],
        "companion": retriever.index.companion,
        "modes": rows,
        "hybrid_over_dense_p50": round(ratio, 3),
    }
    write_result("bench_latency", result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
