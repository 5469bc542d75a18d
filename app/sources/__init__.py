"""Articles from files: one reader a format, and ``load_articles`` to walk a folder.

Formats: saved bdnews24 pages (``.txt``, recognised by their header), plain ``.txt`` /
``.md`` articles, and ``.jsonl`` archives. Every file that cannot be read, or reads to
nothing, becomes a ``Problem`` naming the path (and line, for JSONL), and the other
files are still read: empty, binary (by signature or NUL bytes), over-sized (more than
``MAX_ARTICLE_BYTES`` for one article), not a regular file (a FIFO, a device), a broken
symbolic link, a folder or file without read permission, a body that is only page
furniture, a duplicate of an article already read. Remarks about articles that are
indexed all the same (read as Windows-1252, no title line) are Problems too.

Hidden files (``.gitkeep``, ``.DS_Store``) are not articles and are passed over.
Symbolic links to files are followed; links to folders are reported and not followed
(no loops). Does not fetch URLs or parse HTML.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from app.sources import bdnews24, jsonl, plaintext
from app.sources.common import MAX_ARTICLE_BYTES, Note, SourceError, decode
from app.types import Article, Loaded, Problem

SUFFIXES = (".txt", ".md", ".jsonl")


def load_articles(source: str | os.PathLike[str]) -> Loaded:
    """Read every article under ``source`` (a folder, searched recursively, or one file).

    Returns a ``Loaded`` with the articles (duplicates of the same content kept once),
    the problems, and each file's sha256 (keyed by its display path), which the index
    uses to tell what changed. Raises ``FileNotFoundError`` if ``source`` does not exist
    and ``SourceError`` if it is a folder that cannot be listed at all (so a build never
    mistakes an unreadable folder for an empty one and empties the index).

    Example:
        >>> loaded = load_articles("seeds")
        >>> loaded.articles[0].title
        'Even one American in Iraq is too many, Iran leader tells Iraqi president'
    """
    root = Path(source)
    if not root.exists() and not root.is_symlink():
        raise FileNotFoundError(f"{root}: no such file or folder")
    if root.is_dir():
        try:
            os.scandir(root).close()
        except OSError as err:
            raise SourceError(f"{root}: cannot read the folder ({err.strerror or err})") from None
    articles: dict[str, Article] = {}
    problems: list[Problem] = []
    files: dict[str, str] = {}
    for path, shown in _files(root, problems):
        digest = hashlib.sha256()
        try:
            for item in _read_file(path, shown, digest):
                if isinstance(item, (SourceError, Note)):
                    message = str(item) if isinstance(item, SourceError) else item.message
                    problems.append(Problem(shown, message, item.line))
                    continue
                if item.article_id in articles:
                    first = articles[item.article_id]
                    where = f"{first.path}:{first.line}" if first.line else first.path
                    problems.append(Problem(shown, f"duplicate of {where}; kept once", item.line))
                else:
                    articles[item.article_id] = item
        except OSError as err:
            problems.append(Problem(shown, f"unreadable: {err.strerror or err}"))
            continue
        except Exception as err:  # a reader's bug on one odd file must not stop the others
            problems.append(
                Problem(shown, f"could not be read ({type(err).__name__}: {err}); please report it")
            )
            continue
        files[shown] = digest.hexdigest()
    return Loaded(articles=tuple(articles.values()), problems=tuple(problems), files=files)


def _files(root: Path, problems: list[Problem]) -> Iterator[tuple[Path, str]]:
    """Yield (path, display path) for candidate files, sorted, reporting what cannot be
    walked. The display path is relative to the source folder's parent ("seeds/a.txt"),
    so it is the same whatever the working directory."""
    base = root.parent
    if not root.is_dir():
        if _acceptable(root, root.name, problems):
            yield root, root.name
        return

    def onerror(err: OSError) -> None:
        problems.append(Problem(_shown(Path(err.filename), base), f"unreadable folder: {err.strerror}"))

    for folder, dirs, names in os.walk(root, onerror=onerror):
        for name in sorted(d for d in dirs if not d.startswith(".")):
            if Path(folder, name).is_symlink():
                problems.append(
                    Problem(
                        _shown(Path(folder, name), base), "link to a folder, not followed; link the files"
                    )
                )
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not Path(folder, d).is_symlink())
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            shown = _shown(path, base)
            if path.suffix.lower() not in SUFFIXES:
                problems.append(Problem(shown, f"not an article file (reads {', '.join(SUFFIXES)})"))
            elif _acceptable(path, shown, problems):
                yield path, shown


def _acceptable(path: Path, shown: str, problems: list[Problem]) -> bool:
    """A regular file of a readable size; anything else is reported and skipped. Checked
    before opening: opening a FIFO would block, reading a device might never end."""
    try:
        info = path.stat()
    except FileNotFoundError:
        problems.append(Problem(shown, "broken symbolic link" if path.is_symlink() else "vanished"))
        return False
    except OSError as err:
        problems.append(Problem(shown, f"unreadable: {err.strerror or err}"))
        return False
    if not stat.S_ISREG(info.st_mode):
        problems.append(Problem(shown, "not a regular file (a pipe, device or socket)"))
        return False
    if path.suffix.lower() != ".jsonl" and info.st_size > MAX_ARTICLE_BYTES:
        problems.append(
            Problem(
                shown,
                f"too large for one article ({info.st_size / 1e6:.1f} MB; the limit is "
                f"{MAX_ARTICLE_BYTES / 1e6:.0f} MB): split it, or make it a .jsonl archive "
                "(one article a line)",
            )
        )
        return False
    return True


def _shown(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _read_file(path: Path, shown: str, digest) -> Iterator[Article | SourceError | Note]:
    """Articles, errors and notes of one file; feeds the file's bytes to ``digest``.
    Raises OSError if the file cannot be opened or read."""
    with open(path, "rb") as handle:
        if path.suffix.lower() == ".jsonl":
            yield from jsonl.read_stream(_Hashing(handle, digest), path=shown)
            return
        data = handle.read(MAX_ARTICLE_BYTES + 1)
    digest.update(data)
    if len(data) > MAX_ARTICLE_BYTES:  # grew since it was measured
        yield SourceError(f"too large for one article (over {MAX_ARTICLE_BYTES / 1e6:.0f} MB)")
        return
    try:
        text, warning = decode(data)
    except SourceError as err:
        yield err
        return
    if warning:
        yield Note(warning)
    if not text.strip():
        yield SourceError("empty file")
        return
    reader = bdnews24.read if bdnews24.sniff(text) else plaintext.read
    try:
        yield from reader(text, path=shown)
    except SourceError as err:
        yield err


class _Hashing:
    """A binary file that feeds every byte it reads to a hash (one pass, no second read)."""

    def __init__(self, handle, digest):
        self._handle, self._digest = handle, digest

    def readline(self, limit: int = -1) -> bytes:
        data = self._handle.readline(limit)
        self._digest.update(data)
        return data


__all__ = ["load_articles", "SourceError", "SUFFIXES", "MAX_ARTICLE_BYTES"]
