"""Incremental update: adding one article to an existing index of the Reuters archive.

Copies the 100k-passage index built by ``benchmarks.bench_scale`` (Reuters + RealTimeQA) and its source
folder into a scratch folder, adds one new article file, and times ``build_index``
(median of ``--runs``, each on a fresh copy) in a running process (the model loaded), with a
profile of where the time goes, and end to end as a user runs it: ``newsdesk build`` in a
fresh process (interpreter, imports and model load included) until the index answers. A
second build with nothing changed is timed too (the no-op path).

Usage: ``python -m benchmarks.bench_update [REUTERS_DIR] [RTQA_DATA_DIR] [--runs N]``.
Prints a table and writes ``benchmarks/results/bench_update.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import time
from pathlib import Path

from app.index.build import build_index
from app.index.store import StoredIndex
from benchmarks import bench_scale, rtqa
from benchmarks.common import CACHE, add_archive_arguments, headline, machine, run_python, table, write_result

ARTICLE = """Central bank holds rates as inflation eases

The central bank left its benchmark interest rate unchanged on Thursday, saying
inflation had eased faster than expected over the summer.

"We are not yet done, but the direction is clear," the governor told reporters after
the meeting, adding that the bank would watch wages closely.

Economists had expected the pause after three increases this year.
"""

# Functions whose cumulative time the profile reports, by (file suffix, name).
STAGES = {
    "stamps checked, changed files read (load_articles)": (
        "app/sources/__init__.py",
        "load_articles",
    ),
    "split passages": ("app/index/passages.py", "split_passages"),
    "enrich (quotes, MinHash signatures)": ("app/news/enrich.py", "enrich"),
    "open the previous index (memory-mapped)": ("app/index/store.py", "__init__"),
    "embed new passages": ("app/index/embedder.py", "encode"),
    "keyword postings of the new passages": ("app/index/keyword.py", "build"),
    "hubness densities of the new passages": ("app/index/update.py", "densities"),
    "write the new segment (FAISS, columns, checksums)": ("app/index/segment.py", "write_segment"),
    "write the state and switch the manifest": ("app/index/generation.py", "commit"),
}


def _current_base(source: Path, full: Path) -> Path:
    """The 100k index as a running app has it: updated at least once by this newsdesk,
    so it holds what every update since keeps (hubness densities and k-th neighbours, each duplicate's kept
    copy, each segment's ``reuse.json``). A copy of ``full`` (made again when ``full``
    changes) gets two untimed builds at every run of the benchmark: a throw-away article
    added, then removed with everything merged into one segment (so that the timed
    updates start from one segment, never from a merge's threshold)."""
    base = CACHE / "update-base"
    generation = StoredIndex(full).manifest["generation"]
    marker = base / "from-generation"
    if not marker.exists() or marker.read_text() != generation:
        shutil.rmtree(base, ignore_errors=True)
        shutil.copytree(source, base / source.name)
        shutil.copytree(full, base / "index")
        marker.write_text(generation)
    (base / source.name / "throw-away.txt").write_text(ARTICLE)
    build_index(base / source.name, base / "index")
    (base / source.name / "throw-away.txt").unlink()
    build_index(base / source.name, base / "index", compact=True)  # back to the corpus
    return base / "index"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_archive_arguments(parser)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    info = machine()
    print(headline(info))
    source = bench_scale.corpus(Path(args.reuters), Path(args.rtqa))
    full = CACHE / "index-100k"
    rtqa.build_cached(source, full, CACHE)  # a no-op when bench_scale built it
    base = _current_base(source, full)
    from app.index.embedder import get_embedder

    get_embedder().encode(["load the model before timing, as a running app has it"])
    scratch = CACHE / "update"
    seconds, noop, profile = [], [], None
    for run in range(args.runs):
        shutil.rmtree(scratch, ignore_errors=True)
        news = scratch / source.name  # the folder's name is part of each article's path
        shutil.copytree(source, news)
        shutil.copytree(base, scratch / "index")  # copy2 keeps mtimes: the fast integrity path holds
        (news / "new-article.txt").write_text(ARTICLE.replace("Thursday", f"day {run}"))
        profiler = cProfile.Profile() if run == 0 else None
        t = time.perf_counter()
        if profiler:
            profiler.enable()
        report = build_index(news, scratch / "index")
        if profiler:
            profiler.disable()
            profile = profiler
        seconds.append(time.perf_counter() - t)
        t = time.perf_counter()
        build_index(news, scratch / "index")
        noop.append(time.perf_counter() - t)
        assert report.added > 0 and report.removed == 0, report
    cli = []
    for run in range(args.runs):
        # a new file each run: one article added (rewriting one file would replace its article)
        (news / f"new-article-cli-{run}.txt").write_text(ARTICLE.replace("Thursday", f"cli day {run}"))
        t = time.perf_counter()
        run_python("-m", "app", "build", "--seeds", str(news), "--out", str(scratch / "index"))
        cli.append(time.perf_counter() - t)
    segments = len(StoredIndex(scratch / "index").segments)
    shutil.rmtree(scratch, ignore_errors=True)
    stats = pstats.Stats(profile)
    stages = {}
    for label, (suffix, name) in STAGES.items():
        total = sum(
            value[3]
            for (path, _, func), value in stats.stats.items()
            if path.endswith(suffix) and func == name
        )
        stages[label] = round(total, 3)
    seconds.sort()
    noop.sort()
    result = {
        "machine": info,
        "passages": report.passages,
        "added": report.added,
        "add_one_article_s": {"median": round(seconds[len(seconds) // 2], 2), "runs": seconds},
        "nothing_changed_s": round(noop[len(noop) // 2], 2),
        "cli_add_one_article_s": {"median": round(sorted(cli)[len(cli) // 2], 2), "runs": cli},
        "segments_after": segments,
        "profile_first_run_s": stages,
    }
    print(f"index of {report.passages} passages; one article adds {report.added} passages")
    rows = [[f"add one article (median of {args.runs})", result["add_one_article_s"]["median"]]]
    rows += [[f"  {k}", v] for k, v in stages.items()]
    rows.append(["build with nothing changed", result["nothing_changed_s"]])
    rows.append(
        [
            f"`newsdesk build` in a fresh process, one article (median of {args.runs})",
            result["cli_add_one_article_s"]["median"],
        ]
    )
    result["embedding_one_article_s"] = extra = _embedding_by_model(args.runs)
    for name, value in extra.items():
        rows.append([f"embedding the new article's passages with {name} alone (median)", value])
    result["cli_add_one_article_seed_index_s"] = by_design = _cli_by_design(args.runs)
    for name, value in by_design.items():
        rows.append([f"`newsdesk build --model {name}`, one article, the seeds' index (median)", value])
    print(table(["step", "seconds"], rows))
    write_result("bench_update", result)
    return 0


def _cli_by_design(runs: int) -> dict[str, float]:
    """``newsdesk build`` in a fresh process adding one article to the seeds' index, with
    MiniLM alone and with the default design: the same small index and article, so the
    difference is the second model's loading and embedding (the 100k index above is
    MiniLM's)."""
    from app.index.locations import default_seeds_dir

    out = {}
    for design in ("minilm", "both"):
        scratch = CACHE / f"update-seeds-{design}"
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(default_seeds_dir(), scratch / "seeds")
        build_index(scratch / "seeds", scratch / "index", model=design)
        times = []
        for run in range(runs):
            (scratch / "seeds" / f"new-{run}.txt").write_text(ARTICLE.replace("Thursday", f"day {run}"))
            t = time.perf_counter()
            seeds, index = str(scratch / "seeds"), str(scratch / "index")
            run_python("-m", "app", "build", "--seeds", seeds, "--out", index, "--model", design)
            times.append(time.perf_counter() - t)
        shutil.rmtree(scratch, ignore_errors=True)
        out[design] = round(sorted(times)[len(times) // 2], 2)
    return out


def _embedding_by_model(runs: int) -> dict[str, float]:
    """What each model of the default design spends embedding the new article's passages
    (loaded, in this process): the index above is built with $NEWSDESK_MODEL (make bench:
    MiniLM), so this is what the default design adds to an update."""
    from app.index.embedder import get_embedder
    from app.index.models import BOTH, split_design
    from app.index.passages import split_passages
    from app.sources import load_articles

    folder = CACHE / "update-article"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.txt").write_text(ARTICLE)
    texts = [p.text for a in load_articles(folder).articles for p in split_passages(a)]
    out = {}
    for name in split_design(BOTH):
        embedder = get_embedder(name)
        embedder.encode(texts)  # loaded and warm, as in a running app
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            embedder.encode(texts)
            times.append(time.perf_counter() - t)
        out[name.rsplit("/", 1)[-1]] = round(sorted(times)[len(times) // 2], 3)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
