"""Milvus Lite beside the local index at ~100k passages, and Ray's overhead at ~10k.

- **Queries**: the same RealTimeQA questions through ``Retriever.search`` (hybrid, and
  dense and keyword alone) on the local index and on Milvus Lite, each in a fresh
  process after a warm-up: p50/p95, and the resident memory of the process and of its
  children (Milvus Lite's server is a child process).
- **Ingest**: a build from scratch of the same ~100k-passage corpus (``bench_scale``'s)
  into a new folder and into a new Milvus Lite file, with the vectors from the speed
  benchmarks' cache (``benchmarks.vectors``), so the rate is the index's, not the model's.
- **Ray**: a ~10k-passage build embedded here against ``--ray`` (a local Ray on this
  machine's cores), both embedding everything; the difference is Ray's overhead.

Usage: ``python -m benchmarks.bench_milvus [REUTERS] [RTQA] [--queries N] [--no-ray]``
(in ``make bench``). Prints Markdown tables; writes ``benchmarks/results/bench_milvus.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import reuters, rtqa
from benchmarks.bench_scale import WARM_UP, corpus, questions
from benchmarks.common import (
    CACHE,
    add_archive_arguments,
    folder_bytes,
    headline,
    machine,
    percentiles,
    run_python,
    table,
    write_result,
)
from benchmarks.eval_milvus import build_milvus_cached

MODES = ("hybrid", "dense", "keyword")


def tree_rss(pid: int | None = None) -> tuple[int, int]:
    """Resident bytes of a process (default: this one) and of all its descendants."""
    import os

    pid = pid or os.getpid()
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass

    def rss(p: int) -> int:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    children, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, parent in parents.items() if parent == p]
        children += kids
        todo += kids
    return rss(pid), sum(rss(c) for c in children)


def measure(where: str, texts: list[str]) -> dict:
    """In a fresh process: open ``where``, warm up, time every mode."""
    from app.search.retriever import get_retriever

    started = time.perf_counter()
    retriever = get_retriever(where)
    retriever.search(texts[0], 5)
    out = {"first_answer_s": round(time.perf_counter() - started, 2)}
    for mode in MODES:
        for text in texts[:WARM_UP]:
            retriever.search(text, 5, mode=mode)
        seconds = []
        for text in texts[WARM_UP:]:
            t0 = time.perf_counter()
            retriever.search(text, 5, mode=mode)
            seconds.append(time.perf_counter() - t0)
        out[mode] = percentiles(seconds)
    own, children = tree_rss()
    out["rss_mb"] = round(own / 2**20, 1)
    out["children_rss_mb"] = round(children / 2**20, 1)
    return out


def ingest(folder: Path, work: Path) -> dict:
    """Fresh builds of ``folder`` into a local index and Milvus Lite, vectors cached."""
    out = {}
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cache_index = CACHE / "index-milvus-bench"  # a build with the cache in front (no embedding)
    rtqa.build_cached(folder, cache_index)  # the first run may embed what the cache lacks
    shutil.rmtree(cache_index, ignore_errors=True)  # time a clean build
    t0 = time.perf_counter()
    report = rtqa.build_cached(folder, cache_index)
    seconds = time.perf_counter() - t0
    out["local"] = {"passages": report.passages, "seconds": round(seconds, 1)}
    out["local"]["passages_per_s"] = round(report.passages / seconds)
    out["local"]["disk_mb"] = round(folder_bytes(cache_index) / 2**20, 1)
    uri = f"milvus:{work}/ingest.db"
    t0 = time.perf_counter()
    report = build_milvus_cached(folder, uri, CACHE)
    seconds = time.perf_counter() - t0
    out["milvus_lite"] = {"passages": report.passages, "seconds": round(seconds, 1)}
    out["milvus_lite"]["passages_per_s"] = round(report.passages / seconds)
    out["milvus_lite"]["disk_mb"] = round(folder_bytes(work) / 2**20, 1)
    out["where"] = {"local": str(cache_index), "milvus": uri}
    return out


def ray_overhead(data: Path) -> dict:
    """Build ~10k passages embedding here, then with ``--ray`` (local Ray), both from scratch."""
    from app.engines.build import build_index

    source = reuters.write_jsonl(data, CACHE / "corpus-10k", limit=2000).parent
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, ray in (("plain", None), ("ray", "local")):
            t0 = time.perf_counter()
            report = build_index(source, Path(tmp) / label, ray=ray)
            out[label] = {"passages": report.passages, "seconds": round(time.perf_counter() - t0, 1)}
    out["overhead_s"] = round(out["ray"]["seconds"] - out["plain"]["seconds"], 1)
    out["ratio"] = round(out["ray"]["seconds"] / out["plain"]["seconds"], 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_archive_arguments(parser)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray overhead (~5 min)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--ingest", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child[0], json.loads(args.child[1]))))
        return 0
    if args.ingest:
        print(json.dumps(ingest(Path(args.ingest), CACHE / "milvus-100k")))
        return 0
    info = machine()
    print(headline(info))
    data, folder = Path(args.reuters), corpus(Path(args.reuters), Path(args.rtqa))
    texts = questions(Path(args.rtqa), args.queries)
    # in a child: Milvus Lite's file stays locked by the process that opened it
    done = run_python("-m", "benchmarks.bench_milvus", "--ingest", str(folder))
    built = json.loads(done.stdout.strip().splitlines()[-1])
    print(table(
        ["ingest (vectors cached)", "passages", "seconds", "passages/s", "disk MB"],
        [[k, v["passages"], v["seconds"], v["passages_per_s"], v["disk_mb"]]
         for k, v in built.items() if k != "where"],
    ))  # fmt: skip
    queries = {}
    for label, where in (("local", built["where"]["local"]), ("milvus_lite", built["where"]["milvus"])):
        done = run_python("-m", "benchmarks.bench_milvus", "--child", where, json.dumps(texts))
        queries[label] = json.loads(done.stdout.strip().splitlines()[-1])
    print(table(
        ["backend", *(f"{m} p50/p95 ms" for m in MODES), "first answer s", "RSS MB (+children)"],
        [[k, *(f"{v[m]['p50_ms']} / {v[m]['p95_ms']}" for m in MODES), v["first_answer_s"],
          f"{v['rss_mb']} (+{v['children_rss_mb']})"] for k, v in queries.items()],
    ))  # fmt: skip
    ray = None if args.no_ray else ray_overhead(data)
    if ray:
        print(table(
            ["~10k passages", "plain s", "--ray s", "overhead s", "ratio"],
            [[ray["plain"]["passages"], ray["plain"]["seconds"], ray["ray"]["seconds"], ray["overhead_s"],
              ray["ratio"]]],
        ))  # fmt: skip
    write_result(
        "bench_milvus",
        {
            "machine": info,
            "queries_timed": len(texts) - WARM_UP,
            "ingest": built,
            "queries": queries,
            "ray": ray,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
