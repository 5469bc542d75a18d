"""Query latency and memory against corpus size; the FAISS index type's cut-over.

Real points, embedded once into ``~/.cache/newsdesk-bench``: all of Reuters-21578
(~83k passages) topped up with RealTimeQA paragraphs to 100k, and a ~10k Reuters
subset. Each point runs in a fresh process: load the index, warm up, then time
``retrieve`` (hybrid: embed the question, search, BM25, fuse, build hits) and ``ask``
one question at a time; resident memory is measured before loading and after the
queries, less the query model's, and divided by the passage count.

FAISS-only points (synthetic vectors, since the archives stop at 100k): real passage
vectors plus Gaussian noise (each synthetic vector is a perturbed copy of a real one,
cosine ~0.95 to it, so the set keeps the clusters of real news) at 100k, 300k and 1M.
At each, exact (flat) search against IVF-SQ8 probing several shares of its cells: latency, recall@10
of exact search, build time and memory. These choose ``app.index.vectors.FLAT_MAX_PASSAGES``
and ``app.index.vectors.IVF_PROBE_SHARE``.

Usage: ``python -m benchmarks.bench_scale REUTERS_DIR [RTQA_DATA_DIR] [--quick]``.
Prints tables and writes ``benchmarks/results/bench_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks import reuters, rtqa
from benchmarks.common import (
    CACHE,
    add_archive_arguments,
    folder_bytes,
    headline,
    machine,
    percentiles,
    rss_bytes,
    run_python,
    table,
    write_result,
)

WARM_UP = 10
NOISE = 0.016  # per-dimension sigma: |noise| ~ 0.31, cosine ~0.95 to the real vector


def questions(rtqa_data: Path | None, n: int) -> list[str]:
    """RealTimeQA question sentences if available, else generic news questions."""
    if rtqa_data is not None and (rtqa_data / "realtimeqa").is_dir():
        return [q.text for q in rtqa.load_questions(rtqa_data)][: n + WARM_UP]
    base = ["what did the central bank say about interest rates", "oil prices opec output"]
    return (base * (n + WARM_UP))[: n + WARM_UP]


TARGET = 100_000  # the "100k passages" point


def corpus(data: Path, rtqa_data: Path | None) -> Path:
    """The ~100k-passage corpus folder: all of Reuters (~83k passages) topped up to
    ``TARGET`` with RealTimeQA paragraphs (one passage each), when that data is there."""
    folder = CACHE / "corpus-100k"
    reuters.write_jsonl(data, folder)
    if rtqa_data is not None and (rtqa_data / "realtimeqa").is_dir():
        from app.index.passages import split_passages
        from app.sources import load_articles

        have = sum(len(split_passages(a)) for a in load_articles(folder / "reuters.jsonl").articles)
        every = CACHE / "rtqa" / "rtqa.jsonl"
        rtqa.write_corpus(rtqa_data, every)
        lines = every.read_text(encoding="utf-8").splitlines(keepends=True)[: max(0, TARGET - have) + 300]
        text = "".join(lines)
        part = folder / "rtqa-part.jsonl"
        if not part.exists() or part.read_text(encoding="utf-8") != text:
            part.write_text(text, encoding="utf-8")
    return folder


def build_points(data: Path, rtqa_data: Path | None) -> dict[str, Path]:
    """Index folders: ~100k passages (embedded once into the vector cache, then a
    no-op), and a ~10k subset built over a copy of it, which reuses its vectors (no
    embedding)."""
    from app.index.build import build_index

    full = CACHE / "index-100k"
    rtqa.build_cached(corpus(data, rtqa_data), full, CACHE)
    small = CACHE / "index-10k"
    source = reuters.write_jsonl(data, CACHE / "corpus-10k", limit=2000)
    if not small.exists():
        shutil.copytree(full, small)
    build_index(source.parent, small)
    return {"10k": small, "100k": full}


MILLION = 1_000_000


def million_index(base_folder: Path) -> Path:
    """A 1M-passage index for latency and memory (not quality): the 100k corpus repeated
    ten times as distinct articles (ids suffixed ``~copy``), each copy's vectors its
    original's plus noise (``NOISE``), written as one segment with
    ``app.index.generation.write_fresh`` (FAISS IVF-SQ8, the copies' keyword postings
    concatenated, the columns), so ``retrieve`` and ``ask`` run end to end at 1M
    without embedding 1M passages. Built once into the cache (~5 minutes)."""
    from app.index import generation
    from app.index.keyword import concatenate
    from app.index.segment import SegmentParts
    from app.index.store import StoredIndex

    folder = CACHE / "index-1m"
    if (folder / "manifest.json").exists():
        return folder
    source = StoredIndex(base_folder)
    if len(source.segments) != 1 or source.dead.any():
        raise SystemExit(f"{base_folder}: expected one segment without deletions (a fresh build)")
    segment = source.segments[0]
    n, n_articles = len(segment), len(segment.article_ids)
    spans = np.asarray(segment.spans)
    matrix = np.asarray(segment.matrix)
    articles = [source.article_at(r) for r in range(n_articles)]
    ids, all_spans, vectors, records, stories, keep = [], [], [], [], [], []
    rng = np.random.default_rng(0)
    copies = (MILLION + n - 1) // n
    for copy in range(copies):
        take = min(n, MILLION - copy * n)
        suffix = f"~{copy}"
        records += [replace(a, article_id=a.article_id + suffix) for a in articles]
        stories.append(np.asarray(source.stories) + copy * n_articles)
        ids += [segment.passage_ids[r] + suffix for r in range(take)]
        all_spans.append(spans[:take] + np.array([copy * n_articles, 0, 0, 0], dtype=np.int32))
        noisy = matrix[:take] + (rng.normal(0, NOISE, (take, matrix.shape[1])) if copy else 0)
        vectors.append((noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32))
        keep.append(None if take == n else np.arange(n) < take)
    parts = SegmentParts(
        passage_ids=ids,
        spans=np.concatenate(all_spans),
        vectors=np.concatenate(vectors),
        articles=records,
        postings=concatenate([segment.postings] * copies, keep),
    )
    record = {
        **{k: source.manifest[k] for k in ("model", "embed_recipe", "dimension") if k in source.manifest},
        "source": "synthetic: the 100k corpus ten times, vectors with noise",
        "files": {},
    }
    density = (
        None if source.raw_density is None else np.tile(np.asarray(source.raw_density), copies)[:MILLION]
    )
    generation.write_fresh(folder, record, parts, stories=np.concatenate(stories), density=density)
    return folder


def point(index_dir: Path, texts: list[str], n_ask: int) -> dict:
    """Run in a fresh process: memory and latency of one index."""
    before = rss_bytes()
    t0 = time.perf_counter()
    from app.answer.ask import ask
    from app.search.retriever import get_retriever

    retriever = get_retriever(index_dir)
    ask(texts[0], index_dir=index_dir)
    first_answer = time.perf_counter() - t0
    for text in texts[:WARM_UP]:
        retriever.search(text, 5)
    # The app's hybrid runs BM25 beside the embedding and FAISS (``parallel_keyword``);
    # the same questions with BM25 after them, interleaved, are the same-run baseline.
    timings, sequential = [], []
    parallel = retriever.backend.parallel_keyword
    for i, text in enumerate(texts[WARM_UP:]):
        for flag in (parallel, False) if i % 2 else (False, parallel):
            retriever.backend.parallel_keyword = flag
            t = time.perf_counter()
            retriever.search(text, 5)
            (timings if flag == parallel else sequential).append(time.perf_counter() - t)
    retriever.backend.parallel_keyword = parallel
    dense = []
    for text in texts[WARM_UP:]:
        t = time.perf_counter()
        retriever.search(text, 5, mode="dense")
        dense.append(time.perf_counter() - t)
    asks = []
    for text in texts[WARM_UP : WARM_UP + n_ask]:
        t = time.perf_counter()
        ask(text, index_dir=index_dir)
        asks.append(time.perf_counter() - t)
    after = rss_bytes()
    n = retriever.index.count
    model_rss = _model_rss()
    segments = retriever.index.segments
    same, kind = None, "+".join(sorted({s.kind for s in segments}))
    if kind != "flat":  # how often IVF changes the answer
        import faiss

        ranked = [[h.citation.passage_id for h in retriever.search(t, 5)] for t in texts[WARM_UP:]]
        for segment in segments:
            exact = faiss.IndexFlatIP(retriever.index.dim)
            exact.add(np.ascontiguousarray(segment.matrix))
            segment.vectors = exact
        flat = [[h.citation.passage_id for h in retriever.search(t, 5)] for t in texts[WARM_UP:]]
        same = {
            "identical_top5": round(float(np.mean([a == b for a, b in zip(ranked, flat, strict=True)])), 4),
            "top5_overlap": round(
                float(np.mean([len(set(a) & set(b)) / 5 for a, b in zip(ranked, flat, strict=True)])), 4
            ),
        }
    return {
        "passages": n,
        "articles": len(retriever.index.articles),
        "index_kind": kind,
        "load_to_first_answer_s": round(first_answer, 2),
        "retrieve": percentiles(timings),
        "retrieve_bm25_after_dense": percentiles(sequential),
        "dense": percentiles(dense),
        "ask": percentiles(asks),
        "rss_mb": round((after - before) / 2**20, 1),
        "model_rss_mb": round(model_rss / 2**20, 1),
        "bytes_per_passage": round((after - before - model_rss) / n),
        "disk_mb": round(folder_bytes(index_dir) / 2**20, 1),
        "hybrid_vs_exact_search": same,
    }


def _model_rss() -> int:
    """Resident memory of the query model alone, measured in a fresh process (it is the
    same at every corpus size, so it is subtracted from the per-passage figure)."""
    code = (
        "from benchmarks.common import rss_bytes; b = rss_bytes()\n"
        "from app.index.embedder import get_embedder; e = get_embedder(); e.encode(['warm up the model'])\n"
        "import app.answer.ask\n"
        "print(rss_bytes() - b)"
    )
    return int(run_python("-c", code).stdout.strip().splitlines()[-1])


def synthetic(base: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(base), n)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        part = base[rows[start : start + 100_000]] + rng.normal(
            0, NOISE, (len(rows[start : start + 100_000]), base.shape[1])
        )
        out[start : start + len(part)] = part / np.linalg.norm(part, axis=1, keepdims=True)
    return out


def faiss_point(base: np.ndarray, queries: np.ndarray, n: int, shares: list[float]) -> dict:
    """Run in a fresh process: flat against IVF-SQ8 on ``n`` synthetic vectors."""
    import faiss

    from app.index.vectors import make_index

    vectors = synthetic(base, n)
    result: dict = {"vectors": n}
    before = rss_bytes()
    t = time.perf_counter()
    flat = make_index(vectors, "flat")
    result["flat_build_s"] = round(time.perf_counter() - t, 1)
    result["flat_rss_mb"] = round((rss_bytes() - before) / 2**20, 1)
    exact = flat.search(queries, 10)[1]
    result["flat"] = percentiles(_time_search(flat, queries))
    del flat
    before = rss_bytes()
    t = time.perf_counter()
    ivf = make_index(vectors, "ivf-sq8")
    result["ivf_build_s"] = round(time.perf_counter() - t, 1)
    result["ivf_cells"] = int(ivf.nlist)
    path = CACHE / f"ivf-{n}.faiss"
    faiss.write_index(ivf, str(path))
    del ivf
    before = rss_bytes()
    ivf = faiss.read_index(str(path))
    result["ivf_rss_mb"] = round((rss_bytes() - before) / 2**20, 1)
    result["ivf_disk_mb"] = round(path.stat().st_size / 2**20, 1)
    path.unlink()
    result["ivf"] = {}
    for share in shares:
        nprobe = max(1, int(np.ceil(share * ivf.nlist)))
        ivf.nprobe = nprobe
        found = ivf.search(queries, 10)[1]
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact, strict=True)])
        result["ivf"][str(share)] = {
            "nprobe": nprobe,
            **percentiles(_time_search(ivf, queries)),
            "recall_at_10": round(float(recall), 4),
        }
    return result


def _time_search(index, queries: np.ndarray) -> list[float]:
    for q in queries[:WARM_UP]:
        index.search(q[None, :], 100)
    timings = []
    for q in queries[WARM_UP:]:
        t = time.perf_counter()
        index.search(q[None, :], 100)  # the hybrid asks for 100 dense candidates
        timings.append(time.perf_counter() - t)
    return timings


def _child(kind: str, payload: dict) -> dict:
    """Run one point in a fresh Python (clean memory figures)."""
    out = run_python("-m", "benchmarks.bench_scale", "--child", kind, json.dumps(payload), check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_archive_arguments(parser)
    parser.add_argument("--quick", action="store_true", help="fewer queries, FAISS points up to 300k")
    parser.add_argument("--queries", type=int, default=None)
    parser.add_argument("--million", action="store_true", help="the 1M point in a --quick run too")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, payload = args.child[0], json.loads(args.child[1])
        if kind == "point":
            result = point(Path(payload["index"]), payload["texts"], payload["asks"])
        else:
            base = np.load(payload["base"], mmap_mode="r")
            result = faiss_point(
                np.asarray(base), np.load(payload["queries"]), payload["n"], payload["shares"]
            )
        print(json.dumps(result))
        return 0

    info = machine()
    print(headline(info))
    data = Path(args.reuters)
    n_queries = args.queries or (100 if args.quick else 300)
    texts = questions(Path(args.rtqa), n_queries)
    points = {}
    folders = build_points(data, Path(args.rtqa))
    if not args.quick or args.million:
        folders["1M"] = million_index(folders["100k"])
    for name, folder in folders.items():
        points[name] = _child(
            "point", {"index": str(folder), "texts": texts, "asks": 50 if args.quick else 100}
        )
        print(f"  {name}: {points[name]['passages']} passages measured", flush=True)
    small, large = sorted(points.values(), key=lambda p: p["passages"])[-2:]
    # The cost of one more passage: the slope between the two largest sizes, so the fixed
    # costs (libraries, the query model, dateparser's tables, caches) cancel out.
    marginal = round((large["rss_mb"] - small["rss_mb"]) * 2**20 / (large["passages"] - small["passages"]))
    rows = [
        [
            p["passages"],
            p["index_kind"],
            p["retrieve"]["p50_ms"],
            p["retrieve"]["p95_ms"],
            p["retrieve"]["p99_ms"],
            p["retrieve_bm25_after_dense"]["p50_ms"],
            p["ask"]["p50_ms"],
            p["ask"]["p95_ms"],
            p["rss_mb"],
            p["disk_mb"],
        ]
        for p in points.values()
    ]
    print(f"\nretrieve (hybrid, k=5) and ask, one question at a time, warm; {n_queries} questions")
    print(
        table(
            [
                "passages",
                "index",
                "retrieve p50 ms",
                "p95",
                "p99",
                "p50, BM25 after dense",
                "ask p50 ms",
                "ask p95",
                "RSS MB",
                "disk MB",
            ],
            rows,
        )
    )
    print(f"resident memory per extra passage ({small['passages']} -> {large['passages']}): {marginal} bytes")
    from app.index.store import StoredIndex

    base = StoredIndex(CACHE / "index-100k").all_vectors()
    np.save(CACHE / "base.npy", np.asarray(base))
    from app.index.embedder import get_embedder

    np.save(CACHE / "queries.npy", get_embedder().encode(texts[: 200 + WARM_UP], kind="query"))
    sizes = [100_000, 300_000] + ([] if args.quick else [1_000_000])
    shares = [0.05, 0.1, 0.2, 0.3]  # of the cells probed
    scale = {}
    for n in sizes:
        payload = {
            "base": str(CACHE / "base.npy"),
            "queries": str(CACHE / "queries.npy"),
            "n": n,
            "shares": shares,
        }
        scale[str(n)] = _child("faiss", payload)
        print(f"  FAISS {n} measured", flush=True)
    print("\nFAISS alone, synthetic vectors, 100 candidates a query (what the hybrid asks for)")
    rows = []
    for n, r in scale.items():
        rows.append(
            [n, "flat", r["flat"]["p50_ms"], r["flat"]["p95_ms"], 1.0, r["flat_build_s"], r["flat_rss_mb"]]
        )
        for share, x in r["ivf"].items():
            rows.append(
                [
                    n,
                    f"ivf-sq8 {r['ivf_cells']} cells, nprobe {x['nprobe']} ({float(share):.0%})",
                    x["p50_ms"],
                    x["p95_ms"],
                    x["recall_at_10"],
                    r["ivf_build_s"],
                    r["ivf_rss_mb"],
                ]
            )
    print(table(["vectors", "index", "p50 ms", "p95 ms", "recall@10 of exact", "build s", "RSS MB"], rows))
    result = {"machine": info, "quick": args.quick, "points": points, "marginal_bytes_per_passage": marginal}
    write_result("bench_scale", {**result, "faiss": scale})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
