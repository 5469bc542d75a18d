"""The ``newsdesk`` command: build, add, search, ask, serve. A thin edge over the library: it
parses arguments, calls the API and turns the library's exceptions into messages."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import timedelta, timezone
from pathlib import Path

from app.index.locations import default_index_dir, default_seeds_dir
from app.search.retriever import MODES
from app.text.dates import day


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    from app.index.embedder import ModelError
    from app.index.errors import IndexUnavailable
    from app.sources.intake import IntakeError

    try:
        return args.run(args)
    except (IndexUnavailable, ModelError, IntakeError, FileNotFoundError, ValueError) as err:
        print(f"newsdesk: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsdesk: interrupted; the previous index is intact", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="Questions answered from news articles, every sentence quoted and cited.",
        epilog="Run `newsdesk COMMAND --help` for a command's options.",
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")

    build = sub.add_parser(
        "build",
        help="(re)build the index of an articles folder, embedding only what changed",
        description="Read every article under --seeds (saved pages .html, feeds .xml/.rss/.atom, "
        "exports .json/.jsonl/.csv/.tsv, text .txt/.md, Reuters .sgm), split it into passages, "
        "embed the new ones and write the index to --out. Problems are reported by kind, file "
        "and line, and the rest is indexed; nothing is dropped for its metadata.",
    )
    build.add_argument(
        "--seeds",
        type=Path,
        default=default_seeds_dir(),
        help="articles folder or file (default: %(default)s)",
    )
    build.add_argument(
        "--out",
        type=_index_location,
        default=_default_index(),
        help="index folder, or milvus:./news.db or milvus:http://HOST:19530 (default: %(default)s)",
    )
    build.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="embed new passages with Ray Data: a local Ray, or the cluster at ADDRESS (HOST:6379); "
        "needs the `scale` extra",
    )
    build.add_argument(
        "--model",
        help="both (multilingual-e5-small for every passage and all-MiniLM-L6-v2 for the English "
        "ones, fused: the best retrieval, ~1.2x the embedding time of multilingual alone), "
        "multilingual (multilingual-e5-small alone), minilm (all-MiniLM-L6-v2 alone: English only, "
        "4-6x faster to build than both), or a sentence-transformers name or path (default: "
        "$NEWSDESK_MODEL, else both, or multilingual for an archive without English articles)",
    )
    _reading_options(build)
    build.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    build.add_argument("--strict", action="store_true", help="exit 1 if any file had a problem")
    build.set_defaults(run=_build)

    add = sub.add_parser(
        "add",
        help="add files or web pages to the articles folder and update the index",
        description="Copy files (or folders) into --seeds, or fetch web pages (http/https) and save "
        "them there with their URL, then update the index. Everything is read or fetched first: "
        "if any of it fails (no network, a missing file), nothing is added.",
    )
    add.add_argument("items", nargs="+", metavar="URL_OR_PATH")
    add.add_argument(
        "--seeds", type=Path, default=default_seeds_dir(), help="articles folder (default: %(default)s)"
    )
    add.add_argument(
        "--out", type=_index_location, default=_default_index(), help="index folder or milvus: URI"
    )
    _reading_options(add)
    add.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    add.set_defaults(run=_add, model=None, strict=False)

    search = sub.add_parser(
        "search",
        help="print the passages most relevant to a question, with citations",
        description="Rank passages for QUESTION and print each with its article's title, "
        "outlet, date, paragraph number and file.",
    )
    search.add_argument("question")
    search.add_argument("-k", type=int, default=5, help="how many passages, 1 to 50 (default: %(default)s)")
    _index_option(search)
    search.add_argument("--mode", choices=MODES, default="hybrid", help="retriever (default: %(default)s)")
    search.add_argument("--json", action="store_true", help="print the hits as JSON")
    search.set_defaults(run=_search)

    ask = sub.add_parser(
        "ask",
        help="answer a question in sentences quoted from the articles, with citations",
        description="Answer QUESTION with 1-4 sentences copied verbatim from the indexed "
        "articles, each followed by a numbered citation, or say that the articles do not "
        "answer it.",
    )
    ask.add_argument("question")
    _index_option(ask)
    ask.add_argument("--json", action="store_true", help="print the answer and its citations as JSON")
    ask.set_defaults(run=_ask)

    serve = sub.add_parser(
        "serve",
        help="serve the chat in a browser (default http://127.0.0.1:7860)",
        description="Serve the web chat. It binds 127.0.0.1 (this machine only) unless "
        "--host says otherwise; --host 0.0.0.0 exposes it to the network.",
    )
    _index_option(serve)
    serve.add_argument(
        "--seeds",
        type=Path,
        default=None,
        help="articles folder the page's 'Add articles' panel saves into and builds from "
        "(default: the project's seeds/ when --index is not given; else no panel)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    serve.add_argument("--port", type=int, default=7860, help="port (default: %(default)s)")
    serve.set_defaults(run=_serve)
    return parser


def _reading_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--map",
        metavar="FIELD=COLUMN,...",
        help="name the fields of JSON/CSV records yourself, e.g. text=details,title=headline "
        "(fields: title, text, standfirst, published, source, url, author, language, updated, crawled)",
    )
    command.add_argument(
        "--keep-all",
        action="store_true",
        help="index what is judged not an article too (listings, block pages, spam, READMEs)",
    )
    command.add_argument(
        "--tz",
        type=_zone,
        help="time zone of dates written without one, as +HH:MM (default UTC), e.g. +06:00 for Dhaka",
    )


def _zone(value: str) -> timezone:
    m = re.fullmatch(r"(?:UTC)?([+-])(\d{1,2}):?(\d{2})?", value.strip(), re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"{value!r} is not a zone; write it as +06:00 or -05:00")
    sign = 1 if m.group(1) == "+" else -1
    return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)))


def _index_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--index",
        type=_index_location,
        default=None,
        help="index folder, or milvus:./news.db or milvus:http://HOST:19530 "
        "(default: the project's embeddings/)",
    )


def _default_index() -> Path | str:
    """$NEWSDESK_INDEX (a folder or a milvus: URI) or the project's embeddings/."""
    value = os.environ.get("NEWSDESK_INDEX")
    return _index_location(value) if value else default_index_dir()


