"""Segmentation must not change the scores: ``make eval``'s RealTimeQA protocol on a
segmented index (the corpus added in four steps, one of them first added in a changed
form and then corrected, so the index holds tombstones) against the same corpus in one
merged segment.

Both indexes hold the same live passages; the hybrid fusion reads corpus statistics
(dense mean and covariance, BM25 document frequencies and lengths, z-score moments, the
hubness densities) over the live rows of all segments, so R@k and MRR should agree
within rounding (the issue's bound: 0.002). Vectors come from the evaluation's cache
(``benchmarks.vectors``), so nothing is embedded again.

Usage: ``python -m benchmarks.eval_segments [DATA] [--work DIR]``. Prints a table and
writes ``benchmarks/results/eval_segments.json``.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np

from app.index.store import StoredIndex
from benchmarks import rtqa
from benchmarks.common import machine, say, write_result
from benchmarks.eval_retrieval import app_orders
from benchmarks.harness import Harness, print_table, row

SHARES = (0.6, 0.8, 0.9, 1.0)  # the corpus lines indexed after each step
BOUND = 0.002


def segmented(corpus: Path, folder: Path) -> Path:
    """Build ``folder/index`` from ``corpus`` in steps, never merging: each step adds a
    JSONL file of the next lines; the third step's file is first added with an author on
    every record (new versions of the same articles, same texts: their vectors are
    reused), then put right (the changed versions' rows become tombstones)."""
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    news, index = folder / "news", folder / "index"
    shutil.rmtree(folder, ignore_errors=True)
    news.mkdir(parents=True)
    done = 0
    for step, share in enumerate(SHARES):
        end = round(len(lines) * share)
        part = "".join(lines[done:end])
        if step == 2:
            changed = "".join('{"author": "Changed", ' + line[1:] for line in part.splitlines(keepends=True))
            (news / f"part-{step}.jsonl").write_text(changed, encoding="utf-8")
            rtqa.build_cached(news, index, folder.parent, compact=False)
        (news / f"part-{step}.jsonl").write_text(part, encoding="utf-8")
        rtqa.build_cached(news, index, folder.parent, compact=False)
        done = end
    return index


def metrics(h: Harness, label: str) -> tuple[dict, list[np.ndarray]]:
    texts = [q.text for q in h.questions]
    orders, _ = app_orders(h, texts, "hybrid")
    return row(label, h, orders), orders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    rtqa.add_arguments(parser)
    args = parser.parse_args(argv)
    data, work = Path(args.data), Path(args.work)
    started = time.perf_counter()
    rtqa.write_corpus(data, work / "corpus" / "rtqa.jsonl")
    merged = rtqa.index_folder(work)  # the default model's
    rtqa.ensure_index(work / "corpus", merged, rebuild=args.rebuild)
    split = segmented(work / "corpus" / "rtqa.jsonl", work / "segmented")
    index = StoredIndex(split)
    dead = int(index.dead.sum())
    say(f"segmented: {len(index.segments)} segments, {dead} tombstoned rows of {len(index.dead)}")
    questions = rtqa.load_questions(data)
    rows, orders = [], []
    for label, folder in (("merged (one segment)", merged), (f"segmented ({len(index.segments)})", split)):
        r, o = metrics(Harness(folder, questions), label)
        rows.append(r)
        orders.append(o)
    print_table(rows)
    gaps = {
        f"{part} {metric}": round(abs(rows[0][part][metric] - rows[1][part][metric]), 4)
        for part in ("dev", "held_out", "all")
        for metric in rows[0][part]
        if isinstance(rows[0][part][metric], float)
    }
    worst = max(gaps.values())
    print(f"largest gap: {worst} ({'within' if worst <= BOUND else 'OUTSIDE'} the bound {BOUND})")
    write_result(
        "eval_segments",
        {
            "machine": machine(),
            "segments": len(index.segments),
            "tombstoned_rows": dead,
            "rows": rows,
            "gaps": gaps,
            "within_bound": worst <= BOUND,
            "seconds": round(time.perf_counter() - started, 1),
        },
        args.out,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
