"""Build throughput: embedding backends against plain fp32 torch, and a build end to end.

1. **Embedding alone**: the same Reuters passages encoded by plain
   ``SentenceTransformer.encode`` (fp32 torch, batch 64: the baseline), newsdesk's
   default backend (ONNX fp32 with onnxruntime, length-sorted batches) and the int8
   dynamically quantised export. The passages are cut into rounds and the backends take
   turns within each round, so a noisy neighbour on the shared 2 cores slows them alike.
2. **Quality**: RealTimeQA questions against their evidence paragraphs plus
   distractor paragraphs, dense Recall@5 per backend and the cosine of each backend's
   vectors to fp32 torch's (the full evaluation is ``make eval``).
3. **End to end**: ``build_index`` on a Reuters subset from nothing (parse, split,
   enrich, embed, FAISS, BM25, write), passages per second.

Usage: ``python -m benchmarks.bench_build REUTERS_DIR [RTQA_DATA_DIR] [--quick]``.
Prints tables and writes ``benchmarks/results/bench_build.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from app.index.embedder import Embedder, _local_folder, model_name
from app.index.passages import split_passages
from app.sources import load_articles
from benchmarks import reuters, rtqa
from benchmarks.common import CACHE, add_archive_arguments, headline, machine, table, write_result

ROUNDS = 4
# The backends compared, by the names the tables print: plain fp32 torch is the baseline.
BASELINE = "torch fp32"
LABELS = {
    BASELINE: "torch fp32 (SentenceTransformer.encode)",
    "onnx fp32": "onnx fp32 (newsdesk default)",
    "onnx int8": "onnx int8 (dynamic quantisation)",
}


def sample_passages(corpus: Path, n: int) -> list[str]:
    """Every k-th passage of the corpus, so the sample spans its lengths and years."""
    texts = [p.text for a in load_articles(corpus).articles for p in split_passages(a)]
    step = max(1, len(texts) // n)
    return texts[::step][:n]


def encoders(model: str | None) -> dict[str, Callable[[list[str]], np.ndarray]]:
    """Each backend's encode, texts -> unit vectors: plain ``SentenceTransformer.encode``
    (fp32 torch, batch 64), and newsdesk's ONNX fp32 and int8 exports."""
    from sentence_transformers import SentenceTransformer

    folder = _local_folder(model_name(model))
    baseline = SentenceTransformer(str(folder) if folder else model_name(model), device="cpu")
    return {
        BASELINE: lambda t: baseline.encode(
            t, batch_size=64, convert_to_numpy=True, normalize_embeddings=True
        ),
        "onnx fp32": Embedder(model, backend="onnx").encode,
        "onnx int8": Embedder(model, backend="onnx-int8").encode,
    }


def throughput(texts: list[str], model: str | None) -> dict:
    backends = {LABELS[name]: encode for name, encode in encoders(model).items()}
    for encode in backends.values():  # warm-up: load, export once if needed, first-call costs
        encode(texts[:64])
    seconds = dict.fromkeys(backends, 0.0)
    vectors: dict[str, list[np.ndarray]] = {name: [] for name in backends}
    for part in np.array_split(np.arange(len(texts)), ROUNDS):
        chunk = [texts[i] for i in part]
        for name, encode in backends.items():
            t0 = time.perf_counter()
            vectors[name].append(np.asarray(encode(chunk), dtype=np.float32))
            seconds[name] += time.perf_counter() - t0
    base_name = next(iter(backends))
    base = np.concatenate(vectors[base_name])
    rows = {}
    for name in backends:
        v = np.concatenate(vectors[name])
        cos = np.sum(base * v, axis=1)
        rows[name] = {
            "passages_per_s": round(len(texts) / seconds[name], 1),
            "speedup": round(seconds[base_name] / seconds[name], 2),
            "cosine_to_fp32_mean": round(float(cos.mean()), 5),
            "cosine_to_fp32_min": round(float(cos.min()), 5),
        }
    return {
        "passages": len(texts),
        "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        **{"backends": rows},
    }