def _index_location(value: str) -> Path | str:
    """A folder, or a ``milvus:`` URI kept as written (a Path would fold its "//")."""
    return value if value.startswith("milvus:") else Path(value)


def _build(args) -> int:
    from app.engines.build import build_index

    before = _index_model(args.out)
    report = build_index(
        args.seeds,
        args.out,
        model=args.model,
        progress=not args.json,
        keep_all=args.keep_all,
        field_map=args.map,
        tz=args.tz,
        ray=args.ray,
    )
    _print_report(report, args, before)
    return 1 if args.strict and report.problems else 0


def _index_model(folder: Path | str) -> str | None:
    """The model an existing index in ``folder`` holds (None: no readable index, or a
    Milvus collection, whose build checks its model itself)."""
    from app.index.errors import IndexUnavailable
    from app.index.manifest import read_manifest
    from app.index.models import recorded_design

    if not isinstance(folder, Path):
        return None
    try:
        return recorded_design(read_manifest(folder))
    except IndexUnavailable:  # no index yet, or a damaged one: the build replaces it
        return None


def _add(args) -> int:
    from app.engines.build import build_index
    from app.sources.intake import collect, place

    written = place(collect(args.items), args.seeds)
    if not args.json:
        for path in written:
            print(f"Added {path}")
        if not written:
            print("Nothing new to add: the same files are already in the articles folder")
    report = build_index(
        args.seeds, args.out, progress=not args.json, keep_all=args.keep_all, field_map=args.map, tz=args.tz
    )
    _print_report(report, args)
    return 0


