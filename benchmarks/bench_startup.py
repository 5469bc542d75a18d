"""Start-up: from process start to the first answer, with an existing index.

Runs ``python -c "from app import ask; ask(...)"`` in fresh processes against the
100k-passage index built by ``benchmarks.bench_scale`` and the synthetic 1M one
(``bench_scale.million_index``, built once if missing), both MiniLM's, plus the seed
articles indexed with MiniLM alone and with the default design (the second model's
start-up, same text, same run), and, in one process, the parts:
importing newsdesk, loading the index (integrity by size and modification time, the
default) against hashing every file (``verify``), the first question (which loads the
query model and the keyword postings), and resident memory after it, less the same
process's before loading the index, per passage.

Each child runs from the project root (``benchmarks.common.run_python``), so it imports
newsdesk as ``make`` does. Usage: ``python -m benchmarks.bench_startup [INDEX_DIR ...]
[--runs N]``. Prints a table and writes ``benchmarks/results/bench_startup.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from app.index.models import recorded_design
from benchmarks.common import CACHE, folder_bytes, headline, machine, run_python, table, write_result

QUESTION = "what did the central bank say about interest rates"

PARTS = """
import time, json
t0 = time.perf_counter()
from app.index.store import StoredIndex
from app.answer.ask import ask
from app.index.embedder import get_embedder
from benchmarks.common import rss_bytes
t1 = time.perf_counter()
get_embedder().encode(["the query model, loaded before the index is measured"], kind="query")
before = rss_bytes()
t1b = time.perf_counter()
index = StoredIndex({index!r})
t2 = time.perf_counter()
index.verify(full=True)
t3 = time.perf_counter()
answer = ask({question!r}, index_dir={index!r})
t4 = time.perf_counter()
parts = {{"import_s": t1 - t0, "model_s": t1b - t1, "load_s": t2 - t1b, "full_hash_s": t3 - t2,
         "first_answer_s": t4 - t3, "index_rss_bytes": rss_bytes() - before}}
print(json.dumps(parts))
"""

END_TO_END = """
from app import ask
print(ask({question!r}, index_dir={index!r}).text[:80])
"""


def measure(index: str, runs: int) -> dict:
    manifest = json.loads((Path(index) / "manifest.json").read_text())
    fill = {"index": index, "question": QUESTION}
    run_python("-c", END_TO_END.format(**fill))  # page cache
    totals = []
    for _ in range(runs):
        t = time.perf_counter()
        run_python("-c", END_TO_END.format(**fill))
        totals.append(time.perf_counter() - t)
    out = run_python("-c", PARTS.format(**fill))
    parts = {k: round(v, 3) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}
    totals.sort()
    return {
        "index": index,
        "design": recorded_design(manifest),
        "passages": manifest["count"],
        "segments": len(manifest["segments"]),
        "disk_mb": round(folder_bytes(Path(index)) / 2**20, 1),
        "process_start_to_first_answer_s": {"median": round(totals[len(totals) // 2], 2), "runs": totals},
        "parts": parts,
        "index_bytes_per_passage": round(parts["index_rss_bytes"] / manifest["count"]),
    }


def design_indexes() -> list[Path]:
    """The seed articles indexed with MiniLM alone and with the default design (models.BOTH):
    the 100k and 1M indexes are MiniLM's (``make bench``), and start-up differs by the
    query models a design loads, not by its size."""
    from app.index.build import build_index
    from app.index.locations import default_seeds_dir
    from app.index.models import BOTH, MINILM

    folders = []
    for name, model in (("minilm", MINILM), ("both", BOTH)):
        folder = CACHE / f"startup-seeds-{name}"
        build_index(default_seeds_dir(), folder, model=model)  # a no-op once built
        folders.append(folder)
    return folders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", nargs="*", help="index folders (default: the 100k and 1M benchmark indexes)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    info = machine()
    print(headline(info))
    if args.index:
        folders = args.index
    else:
        from benchmarks import bench_scale

        folders = [CACHE / "index-100k", bench_scale.million_index(CACHE / "index-100k")]
        folders += design_indexes()  # what the default design adds, the same text under both
    points = [measure(str(Path(f).resolve()), args.runs) for f in folders]
    rows = []
    for p in points:
        parts = p["parts"]
        rows += [
            [f"{p['passages']:,} passages ({p['disk_mb']} MB on disk), {p['design']}", "", ""],
            [
                f"process start to first answer (median of {args.runs})",
                p["process_start_to_first_answer_s"]["median"],
                "",
            ],
            ["  import newsdesk", parts["import_s"], ""],
            ["  load the query model", parts["model_s"], ""],
            ["  open the index (size + mtime check, memory maps)", parts["load_s"], ""],
            ["  first answer (keyword postings on first use; answers)", parts["first_answer_s"], ""],
            [
                "  resident memory of the index after the answer",
                "",
                f"{p['index_bytes_per_passage']} B/passage",
            ],
            ["hashing every index file (`verify()`)", parts["full_hash_s"], ""],
        ]
    print(table(["measure", "seconds", "memory"], rows))
    write_result("bench_startup", {"machine": info, "points": points})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
