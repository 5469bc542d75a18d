"""Build throughput: each embedding lever against plain fp32 sentence-transformers, the
quality of each precision, and a build end to end against plain encoding.

1. **Levers** (one table, two corpora: BBC paragraphs and RealTimeQA evidence
   paragraphs): plain ``SentenceTransformer.encode`` (fp32 torch, batch 32: the
   baseline), ONNX fp32 as newsdesk ran it before int8 (one session, two intra-op
   threads, batch 64), then one lever at a time (batch 16, the thread layout: one
   single-threaded session per core, the int8-v1 graph) up to newsdesk's default
   (int8-v1, one session per core, batch 16). Rounds are interleaved: each round hands
   a slice of both corpora to every row in turn, so a noisy neighbour on the shared
   cores slows all rows alike. Cosines are to the baseline's vectors.
2. **Quality**: RealTimeQA dev questions over the evaluation's corpus (``make eval``'s
   index in ``--work``; its fp32 vectors come from the vector cache, int8 ones are
   cached beside it by recipe), dense and hybrid (z-scored, ``fusion.DENSE_WEIGHT``, no
   hubness) R@1/R@5/MRR for each pairing of passage and question precision.
3. **End to end**: ``build_index`` of BBC business articles from nothing with MiniLM,
   int8 and fp32, and with the default design (c) (``models.BOTH``: multilingual-e5-small
   for every passage plus MiniLM int8), against plain encoding of the same passages
   with MiniLM (ST fp32, batch 32, before and after), with the seconds of each stage
   (stage functions wrapped with timers, no profiler overhead).

Usage: ``python -m benchmarks.bench_build BBC_DIR [DATA_DIR] [--work DIR] [--quick]``
(``make bench``). Prints the CPU and its integer dot-product support, the tables, and
writes ``benchmarks/results/bench_build.json``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from app.index.embedder import Embedder, _local_folder, model_name
from app.index.models import BOTH, split_design
from app.index.passages import split_passages
from app.sources import load_articles
from benchmarks import rtqa
from benchmarks.common import CACHE, DATA, headline, machine, say, table, write_result

ROUNDS = 3
BASELINE = "ST fp32, batch 32 (baseline)"


def cpu_flags() -> dict:
    """The CPU model, onnxruntime's version and the integer dot-product instructions
    (int8 runs on them: ``vpdpbusd``) as /proc/cpuinfo lists them."""
    import onnxruntime

    flags: set[str] = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    return {
        "avx512_vnni": "avx512_vnni" in flags,
        "avx_vnni": "avx_vnni" in flags,
        "avx512f": "avx512f" in flags,
        "onnxruntime": onnxruntime.__version__,
        "load_average": os.getloadavg(),
    }


# ---------------------------------------------------------------------------- corpora


def bbc_paragraphs(bbc: Path, n: int) -> list[str]:
    """Every k-th passage (the app's own splitting) of the BBC articles."""
    texts = [p.text for a in load_articles(bbc).articles for p in split_passages(a)]
    return texts[:: max(1, len(texts) // n)][:n]


def rtqa_paragraphs(data: Path, n: int) -> list[str]:
    """Every k-th unique RealTimeQA evidence paragraph."""
    texts = list(dict.fromkeys(q.evidence for q in rtqa.load_questions(data)))
    return texts[:: max(1, len(texts) // n)][:n]


# ----------------------------------------------------------------------------- levers


def levers(model: str | None) -> dict:
    """Row label -> encode(texts) for each lever (ST is imported here, not at query time)."""
    from sentence_transformers import SentenceTransformer

    from app.index.int8_export import MODEL_FILE
    from app.index.int8_runner import SessionPool
    from app.index.onnx_model import OnnxEncoder

    fp32 = Embedder(model, backend="onnx")
    int8 = Embedder(model, backend="onnx-int8")
    folder = fp32._fp32_export()  # the export folder both ONNX runners read
    assert int8.runner == "onnx-int8"  # builds and gates the int8 model if it is not cached
    st = SentenceTransformer(str(_local_folder(model_name(model))), device="cpu")
    onnx_fp32 = OnnxEncoder(folder)
    fp32_pool = SessionPool(folder / "model.onnx", folder)
    int8_intra = SessionPool(folder / MODEL_FILE, folder, layout="intra")
    int8_pool = SessionPool(folder / MODEL_FILE, folder)
    return {
        BASELINE: lambda t: st.encode(t, batch_size=32, normalize_embeddings=True),
        "ONNX fp32, 1 session x 2 threads, batch 64 (before)": lambda t: onnx_fp32.encode(t, batch_size=64),
        "+ batch 16": lambda t: onnx_fp32.encode(t, batch_size=16),
        "+ layout: 2 sessions x 1 thread, batch 16": lambda t: fp32_pool.encode(t, batch_size=16),
        "int8-v1 alone: 1 session x 2 threads, batch 64": lambda t: int8_intra.encode(t, batch_size=64),
        "int8-v1, 2 sessions x 1 thread, batch 64": lambda t: int8_pool.encode(t, batch_size=64),
        "int8-v1, 2 sessions x 1 thread, batch 32": lambda t: int8_pool.encode(t, batch_size=32),
        "**int8-v1, 2 sessions x 1 thread, batch 16 (default)**": lambda t: int8.encode(t),
    }


def speed(corpora: dict[str, list[str]], model: str | None) -> dict:
    """passages/s, speed-up over the baseline and cosine to it, per lever and corpus."""
    rows = levers(model)
    for encode in rows.values():  # warm-up: sessions, first-call costs
        encode(next(iter(corpora.values()))[:32])
    seconds = {(r, c): 0.0 for r in rows for c in corpora}
    vectors: dict[tuple[str, str], list[np.ndarray]] = {k: [] for k in seconds}
    for k in range(ROUNDS):
        for corpus, texts in corpora.items():
            part = np.array_split(np.arange(len(texts)), ROUNDS)[k]
            chunk = [texts[i] for i in part]
            for name, encode in rows.items():
                t0 = time.perf_counter()
                vectors[name, corpus].append(np.asarray(encode(chunk), dtype=np.float32))
                seconds[name, corpus] += time.perf_counter() - t0
        say(f"  round {k + 1}/{ROUNDS} done, load {os.getloadavg()[0]:.2f}")
    out: dict = {}
    for corpus, texts in corpora.items():
        base = np.concatenate(vectors[BASELINE, corpus])
        out[corpus] = {
            "passages": len(texts),
            "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
            "rows": {},
        }
        for name in rows:
            cos = np.sum(base * np.concatenate(vectors[name, corpus]), axis=1)
            out[corpus]["rows"][name] = {
                "passages_per_s": round(len(texts) / seconds[name, corpus], 1),
                "speedup": round(seconds[BASELINE, corpus] / seconds[name, corpus], 2),
                "cosine_mean": round(float(cos.mean()), 4),
                "cosine_min": round(float(cos.min()), 4),
            }
    return out


# ---------------------------------------------------------------------------- quality


def quality(data: Path, work: Path, model: str | None) -> dict:
    """Dense and hybrid R@1/R@5/MRR of RealTimeQA dev questions for each pairing of
    passage and question precision, over the evaluation's index in ``work``."""
    import copy
    from types import SimpleNamespace

    from app.index.int8_export import RECIPE
    from app.search import fusion
    from benchmarks import harness, vectors

    questions = rtqa.load_questions(data)
    corpus = work / "corpus"
    rtqa.write_corpus(data, corpus / "rtqa.jsonl")
    index_dir = rtqa.index_folder(work)
    if not (index_dir / "manifest.json").exists():
        rtqa.build_cached(corpus, index_dir, cache=work)  # fp32 vectors, from the cache
    h = harness.Harness(index_dir, questions)
    live = np.flatnonzero(h.live)
    texts = [h.texts[int(i)] for i in live]
    cache = vectors.VectorCache.open(work, model, RECIPE)
    say(f"  int8 passage vectors: {len(texts)} texts, {len(cache.vectors)} cached")
    int8_rows = np.zeros_like(h.vectors)
    int8_rows[live] = vectors.CachedEmbedder(cache, Embedder(model, backend="onnx-int8")).encode(texts)
    dev = [q.text for q, d in zip(questions, h.dev, strict=True) if d]
    dev_h = copy.copy(h)
    dev_h.gold = [g for g, d in zip(h.gold, h.dev, strict=True) if d]
    embedders = {"fp32": Embedder(model, backend="fp32"), RECIPE: Embedder(model, backend="onnx-int8")}
    # one question at a time, as the app embeds them (int8 scales activations per batch)
    asked = {p: np.vstack([e.encode([t], kind="query") for t in dev]) for p, e in embedders.items()}
    keyword = harness.Bm25(h.index.keyword)
    out = {}
    for passages, queries in (("fp32", "fp32"), (RECIPE, RECIPE), (RECIPE, "fp32"), ("fp32", RECIPE)):
        rows = h.vectors if passages == "fp32" else int8_rows
        v = rows[live].astype(np.float64)
        mean = v.mean(axis=0)
        variant = copy.copy(dev_h)
        variant.vectors = rows
        variant.index = SimpleNamespace(mean=mean, cov=v.T @ v / len(v) - np.outer(mean, mean))
        qv = asked[queries]
        variant.retriever = SimpleNamespace(embedder=SimpleNamespace(encode=lambda t, qv=qv, **k: qv))
        cs = harness.candidates(variant, dev, keyword)
        dense = harness.Metrics.of(dev_h.ranks([c.dense_order for c in cs]))
        hybrid = harness.Metrics.of(dev_h.ranks(harness.weighted_orders(cs, fusion.DENSE_WEIGHT)))
        out[f"{passages} passages, {queries} questions"] = {
            "dense": {"r1": dense.r1, "r5": dense.r5, "r10": dense.r10, "mrr": dense.mrr},
            "hybrid": {"r1": hybrid.r1, "r5": hybrid.r5, "r10": hybrid.r10, "mrr": hybrid.mrr},
        }
        say(f"  {passages} x {queries}: dense R@5 {dense.r5:.4f}, hybrid R@5 {hybrid.r5:.4f}")
    return {"questions": len(dev), "passages": len(live), "rows": out}


# ------------------------------------------------------------------------ end to end

STAGES = (
    "reading",
    "quotes and syndication",
    "splitting",
    "embedding",
    "BM25",
    "hubness densities",
    "FAISS",
    "writing segment (less FAISS)",
    "manifest switch",
)


@contextmanager
def stage_timers(*embedders: Embedder):
    """Wrap each stage's function where the build looks it up, adding its seconds (every
    embedder's ``encode`` counts as embedding)."""
    from app.index import build, generation, segment, update
    from app.index.keyword import KeywordPostings

    seconds = dict.fromkeys(STAGES, 0.0)
    patches = [
        (build, "load_articles", "reading"),
        (update, "enrich", "quotes and syndication"),
        (update, "split_passages", "splitting"),
        *((embedder, "encode", "embedding") for embedder in embedders),
        (build.update, "densities", "hubness densities"),
        (segment, "make_index", "FAISS"),
        (build, "write_segment", "writing segment (less FAISS)"),
        (generation, "commit", "manifest switch"),
    ]
    originals = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]

    def timed(fn, stage):
        def run(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[stage] += time.perf_counter() - t0

        return run

    for (obj, name, stage), (_, _, fn) in zip(patches, originals, strict=True):
        setattr(obj, name, timed(fn, stage))
    postings = KeywordPostings.__dict__["build"]
    KeywordPostings.build = classmethod(timed(postings.__func__, "BM25"))
    try:
        yield seconds
    finally:
        for obj, name, fn in originals:
            if any(obj is e for e in embedders):
                del obj.encode  # back to the class's method
            else:
                setattr(obj, name, fn)
        KeywordPostings.build = postings
    seconds["writing segment (less FAISS)"] -= seconds["FAISS"]


def end_to_end(bbc: Path, articles: int, model: str | None) -> dict:
    """``build_index`` from nothing with int8 (default) and fp32 against plain encoding."""
    from sentence_transformers import SentenceTransformer

    from app.index import build

    work = CACHE / "bench-build"
    shutil.rmtree(work, ignore_errors=True)
    (work / "corpus").mkdir(parents=True)
    for path in sorted(bbc.glob("*.txt"))[:articles]:  # links: the data stays where it is
        (work / "corpus" / path.name).symlink_to(path.resolve())
    texts = [p.text for a in load_articles(work / "corpus").articles for p in split_passages(a)]
    st = SentenceTransformer(str(_local_folder(model_name(model))), device="cpu")
    st.encode(texts[:32], batch_size=32)
    plain, builds = [], {}
    for precision, backend in (("int8-v1", "auto"), ("fp32", "fp32")):
        t0 = time.perf_counter()
        st.encode(texts, batch_size=32, normalize_embeddings=True)
        plain.append(time.perf_counter() - t0)
        embedder = build.get_embedder(model, backend=backend)
        embedder.encode(texts[:32])  # loaded, as in a running app: the build times its work
        real = build.get_embedder
        build.get_embedder = lambda name, embedder=embedder: embedder
        try:
            with stage_timers(embedder) as seconds:
                t0 = time.perf_counter()
                report = build.build_index(work / "corpus", work / f"index-{precision}", model=model)
                total = time.perf_counter() - t0
        finally:
            build.get_embedder = real
        seconds["other"] = total - sum(seconds.values())
        builds[precision] = {
            "seconds": round(total, 2),
            "stages": {k: round(v, 3) for k, v in seconds.items()},
        }
        builds[precision]["passages"] = report.passages
        say(f"  build {precision}: {report.passages} passages in {total:.1f} s")
    # the default design (c): multilingual-e5-small for every passage, MiniLM int8 for the
    # English ones (here all of them), both models loaded before timing
    both = {name: build.get_embedder(name) for name in split_design(BOTH)}
    for embedder in both.values():
        embedder.encode(texts[:32])
    build.get_embedder, real = (lambda name: both[name]), build.get_embedder
    try:
        with stage_timers(*both.values()) as seconds:
            t0 = time.perf_counter()
            report = build.build_index(work / "corpus", work / "index-both", model=BOTH)
            total = time.perf_counter() - t0
    finally:
        build.get_embedder = real
    seconds["other"] = total - sum(seconds.values())
    builds["both (default design)"] = {
        "seconds": round(total, 2),
        "stages": {k: round(v, 3) for k, v in seconds.items()},
        "passages": report.passages,
    }
    say(f"  build both: {report.passages} passages in {total:.1f} s")
    t0 = time.perf_counter()
    st.encode(texts, batch_size=32, normalize_embeddings=True)
    plain.append(time.perf_counter() - t0)
    shutil.rmtree(work, ignore_errors=True)
    baseline = float(np.mean(plain))
    for row in builds.values():
        row["plain_over_build"] = round(baseline / row["seconds"], 2)
    return {
        "articles": articles,
        "passages": len(texts),
        "plain_seconds": [round(s, 2) for s in plain],
        "builds": builds,
    }


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bbc", nargs="?", default=str(DATA / "bbc"), help="the BBC News folder")
    parser.add_argument("data", nargs="?", default=str(DATA), help="the folder holding realtimeqa/")
    parser.add_argument("--work", default=str(Path.home() / ".cache" / "newsdesk-eval"))
    parser.add_argument("--quick", action="store_true", help="smaller samples")
    parser.add_argument(
        "--model", default="minilm", help="the model whose runners are compared (default: minilm)"
    )
    parser.add_argument("--out", default=None)
    parser.add_argument("--skip", nargs="*", default=(), choices=("speed", "quality", "build"))
    args = parser.parse_args(argv)
    bbc, data = Path(args.bbc), Path(args.data)
    info = {**machine(), **cpu_flags()}
    print(headline(info))
    print(
        f"integer dot product: avx512_vnni {'yes' if info['avx512_vnni'] else 'no'}, "
        f"avx_vnni {'yes' if info['avx_vnni'] else 'no'}; onnxruntime {info['onnxruntime']}; "
        f"load average {' '.join(f'{x:.2f}' for x in info['load_average'])}"
    )
    result: dict = {"machine": info, "quick": args.quick}
    if "speed" not in args.skip:
        n = 512 if args.quick else 1536
        corpora = {"BBC": bbc_paragraphs(bbc, n), "RealTimeQA": rtqa_paragraphs(data, n)}
        result["speed"] = embed = speed(corpora, args.model)
        names = list(next(iter(embed.values()))["rows"])
        print(f"\nEmbedding, {ROUNDS} interleaved rounds, same run (passages/s, speed-up over the baseline):")
        for corpus, part in embed.items():
            print(f"- {corpus}: {part['passages']} paragraphs, mean {part['mean_chars']} chars")
        print(
            table(
                ["lever", *(f"{c} /s (x)" for c in embed), "cosine to baseline (mean / min)"],
                [
                    [
                        name,
                        *(
                            f"{p['rows'][name]['passages_per_s']} ({p['rows'][name]['speedup']}x)"
                            for p in embed.values()
                        ),
                        " ; ".join(
                            f"{p['rows'][name]['cosine_mean']:.4f} / {p['rows'][name]['cosine_min']:.4f}"
                            for p in embed.values()
                        ),
                    ]
                    for name in names
                ],
            )
        )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if "quality" not in args.skip and (data / "realtimeqa").is_dir():
        result["quality"] = qual = quality(data, Path(args.work), args.model)
        print(f"\nRealTimeQA dev: {qual['questions']} questions over {qual['passages']} passages")
        print(
            table(
                ["vectors", "dense R@1", "dense R@5", "dense MRR", "hybrid R@5", "hybrid MRR"],
                [
                    [k, *(f"{v['dense'][m]:.4f}" for m in ("r1", "r5", "mrr"))]
                    + [f"{v['hybrid'][m]:.4f}" for m in ("r5", "mrr")]
                    for k, v in qual["rows"].items()
                ],
            )
        )
    if "build" not in args.skip:
        e2e = end_to_end(bbc / "business", 120 if args.quick else 510, args.model)
        result["end_to_end"] = e2e
        print(
            f"\nbuild_index end to end, {e2e['articles']} BBC business articles -> {e2e['passages']} "
            f"passages; plain ST fp32 encoding (batch 32) of the same passages: "
            f"{' / '.join(str(s) for s in e2e['plain_seconds'])} s"
        )
        stages = [*STAGES, "other"]
        builds = e2e["builds"]
        print(
            table(
                ["stage (s)", *builds],
                [[s, *(f"{b['stages'][s]:.2f}" for b in builds.values())] for s in stages]
                + [["**build total**", *(f"**{b['seconds']}**" for b in builds.values())]]
                + [["plain encoding / build", *(f"{b['plain_over_build']}x" for b in builds.values())]],
            )
        )
    write_result("bench_build", result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
