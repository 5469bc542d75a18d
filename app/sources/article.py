"""The one road from a Record to an Article: every format's records take it.

``make_article`` runs, in order: repair the text (``repair``) -> paragraphs -> remove
page furniture and classify (``classify``: not an article? why) -> read the dates
(``dates``) -> decide the language (``language``) -> check the headline -> the
article's fields. Every step's remarks come back as Problems, placed at the record's file
and line.

Does not: decide duplicates across records (``dedupe.Deduper`` does), read
files, or split passages. The body it makes is final: offsets downstream are into it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timezone, tzinfo

from app.sources.base import Made, Record
from app.sources.classify import headline_mismatch, judge
from app.sources.furniture import strip_boilerplate
from app.sources.repair import repair_body, repair_line
from app.text.dates import DateError, dateline, is_placeholder, parse_date
from app.text.language import declared_language, detect_language
from app.text.sentences import sentence_spans
from app.types import Article, Kind, Problem

# A title made from the first sentence is cut at a word boundary near this length.
DERIVED_TITLE_CHARS = 120
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)


def article_id(title: str, body: str) -> str:
    """A stable id from the article's content: the same story under two names is one."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:16]


def make_article(record: Record, *, keep_all: bool = False, tz: tzinfo | None = None) -> Made:
    """Turn one Record into an Article, with every problem about it.

    Args:
        record: what a reader found.
        keep_all: make an article even of what is judged not to be one (a listing, a
            block page, spam ...); the problem still says why. A record with no body at
            all is never an article.
        tz: the zone of naive dates when the record does not say (default UTC).

    Returns:
        ``Made(article, problems)``; ``article`` is None when the record is not an article.

    Example:
        >>> made = make_article(Record(text="Ferries ran again on Monday.", path="a.txt", title="Ferries"))
        >>> made.article.body, made.article.language
        ('Ferries ran again on Monday.', 'en')
    """
    problems: list[Problem] = list(record.problems)
    title = repair_line(record.title)
    repaired = repair_body(record.text or "", title=title)
    problems += repaired.problems
    paras, removed = strip_boilerplate(list(repaired.paragraphs))
    if removed:
        problems.append(
            Problem(Kind.BOILERPLATE, f"{removed} page-furniture line(s) removed (ads, share, read more)")
        )
    verdict = judge(
        title, paras, path=record.path, removed=removed, declared=record.declared, teaser=record.teaser
    )
    if verdict is not None:
        if not any(n.kind in Kind.NOT_ARTICLE for n in record.problems):  # the reader said why already
            problems.append(verdict)
        if not keep_all or not paras:
            return _placed(None, problems, record)
    if record.teaser:
        problems.append(Problem(Kind.TEASER, "a feed item with only a teaser; the full story is at its link"))
    if not title:
        title = title_from(paras)
        problems.append(Problem(Kind.NO_TITLE, f"no title; titled from its first sentence: {title!r}"))
    zone = record.tz or tz or timezone.utc
    published = _date(record.published, "published", record, zone, problems)
    if published is None and record.published is None and paras and (found := dateline(paras[0])):
        published = _date(found, "published", record, zone, problems)  # a wire dateline dates it
    updated = _date(record.updated, "updated", record, zone, problems, quiet=True)
    body = "\n\n".join(paras)
    language = _language(record.language, title, body, problems)
    if headline_mismatch(title, paras):
        problems.append(Problem(Kind.HEADLINE, f"headline may not belong to this body: {title!r}"))
    url = (record.url or "").strip() or None
    if url and not _URL.match(url) and "/" not in url:
        problems.append(Problem(Kind.FIELD_DROPPED, f"url dropped: {url!r} is not a link"))
        url = None
    article = Article(
        article_id=article_id(title, body),
        title=title,
        body=body,
        path=record.path,
        source=_named(record.source),
        published=published,
        updated=updated,
        standfirst=repair_line(record.standfirst),
        url=url,
        line=record.line,
        author=_named(record.author),
        language=language,
        teaser=record.teaser,
    )
    return _placed(article, problems, record)


def _placed(article: Article | None, problems: list[Problem], record: Record) -> Made:
    return Made(article, tuple(n.at(record.path, record.line) for n in problems))


def _date(value, name: str, record: Record, zone: tzinfo, problems: list[Problem], *, quiet: bool = False):
    if value is None:
        return None  # no such field: nothing to report
    try:
        when = parse_date(value, crawled=record.crawled, tz=zone)
    except DateError as err:
        kind = Kind.FIELD_DROPPED if quiet else Kind.UNDATED
        problems.append(Problem(kind, f"{name}: {err}"))
        return None
    if when is None and not quiet and is_placeholder(value):
        why = f"{value!r} is a placeholder" if isinstance(value, str) and value.strip() else "empty"
        problems.append(Problem(Kind.UNDATED, f"{name}: no date ({why})"))
    return when


def _language(declared: str | None, title: str, body: str, problems: list[Problem]) -> str:
    if declared is not None and str(declared).strip():
        code = declared_language(declared)
        if code:
            return code
        problems.append(
            Problem(Kind.FIELD_DROPPED, f"language {declared!r} names no language; detected instead")
        )
    return detect_language(body if len(body) >= 20 else f"{title}\n{body}")


def _named(value: str | None) -> str | None:
    """An author or source, repaired; a placeholder ("Unknown", "N/A") is no name."""
    value = repair_line(value)
    return None if value is None or is_placeholder(value) else value


def title_from(paras: list[str]) -> str:
    """A title for an article that has none: its first sentence, cut at a word boundary."""
    first = paras[0]
    spans = sentence_spans(first)
    sentence = first[spans[0][0] : spans[0][1]] if spans else first
    if len(sentence) <= DERIVED_TITLE_CHARS:
        return sentence
    cut = sentence[:DERIVED_TITLE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


__all__ = ["article_id", "make_article", "title_from"]