# How many problems of each kind the summary lists by file; --json has them all.
SHOWN_PER_KIND = 5


def _print_report(report, args, before: str | None = None) -> None:
    """The build summary: counts, the model (and the one it replaced), problems grouped
    by kind (a few examples of each), languages and the field mappings used; ``--json``
    prints everything as one object."""
    if args.json:
        print(json.dumps({**report.to_dict(), "problem_counts": report.counts()}, ensure_ascii=False))
        return
    print(
        f"Indexed {report.articles} article(s), {report.passages} passage(s) from "
        f"{args.seeds} into {report.index_dir} in {report.seconds:.1f} s\n"
        f"  added {report.added}, removed {report.removed}, unchanged {report.unchanged}"
    )
    from app.index.models import describe

    switched = (
        f" (was {describe(before)}: every passage embedded again)"
        if before and before != report.model
        else ""
    )
    print(f"  model: {describe(report.model)}{switched}")
    if report.languages:
        print("  languages: " + ", ".join(f"{code} {n}" for code, n in report.languages.items()))
    for mapping in report.mappings:
        print(f"  fields: {mapping}")
    counts = report.counts()
    if counts:
        print(f"  {len(report.problems)} problem(s) and remark(s), by kind:")
    for kind, n in counts.items():
        print(f"    {n} {kind}")
        examples = [p for p in report.problems if p.kind == kind]
        for problem in examples[:SHOWN_PER_KIND]:
            print(f"      {problem.path}{f':{problem.line}' if problem.line else ''}: {problem.message}")
        if len(examples) > SHOWN_PER_KIND:
            print(f"      ... and {len(examples) - SHOWN_PER_KIND} more (--json lists them all)")


def _search(args) -> int:
    from app.answer.payloads import check_k, search_payload
    from app.search.retriever import retrieve

    if args.json:  # the JSON of GET /api/search too
        payload = search_payload(args.question, args.k, index_dir=args.index, mode=args.mode)
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    hits = retrieve(args.question, k=check_k(args.k), index_dir=args.index, mode=args.mode)
    if not hits:
        print("No passage matches.")
    for n, hit in enumerate(hits, start=1):
        c = hit.citation
        date = day(c.published)
        print(f"{n}. [{hit.score:.3f}] {c.title}")
        teaser = " · teaser, full story at its URL" if c.teaser else ""
        where = f"{c.source or 'unknown outlet'} · {date} · {c.language} · paragraph {c.paragraph}"
        print(f"   {where} · {c.path}{teaser}")
        print(f"   {hit.text}\n")
    return 0


def _ask(args) -> int:
    from app.answer.ask import ask
    from app.answer.payloads import ask_payload

    if args.json:  # the JSON of POST /api/ask and the page's /ask endpoint too
        print(json.dumps(ask_payload(args.question, index_dir=args.index), ensure_ascii=False))
        return 0
    answer = ask(args.question, index_dir=args.index)
    print(answer.text)
    if answer.abstained and answer.hits:
        print("\nPossibly related:")
        for hit in answer.hits[:3]:
            print(f"  - {hit.citation.title}, paragraph {hit.citation.paragraph}")
    if answer.citations:
        print()
    for c in answer.citations:
        date = day(c.published)
        who = f" — quoting {c.speaker}" if c.speaker else ""
        outlet = c.source or "unknown outlet"
        print(f"[{c.n}] {c.title} — {outlet}, {date}, {c.language}, paragraph {c.paragraph} ({c.path}){who}")
    return 0


def _serve(args) -> int:
    from app.index.build import ensure_current_index
    from app.ui import launch

    seeds = args.seeds
    if args.index is None:  # the project's index: bring it up to date with seeds/ first
        report = ensure_current_index(progress=True)
        if report is not None:
            print(f"Rebuilt {report.index_dir}: {report.articles} article(s), {report.passages} passage(s)")
        seeds = seeds or default_seeds_dir()
    launch(index_dir=args.index, seeds=seeds, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