def quality(data: Path, distractors: int, model: str | None) -> dict:
    """Dense Recall@5 of RealTimeQA questions over evidence + distractor paragraphs."""
    questions = rtqa.load_questions(data)
    corpus_file = CACHE / "rtqa" / "rtqa.jsonl"
    rtqa.write_corpus(data, corpus_file)
    records = [json.loads(line) for line in corpus_file.read_text(encoding="utf-8").splitlines()]
    evidence = [r for r in records if r.get("url", "").startswith(rtqa.EVIDENCE_URL)]
    others = [r for r in records if not r.get("url", "").startswith(rtqa.EVIDENCE_URL)]
    step = max(1, len(others) // max(distractors, 1))
    corpus = evidence + others[::step][:distractors]
    gold = {r["url"]: i for i, r in enumerate(corpus) if r.get("url")}
    texts = [r["text"] for r in corpus]
    wanted = np.array([gold[q.evidence_url] for q in questions])
    rows = {}
    for name, encode in encoders(model).items():
        p = np.asarray(encode(texts), dtype=np.float32)
        q = np.asarray(encode([x.text for x in questions]), dtype=np.float32)
        top = np.argsort(-(q @ p.T), axis=1)[:, :5]
        rows[name] = round(float(np.mean(np.any(top == wanted[:, None], axis=1))), 4)
    return {"questions": len(questions), "corpus": len(texts), "recall_at_5": rows}


def end_to_end(corpus_file: Path, articles: int, model: str | None) -> dict:
    from app.index.build import build_index

    work = CACHE / "bench-build"
    shutil.rmtree(work, ignore_errors=True)
    lines = corpus_file.read_text(encoding="utf-8").splitlines()[:articles]
    (work / "corpus").mkdir(parents=True)
    (work / "corpus" / "subset.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    report = build_index(work / "corpus", work / "index", model=model)
    seconds = time.perf_counter() - t0
    shutil.rmtree(work, ignore_errors=True)
    return {
        "articles": report.articles,
        "passages": report.passages,
        "seconds": round(seconds, 2),
        "passages_per_s": round(report.passages / seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_archive_arguments(parser)
    parser.add_argument("--quick", action="store_true", help="smaller samples")
    parser.add_argument("--model", default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    info = machine()
    print(headline(info))
    corpus_file = reuters.write_jsonl(Path(args.reuters), CACHE / "reuters-all")
    n = 1000 if args.quick else 3000
    embed = throughput(sample_passages(corpus_file.parent, n), args.model)
    print(f"\nEmbedding {embed['passages']} Reuters passages (mean {embed['mean_chars']} chars), same run:")
    print(
        table(
            ["backend", "passages/s", "speed-up", "cosine to fp32 (mean / min)"],
            [
                [
                    k,
                    v["passages_per_s"],
                    f"{v['speedup']}x",
                    f"{v['cosine_to_fp32_mean']} / {v['cosine_to_fp32_min']}",
                ]
                for k, v in embed["backends"].items()
            ],
        )
    )
    result = {"machine": info, "quick": args.quick, "embedding": embed}
    if Path(args.rtqa, "realtimeqa").is_dir():
        qual = quality(Path(args.rtqa), 1000 if args.quick else 4000, args.model)
        print(f"\nRealTimeQA dense Recall@5: {qual['questions']} questions over {qual['corpus']} paragraphs")
        print(table(["backend", "Recall@5"], [[k, v] for k, v in qual["recall_at_5"].items()]))
        result["quality"] = qual
    e2e = end_to_end(corpus_file, 300 if args.quick else 1000, args.model)
    print(
        f"\nbuild_index end to end: {e2e['articles']} articles, {e2e['passages']} passages in "
        f"{e2e['seconds']} s = {e2e['passages_per_s']} passages/s"
    )
    result["end_to_end"] = e2e
    write_result("bench_build", result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
