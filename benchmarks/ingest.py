"""Ingest: articles per second and problems by kind over real archives, read as a user
would drop them in (whole folders, their READMEs and metadata files included), through
``load_articles``.

    python -m benchmarks.ingest [DATA] [--sets bbc,reuters,...]

Sets: BBC as ``.txt``; the Bangla CSV sets (three layouts) and the one-object-per-file
JSON set with relative dates; Reuters-21578 from its SGML; RealTimeQA's nested search
results. For each: files, records read, articles kept, undated, what was not indexed by
reason, the other problems by kind, languages, and speed (records per CPU second of this
process: the wall clock counts other work on a shared machine too). It also checks that
nothing was lost for its metadata: no record noted "undated" is missing from the
articles unless another problem dropped it. Does not embed or index anything; the first
set that uses a library pays for importing it.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from app.sources import load_articles
from app.text.dates import DHAKA
from app.types import Kind
from benchmarks.common import DATA, headline, machine, say, table, write_result

# (name, folder under DATA, zone of naive dates): the Bangla outlets print Dhaka time.
SETS = (
    ("bbc", "bbc", None),
    ("bangla csv 2026 (Prothom Alo, Ittefaq)", "bangla/news_palo_ittefaq_2026", DHAKA),
    ("bangla csv 2024 (Prothom Alo, Jugantor, Samakal)", "bangla/news_palo_jugantor_samakal_2024", DHAKA),
    ("bangla json one-per-file (CLIR Prothom Alo)", "bangla/clir_prothomalo_bn_en_2025", DHAKA),
    ("reuters21578 sgml", "reuters21578", None),
    ("realtimeqa articles jsonl (nested)", "realtimeqa/articles", None),
)


def run(name: str, folder: Path, tz) -> dict:
    start, cpu = time.perf_counter(), time.process_time()
    loaded = load_articles(folder, tz=tz)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    kinds = Counter(p.kind for p in loaded.problems)
    kept = {(a.path, a.line) for a in loaded.articles}
    lost = [
        str(p)
        for p in loaded.problems
        if p.kind == Kind.UNDATED
        and (p.path, p.line) not in kept
        and not any(
            q.path == p.path and q.line == p.line and q.dropped and q.kind != Kind.UNDATED
            for q in loaded.problems
        )
    ]
    return {
        "set": name,
        "folder": str(folder),
        "files": len(loaded.reports),
        "records": loaded.records,
        "articles": len(loaded.articles),
        "undated": sum(1 for a in loaded.articles if a.published is None),
        "teasers": sum(1 for a in loaded.articles if a.teaser),
        "problems": dict(kinds.most_common()),
        "languages": loaded.languages(),
        "mappings": loaded.mappings(),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "records_per_second": round(loaded.records / cpu, 1) if cpu else None,
        "articles_per_second": round(len(loaded.articles) / cpu, 1) if cpu else None,
        "lost_for_metadata": lost,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, nargs="?", default=DATA, help="the shared data folder")
    parser.add_argument("--sets", help="comma-separated name prefixes of the sets to run")
    parser.add_argument("--out", type=Path, default=None, help="results folder")
    args = parser.parse_args(argv)
    info = machine()
    say(headline(info))
    wanted = [s.strip() for s in args.sets.split(",")] if args.sets else None
    rows = []
    for name, sub, tz in SETS:
        if wanted and not any(name.startswith(w) for w in wanted):
            continue
        folder = args.data / sub
        if not folder.is_dir():
            say(f"{name}: {folder} not found, skipped")
            continue
        say(f"reading {name} ...")
        rows.append(run(name, folder, tz))
    print(
        table(
            ["set", "files", "records", "articles", "undated", "records/s (CPU)", "lost for metadata"],
            [
                [
                    r["set"],
                    r["files"],
                    r["records"],
                    r["articles"],
                    r["undated"],
                    r["records_per_second"],
                    len(r["lost_for_metadata"]),
                ]
                for r in rows
            ],
        )
    )
    for r in rows:
        print(f"\n{r['set']}: " + ", ".join(f"{n} {kind}" for kind, n in r["problems"].items()))
        print("  languages: " + ", ".join(f"{k} {v}" for k, v in r["languages"].items()))
        for mapping in r["mappings"][:4]:
            print(f"  fields: {mapping}")
    path = write_result("ingest", {"machine": info, "sets": rows}, args.out)
    say(f"wrote {path}")
    return 1 if any(r["lost_for_metadata"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
