"""The page's "Add articles" panel: uploaded files and pasted URLs into the articles
folder, then an index build in a worker thread, its progress and its report.

Files go through ``app.sources.intake``, the code path of ``newsdesk add``: a name
keeps only its last part, made safe (no ``..``, no leading dot or slash, letters,
digits, ``.-_``), a symbolic link in the folder cannot carry it outside, the same
content is never copied twice, and everything is read (pages fetched) before anything
is written. An upload is at most ``MAX_UPLOAD_BYTES`` (gradio refuses a bigger one as it
arrives; checked again here). The build is ``build_index``: atomic, locked (two
uploads at once build one after the other) and incremental; chat answers go on while it
runs and switch to the new index when its manifest does. Does not delete articles.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.sources.intake import Incoming, IntakeError, collect, is_url, place, safe_name
from app.types import BuildReport
from app.ui.render import escape_markdown

# One upload: an article, a feed or an export of a few thousand articles. A bigger
# archive is `newsdesk add` or `newsdesk build` at a terminal.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_FILES = 100  # files in one upload
MAX_URLS = 20  # pages fetched in one go (20 s each at most)
# How many problems of each kind the report names by file, and how many saved files.
SHOWN_PER_KIND = 5
SHOWN_SAVED = 10
# Seconds between progress updates while the build runs.
TICK_SECONDS = 0.5


@dataclass
class _Build:
    """A build running in a worker thread, and what it left: a report or an error."""

    report: BuildReport | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)


def gather(files: list[str] | None, urls: str | None) -> list[Incoming]:
    """Uploaded files (paths of gradio's temporary copies) and URLs, one a line, read or
    fetched; raises IntakeError naming the first that cannot be, before anything is
    written. An uploaded name keeps only its last part."""
    files = [f for f in files or () if f]
    lines = [line.strip() for line in (urls or "").splitlines() if line.strip()]
    if len(files) > MAX_FILES:
        raise IntakeError(f"{len(files)} files at once; at most {MAX_FILES} an upload")
    if len(lines) > MAX_URLS:
        raise IntakeError(f"{len(lines)} URLs at once; at most {MAX_URLS}")
    incoming = []
    for file in files:
        path = Path(file)
        size = path.stat().st_size if path.is_file() else -1
        if size > MAX_UPLOAD_BYTES:
            limit = MAX_UPLOAD_BYTES >> 20
            raise IntakeError(f"{path.name}: {size / 1e6:.0f} MB is over the {limit} MB limit an upload")
        incoming.append(Incoming(safe_name(path.name), path.read_bytes(), path.name))
    for line in lines:
        if not is_url(line):
            raise IntakeError(f"{line[:200]}: not an http(s) URL")
    return incoming + collect(lines)


def add_articles(
    files: list[str] | None,
    urls: str | None,
    *,
    seeds: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    progress=None,
) -> Iterator[str]:
    """Save the uploads and fetched pages in ``seeds``, then build ``index_dir``: yields
    Markdown, first what was saved and the build's progress, last the build's report.
    ``progress(fraction, desc)`` (gradio's ``gr.Progress``) also gets the embedding's."""
    try:
        incoming = gather(files, urls)
    except (IntakeError, OSError) as err:
        yield f"**Nothing added.** {escape_markdown(str(err))}"
        return
    if not incoming:
        yield "Choose files to upload, or paste web page URLs (one a line), then **Add**."
        return
    try:
        written = place(incoming, Path(seeds))
    except (IntakeError, OSError) as err:
        yield f"**Nothing added.** {escape_markdown(str(err))}"
        return
    saved = _saved(written, Path(seeds), len(incoming))
    yield f"{saved}\n\nBuilding the index…"
    build = _start_build(Path(seeds), Path(index_dir))
    started = time.monotonic()
    while not build.done.wait(TICK_SECONDS):
        step, fraction = _embedding_step()
        if progress is not None:
            progress(fraction, desc=step)
        yield f"{saved}\n\n{step} ({time.monotonic() - started:.0f} s)"
    if build.error is not None:
        failed = f"**The build failed:** {escape_markdown(build.error)}. The previous index still answers."
        yield f"{saved}\n\n{failed}"
        return
    yield f"{saved}\n\n{report_markdown(build.report)}"


def _start_build(seeds: Path, index_dir: Path) -> _Build:
    """Run ``build_index`` in a daemon thread (a chat answer never waits for it), then
    load the new index once so that the first question after it does not."""
    from app.engines.build import build_index  # a folder or a milvus: URI
    from app.index.embedder import ModelError
    from app.index.errors import IndexUnavailable
    from app.search.retriever import get_retriever

    build = _Build()

    def run() -> None:
        try:
            build.report = build_index(seeds, index_dir, progress=True)
            index = get_retriever(index_dir).index  # the new generation, loaded
            _ = getattr(index, "keyword", None)  # (a folder's BM25 postings; Milvus has its own)
        except (IndexUnavailable, ModelError, OSError, ValueError) as err:
            build.error = str(err)
        finally:
            build.done.set()

    threading.Thread(target=run, name="newsdesk-build", daemon=True).start()
    return build


def _embedding_step() -> tuple[str, float | None]:
    """What the build is doing, from its tqdm bars (the embedders' "embedding (model)",
    one model after the other): tqdm keeps its live bars in a class-level set, readable
    from another thread."""
    from tqdm import tqdm

    for bar in list(getattr(tqdm, "_instances", ())):
        # a disabled bar (no terminal) has no ``desc``
        desc = getattr(bar, "desc", None) or ""
        if desc.startswith("embedding (") and getattr(bar, "total", None):
            model = desc.removeprefix("embedding ")
            return f"Embedding new passages {model}: batch {bar.n} of {bar.total}", bar.n / bar.total
    return "Reading the articles and updating the index…", None


def _saved(written: list[Path], seeds: Path, asked: int) -> str:
    if not written:
        return f"Nothing new to save: the {asked} file(s) are already in the articles folder."
    names = ", ".join(escape_markdown(p.relative_to(seeds).as_posix()) for p in written[:SHOWN_SAVED])
    more = f" and {len(written) - SHOWN_SAVED} more" if len(written) > SHOWN_SAVED else ""
    return f"Saved {len(written)} file(s) in the articles folder: {names}{more}."


def report_markdown(report: BuildReport) -> str:
    """The build's report for the page: counts, languages, and problems by kind with the
    files they are in (every name escaped: a file name is text, never markup)."""
    lines = [
        f"**Index updated:** {report.articles} article(s), {report.passages} passage(s); "
        f"passages added {report.added}, unchanged {report.unchanged}, removed {report.removed} "
        f"({report.seconds:.1f} s)."
    ]
    if report.languages:
        lines.append("Languages: " + ", ".join(f"{code} {n}" for code, n in report.languages.items()) + ".")
    counts = report.counts()
    if counts:
        lines.append(f"\n{len(report.problems)} problem(s) and remark(s), by kind:")
    for kind, n in counts.items():
        files = [p for p in report.problems if p.kind == kind]
        named = ", ".join(
            escape_markdown(f"{p.path}{f':{p.line}' if p.line else ''}") for p in files[:SHOWN_PER_KIND]
        )
        more = f" and {len(files) - SHOWN_PER_KIND} more" if len(files) > SHOWN_PER_KIND else ""
        lines.append(f"- {escape_markdown(kind)} ({n}): {named}{more}")
    return "\n".join(lines)
