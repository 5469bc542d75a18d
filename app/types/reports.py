"""What reading and building report: each Problem by kind, file and line, each file's
FileReport, what ``load_articles`` read (Loaded) and what a build did (BuildReport)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from app.types.articles import Article
from app.types.base import _Record


class Kind:
    """The short kinds of a Problem: a build summary groups and counts by these.

    ``DROPPING`` kinds mean the record (or file) was not indexed; every other kind is a
    remark about an article that was indexed all the same.
    """

    UNDATED = "undated"
    LISTING = "not an article: listing page"
    BLOCK = "not an article: block page"
    SPAM = "not an article: spam"
    BOILERPLATE_ONLY = "not an article: boilerplate only"
    DOCUMENTATION = "not an article: documentation"
    NO_BODY = "not an article: no body"
    REPEATED = "repeated text removed"
    BOILERPLATE = "boilerplate removed"
    REPAIRED = "text repaired"
    HEADLINE = "headline may not belong"
    NO_TITLE = "no title"
    DUPLICATE = "duplicate"
    FIELD_DROPPED = "field dropped"
    MAPPING = "field mapping"
    UNSUPPORTED = "unsupported format"
    ENCODING = "encoding"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too large"
    TEASER = "teaser only"

    NOT_ARTICLE = (LISTING, BLOCK, SPAM, BOILERPLATE_ONLY, DOCUMENTATION, NO_BODY)
    DROPPING = (*NOT_ARTICLE, DUPLICATE, UNSUPPORTED, UNREADABLE, TOO_LARGE)
    ALL = (
        UNDATED,
        *NOT_ARTICLE,
        REPEATED,
        BOILERPLATE,
        REPAIRED,
        HEADLINE,
        NO_TITLE,
        DUPLICATE,
        FIELD_DROPPED,
        MAPPING,
        UNSUPPORTED,
        ENCODING,
        UNREADABLE,
        TOO_LARGE,
        TEASER,
    )


@dataclass(frozen=True)
class Problem(_Record):
    """One problem or remark about an input: its ``kind`` (one of ``Kind.ALL``), a
    message for a person, and where: the file's display path and the line (or record).
    A duplicate also says which file holds the copy that was kept (``kept_in``)."""

    kind: str
    message: str
    path: str | None = None
    line: int | None = None
    kept_in: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in Kind.ALL:
            raise ValueError(f"unknown problem kind {self.kind!r}; kinds are: {', '.join(Kind.ALL)}")

    def to_dict(self) -> dict[str, Any]:
        """Every field, less ``kept_in`` where it does not apply (only duplicates have it).
        Every field is a string, a number or None: copied, not walked by ``asdict`` (a
        build writes every problem of the corpus to its manifest, thousands of them)."""
        data = dict(self.__dict__)
        if self.kept_in is None:
            del data["kept_in"]
        return data

    @property
    def dropped(self) -> bool:
        """True if the record or file this is about was not indexed."""
        return self.kind in Kind.DROPPING

    def at(self, path: str | None, line: int | None = None) -> Problem:
        """The same problem, placed in a file (and line) if it has no place yet."""
        return replace(self, path=self.path or path, line=self.line if self.line is not None else line)

    def __str__(self) -> str:
        where = self.path or ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message} [{self.kind}]" if where else f"{self.message} [{self.kind}]"


@dataclass(frozen=True)
class FileReport(_Record):
    """What one input file gave: its format, the field mapping used (for record
    formats: field -> column) and the counts of records read and articles kept."""

    path: str
    format: str
    mapping: dict[str, str] = field(default_factory=dict)
    records: int = 0
    articles: int = 0


@dataclass(frozen=True)
class Loaded:
    """What ``load_articles`` read: the articles (duplicates kept once), every problem,
    each file's sha256 (by display path: the index uses it to tell what changed) and
    each file's report (format, field mapping, counts); each file's stamp (size,
    modification time in ns) and which files were reused unread from an index."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...] = ()
    files: dict[str, str] = field(default_factory=dict)
    reports: tuple[FileReport, ...] = ()
    records: int = 0
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)
    reused: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """Problems by kind, most frequent first."""
        return dict(Counter(p.kind for p in self.problems).most_common())

    def languages(self) -> dict[str, int]:
        """Articles by language, most frequent first."""
        return dict(Counter(a.language for a in self.articles).most_common())

    def mappings(self) -> list[str]:
        """The field mappings the record files were read with, one line per distinct one."""
        found = Counter(
            (r.format, ", ".join(f"{k}={v}" for k, v in r.mapping.items())) for r in self.reports if r.mapping
        )
        return [f"{fmt} ({n} file(s)): {mapping}" for (fmt, mapping), n in found.items()]


@dataclass(frozen=True)
class BuildReport(_Record):
    """What ``build_index`` did."""

    articles: int
    passages: int
    added: int
    removed: int
    unchanged: int
    seconds: float
    index_dir: str
    model: str
    problems: tuple[Problem, ...] = ()
    languages: dict[str, int] = field(default_factory=dict)  # articles by language
    mappings: tuple[str, ...] = ()  # the field mappings record files were read with
    records: int = 0  # records read, before duplicates and non-articles were left out

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [p.to_dict() for p in self.problems]  # each as the manifest has it
        return data

    def counts(self) -> dict[str, int]:
        """Problems by kind, most frequent first: what a build summary prints."""
        return dict(Counter(p.kind for p in self.problems).most_common())

    @classmethod
    def of(cls, loaded: Loaded, *, started: float, index_dir: str, model: str, **counts: int) -> BuildReport:
        """A build's report from what it read (``loaded``) and the passage counts it
        made (``passages``, ``added``, ``removed``, ``unchanged``); ``started``: its
        ``time.perf_counter()`` at the start."""
        return cls(
            articles=len(loaded.articles),
            seconds=round(time.perf_counter() - started, 3),
            index_dir=index_dir,
            model=model,
            problems=loaded.problems,
            languages=loaded.languages(),
            mappings=tuple(loaded.mappings()),
            records=loaded.records,
            **counts,
        )
