"""What the format readers share: the ``Record`` each of them produces, what
``make_article`` makes of one (``Made``), and ``SourceError`` for a whole file that
cannot be read. Data only: no parsing, no I/O.

A ``Record`` is what a reader saw, untouched: raw text, raw date value, field values as
the file wrote them. ``app.sources.article.make_article`` alone turns it into an
``Article``, so every format gets the same repair, classification, date and language
rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from app.types import Article, Kind, Problem


@dataclass(frozen=True)
class Record:
    """One article as a reader found it, before any repair or judgement.

    ``text`` is the raw body (paragraphs separated by blank lines, or by single newlines
    when there is no blank line); ``published``/``updated`` are the raw values the file
    held (a string, a number, or a datetime when the format gives one already parsed);
    ``crawled`` is when the record was fetched, the base for relative dates ("7 hours
    ago"); ``tz`` is the zone of naive dates when the reader knows it (bdnews24 pages are
    Dhaka time). ``declared`` marks a record of an archive (JSON, JSONL, CSV, SGML):
    it is an article by declaration, so only a body with no sentence at all is taken
    for a listing (a poem or an exam page in an archive is kept; a saved homepage is
    not). ``problems`` are the reader's remarks (a dropped field, an encoding
    fallback). ``line`` is the file line the record starts on, when the format has lines.
    """

    text: str
    path: str
    title: str | None = None
    standfirst: str | None = None
    published: str | int | float | datetime | None = None
    updated: str | int | float | datetime | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    language: str | None = None
    teaser: bool = False
    line: int | None = None
    crawled: datetime | None = None
    tz: tzinfo | None = None
    declared: bool = False
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Made:
    """What ``make_article`` made of one Record: the article (None when it is not one and
    ``keep_all`` is off) and every problem about it, the reader's included."""

    article: Article | None
    problems: tuple[Problem, ...] = ()

    @property
    def reason(self) -> str | None:
        """The "not an article" kind, when the record was judged not to be one."""
        return next((p.kind for p in self.problems if p.kind in Kind.NOT_ARTICLE), None)


class SourceError(ValueError):
    """A whole file that cannot be read as articles (its kind says why)."""

    def __init__(self, message: str, *, kind: str = Kind.UNREADABLE, line: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.line = line

    def problem(self, path: str | None = None) -> Problem:
        return Problem(self.kind, str(self), path, self.line)
