"""Articles from files: one reader a format, and ``load_articles`` to walk a folder.

Formats: saved bdnews24 pages (``.txt``, recognised by their header), plain ``.txt`` /
``.md`` articles, and ``.jsonl`` archives. Every file that cannot be read, or reads to
nothing, becomes a ``Problem`` naming the path (and line, for JSONL); the other files
are still read. Hidden files (``.gitkeep``, ``.DS_Store``) are not articles and are
passed over. Does not fetch URLs or parse HTML.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from app.sources import bdnews24, jsonl, plaintext
from app.sources.common import SourceError, decode
from app.types import Article, Loaded, Problem

SUFFIXES = (".txt", ".md", ".jsonl")


def load_articles(source: str | os.PathLike[str]) -> Loaded:
    """Read every article under ``source`` (a folder, searched recursively, or one file).

    Returns a ``Loaded`` with the articles (duplicates of the same content kept once),
    the problems, and each file's sha256 (keyed by its display path), which the index
    uses to tell what changed.

    Example:
        >>> loaded = load_articles("seeds")
        >>> loaded.articles[0].title
        'Even one American in Iraq is too many, Iran leader tells Iraqi president'
    """
    root = Path(source)
    if not root.exists() and not root.is_symlink():
        raise FileNotFoundError(f"{root}: no such file or folder")
    articles: dict[str, Article] = {}
    problems: list[Problem] = []
    files: dict[str, str] = {}
    for path, shown in _files(root, problems):
        try:
            data = path.read_bytes()
        except OSError as err:
            problems.append(Problem(shown, f"unreadable: {err.strerror or err}"))
            continue
        files[shown] = hashlib.sha256(data).hexdigest()
        for item in _read(data, path, shown, problems):
            if isinstance(item, SourceError):
                problems.append(Problem(shown, str(item), item.line))
            elif item.article_id in articles:
                first = articles[item.article_id]
                where = f"{first.path}:{first.line}" if first.line else first.path
                problems.append(Problem(shown, f"duplicate of {where}; kept once", item.line))
            else:
                articles[item.article_id] = item
    return Loaded(articles=tuple(articles.values()), problems=tuple(problems), files=files)


def _files(root: Path, problems: list[Problem]):
    """Yield (path, display path) for candidate files, sorted, reporting what cannot be
    walked. The display path is relative to the source folder's parent ("seeds/a.txt"),
    so it is the same whatever the working directory."""
    base = root.parent
    if not root.is_dir():
        yield root, root.name
        return

    def onerror(err: OSError) -> None:
        problems.append(Problem(_shown(Path(err.filename), base), f"unreadable: {err.strerror}"))

    for folder, dirs, names in os.walk(root, onerror=onerror):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            shown = _shown(path, base)
            if path.suffix.lower() not in SUFFIXES:
                problems.append(Problem(shown, f"not an article file (reads {', '.join(SUFFIXES)})"))
            elif not path.exists():
                problems.append(Problem(shown, "broken symbolic link"))
            else:
                yield path, shown


def _shown(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _read(data: bytes, path: Path, shown: str, problems: list[Problem]):
    try:
        text, warning = decode(data)
    except SourceError as err:
        yield err
        return
    if warning:
        problems.append(Problem(shown, warning))
    if not text.strip():
        yield SourceError("empty file")
        return
    try:
        if path.suffix.lower() == ".jsonl":
            yield from jsonl.read(text, path=shown)
        elif bdnews24.sniff(text):
            yield from bdnews24.read(text, path=shown)
        else:
            yield from plaintext.read(text, path=shown)
    except SourceError as err:
        yield err


__all__ = ["load_articles", "SourceError", "SUFFIXES"]
