"""Which files of a folder are read, and by which reader.

Suffixes (``READERS``): ``.txt``/``.md`` one article (the bdnews24 saved-page text when
it sniffs as one, else plain); ``.jsonl``/``.ndjson``, ``.json``, ``.csv``/``.tsv``
record files; ``.xml``/``.rss``/``.atom`` feeds (an ``.xml`` that is no feed is
reported; one holding Reuters SGML is read as such); ``.html``/``.htm`` saved pages;
``.sgm`` Reuters-21578. What users plausibly drop that cannot be read (``.pdf``,
``.docx``, images, archives) is "unsupported format", by path, with what to do.

A folder's own documentation (README, LICENSE, CHANGELOG ... by name) is not read
(unless ``keep_all``). Hidden files are passed over; links to folders are not followed;
FIFOs and devices are never opened; a one-article file over the size limit is refused
before it is read. Files are listed in sorted order, so builds are deterministic.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from app.sources.classify import documentation_name
from app.sources.files import MAX_ARTICLE_BYTES
from app.sources.html import MAX_PAGE_BYTES
from app.types import Kind, Problem

READERS = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".text": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".sgm": "sgml",
    ".sgml": "sgml",
}
# What each unreadable kind of file is, and what the user can do about it.
UNSUPPORTED = {
    ".pdf": "PDF: save its text as .txt",
    ".docx": "Word document: save it as .txt or .html",
    ".doc": "Word document: save it as .txt or .html",
    ".odt": "OpenDocument text: save it as .txt or .html",
    ".rtf": "RTF: save it as .txt",
    ".epub": "e-book: not read",
    ".xlsx": "spreadsheet: export it as CSV",
    ".xls": "spreadsheet: export it as CSV",
    ".ods": "spreadsheet: export it as CSV",
    ".pptx": "slides: not read",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".gif": "image",
    ".webp": "image",
    ".svg": "image",
    ".mp3": "audio",
    ".mp4": "video",
    ".zip": "archive: unpack it first",
    ".gz": "archive: unpack it first",
    ".rar": "archive: unpack it first",
    ".7z": "archive: unpack it first",
    ".tar": "archive: unpack it first",
    ".parquet": "Parquet: export it as JSONL or CSV",
}
# A record file (JSONL, CSV, SGML, feed) holds many articles: no whole-file limit
# beyond the readers' own; a one-article file over this is refused unread.
SINGLE_ARTICLE_FORMATS = ("text", "html")


def files(root: Path, problems: list[Problem], keep_all: bool) -> Iterator[tuple[Path, str]]:
    """(path, display path) of each file to read, sorted; what is skipped is noted. The
    display path is relative to the source's parent ("seeds/a.txt")."""
    base = root.parent
    if not root.is_dir():
        if acceptable(root, root.name, problems, keep_all):
            yield root, root.name
        return

    def onerror(err: OSError) -> None:
        problems.append(
            Problem(Kind.UNREADABLE, f"unreadable folder: {err.strerror}", shown(Path(err.filename), base))
        )

    for folder, dirs, names in os.walk(root, onerror=onerror):
        for name in sorted(d for d in dirs if not d.startswith(".")):
            if Path(folder, name).is_symlink():
                problems.append(
                    Problem(
                        Kind.UNSUPPORTED,
                        "link to a folder, not followed; link the files",
                        shown(Path(folder, name), base),
                    )
                )
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not Path(folder, d).is_symlink())
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            if acceptable(path, shown(path, base), problems, keep_all):
                yield path, shown(path, base)


def acceptable(path: Path, shown: str, problems: list[Problem], keep_all: bool) -> bool:
    """A readable regular file of a known kind and size; anything else is noted. Checked
    before opening: opening a FIFO would block, reading a device might never end."""
    suffix = path.suffix.lower()
    if documentation_name(shown) and not keep_all:
        problems.append(
            Problem(Kind.DOCUMENTATION, "the folder's documentation (by its name), not an article", shown)
        )
        return False
    if suffix not in READERS:
        what = UNSUPPORTED.get(suffix)
        message = f"{what}, not read" if what else f"not an article file (reads {', '.join(sorted(READERS))})"
        problems.append(Problem(Kind.UNSUPPORTED, message, shown))
        return False
    try:
        info = path.stat()
    except FileNotFoundError:
        problems.append(
            Problem(Kind.UNREADABLE, "broken symbolic link" if path.is_symlink() else "vanished", shown)
        )
        return False
    except OSError as err:
        problems.append(Problem(Kind.UNREADABLE, f"unreadable: {err.strerror or err}", shown))
        return False
    if not stat.S_ISREG(info.st_mode):
        problems.append(Problem(Kind.UNREADABLE, "not a regular file (a pipe, device or socket)", shown))
        return False
    limit = MAX_PAGE_BYTES if READERS[suffix] == "html" else MAX_ARTICLE_BYTES
    if READERS[suffix] in SINGLE_ARTICLE_FORMATS and info.st_size > limit:
        problems.append(
            Problem(
                Kind.TOO_LARGE,
                f"too large for one article ({info.st_size / 1e6:.1f} MB; "
                f"the limit is {limit / 1e6:.0f} MB): split it, or make it a .jsonl archive "
                "(one article a line)",
                shown,
            )
        )
        return False
    return True


def shown(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
