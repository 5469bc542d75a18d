"""Start-up: from process start to the first answer, with an existing index.

Runs ``python -c "from app import ask; ask(...)"`` in fresh processes against the
100k-passage index built by ``benchmarks.bench_scale``, and, in one process, the
parts: importing newsdesk, loading the index (integrity by size and modification time,
the default) against hashing every file (what loading did before), and the first
question (which loads the query model and the keyword index).

Each child runs from the project root (``benchmarks.common.run_python``), so it imports
newsdesk as ``make`` does. Usage: ``python -m benchmarks.bench_startup [INDEX_DIR]
[--runs N]``. Prints a table and writes ``benchmarks/results/bench_startup.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.common import CACHE, folder_bytes, headline, machine, run_python, table, write_result

QUESTION = "what did the central bank say about interest rates"

PARTS = """
import time, json
t0 = time.perf_counter()
from app.index.store import StoredIndex
from app.answer.ask import ask
t1 = time.perf_counter()
index = StoredIndex({index!r})
t2 = time.perf_counter()
index.verify(full=True)
t3 = time.perf_counter()
answer = ask({question!r}, index_dir={index!r})
t4 = time.perf_counter()
parts = {{"import_s": t1 - t0, "load_s": t2 - t1, "full_hash_s": t3 - t2, "first_answer_s": t4 - t3}}
print(json.dumps(parts))
"""

END_TO_END = """
from app import ask
print(ask({question!r}, index_dir={index!r}).text[:80])
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", nargs="?", default=str(CACHE / "index-100k"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    info = machine()
    print(headline(info))
    index = str(Path(args.index).resolve())
    manifest = json.loads((Path(index) / "manifest.json").read_text())
    fill = {"index": index, "question": QUESTION}
    run_python("-c", END_TO_END.format(**fill))  # page cache
    totals = []
    for _ in range(args.runs):
        t = time.perf_counter()
        run_python("-c", END_TO_END.format(**fill))
        totals.append(time.perf_counter() - t)
    out = run_python("-c", PARTS.format(**fill))
    parts = {k: round(v, 3) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}
    totals.sort()
    result = {
        "machine": info,
        "passages": manifest["count"],
        "index_kind": manifest.get("index_kind"),
        "disk_mb": round(folder_bytes(Path(index)) / 2**20, 1),
        "process_start_to_first_answer_s": {"median": round(totals[len(totals) // 2], 2), "runs": totals},
        "parts": parts,
    }
    print(f"index: {manifest['count']} passages, {result['disk_mb']} MB on disk")
    print(
        table(
            ["measure", "seconds"],
            [
                [
                    f"process start to first answer (median of {args.runs})",
                    result["process_start_to_first_answer_s"]["median"],
                ],
                ["  import newsdesk (app.answer.ask)", parts["import_s"]],
                ["  load the index (size + mtime check)", parts["load_s"]],
                [
                    "  first answer (loads the index again, the query model, BM25; answers)",
                    parts["first_answer_s"],
                ],
                ["hashing every index file (the old check; now `verify()`)", parts["full_hash_s"]],
            ],
        )
    )
    write_result("bench_startup", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
