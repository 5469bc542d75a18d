"""The ``newsdesk`` command: build, search, ask, serve. A thin edge over the library: it
parses arguments, calls the API and turns the library's exceptions into messages."""

from __future__ import annotations

import argparse
import json
import sys
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

    try:
        return args.run(args)
    except (IndexUnavailable, ModelError, FileNotFoundError, ValueError) as err:
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
        description="Read every article under --seeds (.txt, .md, .jsonl), split it into "
        "passages, embed the new ones and write the index to --out. Files that cannot be "
        "read are reported by path (and line) and the rest is indexed.",
    )
    build.add_argument(
        "--seeds",
        type=Path,
        default=default_seeds_dir(),
        help="articles folder or file (default: %(default)s)",
    )
    build.add_argument(
        "--out", type=Path, default=default_index_dir(), help="index folder (default: %(default)s)"
    )
    build.add_argument(
        "--model",
        help="sentence-transformers model name or path "
        "(default: $NEWSDESK_MODEL, else the packaged all-MiniLM-L6-v2)",
    )
    build.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    build.add_argument("--strict", action="store_true", help="exit 1 if any file had a problem")
    build.set_defaults(run=_build)

    search = sub.add_parser(
        "search",
        help="print the passages most relevant to a question, with citations",
        description="Rank passages for QUESTION and print each with its article's title, "
        "outlet, date, paragraph number and file.",
    )
    search.add_argument("question")
    search.add_argument("-k", type=int, default=5, help="how many passages (default: %(default)s)")
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
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    serve.add_argument("--port", type=int, default=7860, help="port (default: %(default)s)")
    serve.set_defaults(run=_serve)
    return parser


def _index_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--index", type=Path, default=None, help="index folder (default: the project's embeddings/)"
    )


def _build(args) -> int:
    from app.index.build import build_index

    report = build_index(args.seeds, args.out, model=args.model, progress=not args.json)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(
            f"Indexed {report.articles} article(s), {report.passages} passage(s) from "
            f"{args.seeds} into {report.index_dir} in {report.seconds:.1f} s\n"
            f"  added {report.added}, removed {report.removed}, unchanged {report.unchanged}"
        )
        if report.problems:
            print(f"  {len(report.problems)} problem(s), those files were skipped or read with care:")
            for problem in report.problems:
                print(f"    {problem}")
    return 1 if args.strict and report.problems else 0


def _search(args) -> int:
    from app.search.retriever import retrieve

    hits = retrieve(args.question, k=args.k, index_dir=args.index, mode=args.mode)
    if args.json:
        rows = [{"rank": n, **hit.to_dict()} for n, hit in enumerate(hits, start=1)]
        print(json.dumps({"question": args.question, "hits": rows}, ensure_ascii=False))
        return 0
    if not hits:
        print("No passage matches.")
    for n, hit in enumerate(hits, start=1):
        c = hit.citation
        date = day(c.published)
        print(f"{n}. [{hit.score:.3f}] {c.title}")
        print(f"   {c.source or 'unknown outlet'} · {date} · paragraph {c.paragraph} · {c.path}")
        print(f"   {hit.text}\n")
    return 0


def _ask(args) -> int:
    from app.answer.ask import ask

    answer = ask(args.question, index_dir=args.index)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return 0
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
        print(f"[{c.n}] {c.title} — {outlet}, {date}, paragraph {c.paragraph} ({c.path}){who}")
    return 0


def _serve(args) -> int:
    from app.index.build import ensure_current_index
    from app.ui import launch

    if args.index is None:  # the project's index: bring it up to date with seeds/ first
        report = ensure_current_index(progress=True)
        if report is not None:
            print(f"Rebuilt {report.index_dir}: {report.articles} article(s), {report.passages} passage(s)")
    launch(index_dir=args.index, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
