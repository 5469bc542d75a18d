"""Reading a folder (or one file): each file to its reader, every Record through
``make_article``, duplicates kept once (``dedupe``), every problem a Problem with its
kind, file and line.

A reader's failure on one odd file never stops the others: it is reported ("could not
be read ... please report it") and the next file is read. A bad file keeps its hash in
``Loaded.files``, so changing it is a change to the folder. An update passes what an
index already holds of each file (``KnownFile``): a file whose size and modification
time (or, failing those, sha256) are unchanged is not parsed again; its stored articles
go through the duplicate check in their place, so the result is the full read's. A file
that had a duplicate of another file's article is always read again (which copy is kept
depends on its neighbours); duplicates within one file are its own business. Progress
(tqdm, on stderr) shows files, and records within a big file.
Does not fetch URLs, unpack archives or read PDFs.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from app.sources import csvfile, feeds, jsonfile, sgml, textfile, walk
from app.sources import html as html_reader
from app.sources.article import make_article
from app.sources.base import SourceError
from app.sources.classify import metadata_name
from app.sources.dedupe import Deduper, Keys
from app.sources.fields import FIELDS
from app.sources.files import binary_kind, decode
from app.sources.walk import READERS
from app.types import Article, FileReport, Kind, Loaded, Problem

# Files at or above this size show a per-record progress bar.
RECORD_PROGRESS_BYTES = 5_000_000


@dataclass(frozen=True)
class ReadOptions:
    """How to read: ``keep_all`` indexes what is judged not an article (still noted);
    ``field_map`` overrides the field names (``records.parse_map``); ``tz`` is the
    zone of naive dates; ``progress`` shows tqdm bars on stderr."""

    keep_all: bool = False
    field_map: dict[str, str] = field(default_factory=dict)
    tz: tzinfo | None = None
    progress: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.field_map) - set(FIELDS)
        if unknown:
            raise ValueError(
                f"unknown field(s) {sorted(unknown)} in field_map; fields are: {', '.join(FIELDS)}"
            )


@dataclass(frozen=True)
class KnownFile:
    """What an index holds of one file it read: the file's sha256 and stamp (size,
    modification time in ns), its report and problems, and its stored articles (read
    only when the file is reused) with the duplicate check's ``keys`` of each (by
    default computed from the article; an index hands over the ones it stored)."""

    sha256: str
    stamp: tuple[int, int]
    report: FileReport | None
    problems: tuple[Problem, ...]
    articles: Callable[[], list[Article]]
    keys: Callable[[Article], Keys] = Keys.of

    @property
    def reusable(self) -> bool:
        """False when one of the file's records was dropped as a copy of another file's
        article: if that file changes, the record must be read again to take its place."""
        return all(p.kept_in == p.path for p in self.problems if p.kind == Kind.DUPLICATE)


def read_all(
    source: str | os.PathLike[str],
    options: ReadOptions | None = None,
    known: Mapping[str, KnownFile] | None = None,
) -> Loaded:
    """Read every article under ``source`` (a folder, searched recursively, or a file);
    ``known`` files (by display path) are reused when unchanged.

    Raises FileNotFoundError if ``source`` does not exist and SourceError if it is a
    folder that cannot be listed (a build must never take it for an empty one).

    Example:
        >>> read_all("seeds").articles[0].language
        'en'
    """
    options = options or ReadOptions()
    root = Path(source)
    if not root.exists() and not root.is_symlink():
        raise FileNotFoundError(f"{root}: no such file or folder")
    if root.is_dir():
        try:
            os.scandir(root).close()
        except OSError as err:
            raise SourceError(f"{root}: cannot read the folder ({err.strerror or err})") from None
    problems: list[Problem] = []
    dedupe = Deduper()
    hashes: dict[str, str] = {}
    stamps: dict[str, tuple[int, int]] = {}
    reused: list[str] = []
    reports: list[FileReport] = []
    total_records = 0
    paths = list(walk.files(root, problems, options.keep_all))
    bar = _bar(options, total=len(paths), unit="file")
    for path, shown in paths:
        if bar is not None:
            bar.set_postfix_str(shown[-40:], refresh=False)
        stamp = _stamp(path)
        if stamp is not None:
            stamps[shown] = stamp
        old = (known or {}).get(shown)
        if old is not None and old.reusable and same_file(path, old.stamp, old.sha256):
            hashes[shown] = old.sha256
            report, n_records = _reuse(old, dedupe, problems)
            reused.append(shown)
        else:
            report, n_records = _read_one(path, shown, options, dedupe, problems, hashes)
        total_records += n_records
        if report is not None:
            reports.append(report)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return Loaded(
        tuple(dedupe.articles()),
        tuple(problems),
        hashes,
        tuple(reports),
        total_records,
        stamps,
        tuple(reused),
    )


def listing(source: str | os.PathLike[str], keep_all: bool = False) -> dict[str, Path]:
    """The files a read of ``source`` would open, by display path (nothing is read)."""
    root = Path(source)
    if not root.exists():
        return {}
    return {shown: path for path, shown in walk.files(root, [], keep_all)}


def same_file(path: Path, stamp, sha256: str) -> bool:
    """Whether ``path`` is still the file recorded with ``stamp`` (size, modification
    time in ns) and ``sha256``: the same stamp, or else the same bytes."""
    now = _stamp(path)
    if now is None:
        return False
    if stamp is not None and tuple(stamp) == now:
        return True
    try:
        return _sha256(path) == sha256
    except OSError:
        return False


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _reuse(old: KnownFile, dedupe: Deduper, problems: list[Problem]) -> tuple[FileReport | None, int]:
    """An unchanged file: its recorded problems, and its stored articles through the
    duplicate check (an earlier file read this time may now hold the same article)."""
    problems.extend(old.problems)
    for article in old.articles():
        if (problem := dedupe.add(article, old.keys(article))) is not None:
            problems.append(problem)
    return old.report, old.report.records if old.report is not None else 0


def _bar(options: ReadOptions, **kwargs):
    if not options.progress:
        return None
    from tqdm import tqdm

    return tqdm(leave=False, dynamic_ncols=True, **kwargs)


def _read_one(
    path: Path,
    shown: str,
    options: ReadOptions,
    dedupe: Deduper,
    problems: list[Problem],
    files: dict[str, str],
) -> tuple[FileReport | None, int]:
    fmt = READERS[path.suffix.lower()]
    mapping: dict[str, str] = {}
    count = kept = 0
    record_bar = None
    try:
        files[shown] = _sha256(path)
        items, fmt = _items(path, shown, fmt, options, mapping)
        for item in items:
            if isinstance(item, Problem):
                problems.append(item.at(shown))
                continue
            count += 1
            if (
                record_bar is None
                and count == 1000
                and options.progress
                and path.stat().st_size >= RECORD_PROGRESS_BYTES
            ):
                record_bar = _bar(options, unit="record", desc=shown[-30:], initial=count)
            elif record_bar is not None:
                record_bar.update(1)
            made = make_article(item, keep_all=options.keep_all, tz=options.tz)
            problems.extend(made.problems)
            if made.article is not None:
                if (problem := dedupe.add(made.article)) is not None:
                    problems.append(problem)
                else:
                    kept += 1
    except SourceError as err:
        if err.kind == Kind.UNSUPPORTED and metadata_name(shown):
            problems.append(
                Problem(
                    Kind.DOCUMENTATION, "a dataset's metadata file with no article text, not articles", shown
                )
            )
        else:
            problems.append(err.problem(shown))
        return None, count  # its hash stays: a bad file changed is a change to the folder
    except OSError as err:
        problems.append(Problem(Kind.UNREADABLE, f"unreadable: {err.strerror or err}", shown))
        files.pop(shown, None)  # not read, so no hash to compare
        return None, count
    except Exception as err:  # a reader's bug on one odd file must not stop the others
        problems.append(
            Problem(
                Kind.UNREADABLE, f"could not be read ({type(err).__name__}: {err}); please report it", shown
            )
        )
        return None, count
    finally:
        if record_bar is not None:
            record_bar.close()
    return FileReport(shown, fmt, mapping, count, kept), count


def _items(path: Path, shown: str, fmt: str, options: ReadOptions, mapping: dict[str, str]):
    """(iterator of Records and Problems, format name) for one file."""
    override = options.field_map
    if fmt == "jsonl":
        return _streamed(
            path, lambda h: jsonfile.read_jsonl(h, path=shown, override=override, mapping=mapping)
        ), fmt
    if fmt == "csv":
        suffix = path.suffix.lower()
        return _streamed(
            path, lambda h: csvfile.read_csv(h, path=shown, suffix=suffix, override=override, mapping=mapping)
        ), suffix.lstrip(".")
    data = path.read_bytes()
    kind = binary_kind(data)
    if kind:
        raise SourceError(f"binary file ({kind}), not an article", kind=Kind.UNSUPPORTED)
    if not data.strip():
        raise SourceError("empty file")
    if fmt == "feed":
        if sgml.sniff(data):
            return sgml.read(data, path=shown), "sgml"
        name = feeds.sniff(data)
        if name is None:
            root = feeds.root_element(data)
            shown_root = f"<{root.decode(errors='replace')}>" if root else "no XML root"
            raise SourceError(
                f"XML that is not a feed ({shown_root}); reads RSS, Atom and RSS 1.0", kind=Kind.UNSUPPORTED
            )
        return feeds.read(data, path=shown), f"feed ({name})"
    if fmt == "sgml":
        return sgml.read(data, path=shown), fmt
    if fmt == "html":
        return iter([html_reader.read(data, path=shown)]), fmt
    text, warning = decode(data)
    if fmt == "json":
        items = jsonfile.read_json(text, path=shown, override=override, mapping=mapping)
    else:
        record = textfile.read(text, path=shown)
        fmt = "bdnews24 text" if textfile.sniff_bdnews24(text) else "text"
        items = iter([record])
    if warning:
        return _prepend(Problem(Kind.ENCODING, warning, shown), items), fmt
    return items, fmt


def _prepend(problem: Problem, items):
    yield problem
    yield from items


def _streamed(path: Path, reader):
    with open(path, "rb") as handle:
        yield from reader(handle)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


__all__ = ["KnownFile", "ReadOptions", "listing", "read_all", "same_file"]
