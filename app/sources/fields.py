"""Field names of record files (JSON, JSONL, CSV/TSV) mapped to an article's fields,
and one record made from a mapped object.

Field names are matched ignoring case, spaces, hyphens and underscores, in the order of
``FIELD_NAMES`` (the first listed name present wins; the common names of news exports,
plus a few of common scrapers such as news-please's ``maintext``/``date_publish``, and
the ``updated`` and ``crawled`` fields). ``parse_map("text=details,title=headline")``
gives an override (the CLI's ``--map``); each reader fills ``mapping`` with the field
-> column mapping it used, for the build summary.

A text may be a string, a list of strings (paragraphs) or an object with a ``rendered``
/ ``text`` / ``value`` string (WordPress). An author may be a list or ``{"name": ...}``.
A wrong-typed optional field is dropped with a problem noted, never the record; a record
without a text becomes a Record with an empty text, which ``make_article`` reports as
"no body". A record with no text field but one list of records that have one
(RealTimeQA's ``search_result``) gives each of those, with the outer record's line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from app.sources.base import Record
from app.text.dates import DateError, parse_date
from app.types import Kind, Problem

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "text": (
        "text",
        "body",
        "content",
        "article",
        "details",
        "story",
        "article body",
        "maintext",
        "full_text",
        "article_text",
        "news_body",
    ),
    "standfirst": ("standfirst", "summary", "sub_title", "subtitle", "description", "lead"),
    "published": (
        "published",
        "date",
        "publication_date",
        "pubDate",
        "datePublished",
        "date_time",
        "date published",
        "time",
        "created_at",
        "date_publish",
        "publish_date",
        "published_at",
    ),
    "source": ("source", "outlet", "paper_name", "publisher", "site_name", "source_domain"),
    "url": ("url", "link"),
    "author": ("author", "authors", "byline", "writer"),
    "language": ("language", "lang", "source_language"),
    "updated": ("updated", "modified", "date_modified", "dateModified", "updated_at", "date_modify"),
    "crawled": (
        "crawled_at",
        "crawled",
        "scraped_at",
        "crawl_date",
        "fetched_at",
        "retrieved_at",
        "date_download",
        "downloaded_at",
    ),
}
FIELDS = tuple(FIELD_NAMES)
_TEXT_KEYS = ("rendered", "text", "value", "#text", "content")


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


_ALIASES = {field: tuple(_norm(n) for n in names) for field, names in FIELD_NAMES.items()}


def parse_map(spec: str | None) -> dict[str, str]:
    """Parse an override such as ``"text=details,title=headline"`` into {field: column}.

    Raises ValueError naming the allowed fields for an unknown field or a bad pair.

    Example:
        >>> parse_map("text=details, title=headline")
        {'text': 'details', 'title': 'headline'}
    """
    out: dict[str, str] = {}
    for pair in (spec or "").split(","):
        if not pair.strip():
            continue
        field, sep, column = pair.partition("=")
        field, column = field.strip().lower(), column.strip()
        if not sep or not column:
            raise ValueError(f"bad mapping {pair.strip()!r}: write field=column, e.g. text=details")
        if field not in FIELD_NAMES:
            raise ValueError(f"unknown field {field!r} in mapping; fields are: {', '.join(FIELDS)}")
        out[field] = column
    return out


def map_fields(keys: list[str], override: dict[str, str] | None = None) -> dict[str, str]:
    """{field: key} for the keys of one record or a CSV header.

    Example:
        >>> map_fields(["Title", "Date_Time", "Body", "URL", "Image_Caption"])
        {'title': 'Title', 'text': 'Body', 'published': 'Date_Time', 'url': 'URL'}
    """
    by_norm: dict[str, str] = {}
    for key in keys:
        by_norm.setdefault(_norm(key), key)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    override = override or {}
    for field in FIELDS:
        if field in override:
            key = by_norm.get(_norm(override[field]))
            if key is not None:
                mapping[field] = key
                used.add(key)
    for field, aliases in _ALIASES.items():
        if field in override:
            continue  # an override never falls back to guessing
        for alias in aliases:
            key = by_norm.get(alias)
            if key is not None and key not in used:
                mapping[field] = key
                used.add(key)
                break
    return mapping


class _Mapper:
    """Maps records of one file, caching the mapping per key set and recording every
    mapping used (for the file's report) and every override column that was missing."""

    def __init__(self, override: dict[str, str] | None, report: dict[str, str] | None):
        self.override = override or {}
        self.report = report if report is not None else {}
        self._cache: dict[tuple[str, ...], dict[str, str]] = {}
        self.missing_reported = False

    def mapping(self, keys: list[str]) -> dict[str, str]:
        key = tuple(keys)
        if key not in self._cache:
            found = map_fields(keys, self.override)
            self._cache[key] = found
            for field, column in found.items():
                seen = self.report.get(field)
                if seen is None:
                    self.report[field] = column
                elif column not in seen.split(" | "):
                    self.report[field] = f"{seen} | {column}"
        return self._cache[key]

    def missing(self, keys: list[str]) -> Problem | None:
        if self.missing_reported:
            return None
        absent = [
            f"{c!r} (for {f})" for f, c in self.override.items() if _norm(c) not in {_norm(k) for k in keys}
        ]
        if absent:
            self.missing_reported = True
            return Problem(
                Kind.MAPPING,
                f"mapped column(s) {', '.join(absent)} not in this file; columns are: "
                + ", ".join(map(str, keys))[:300],
            )
        return None


# ---------------------------------------------------------------- one record


def record_from(obj: dict[str, Any], mapping: dict[str, str], *, path: str, line: int | None) -> Record:
    """A Record from one mapped object (a JSON object or a CSV row as a dict)."""
    problems: list[Problem] = []
    text_key = mapping.get("text")
    text = _text(obj.get(text_key), text_key, problems) if text_key else None
    if text_key is None:
        problems.append(Problem(Kind.NO_BODY, "no text field; fields are: " + ", ".join(map(str, obj))[:300]))
    values: dict[str, Any] = {}
    for field in ("title", "standfirst", "source", "url", "author", "language"):
        key = mapping.get(field)
        if key is None or obj.get(key) is None:
            continue
        value = _author(obj[key]) if field == "author" else _unwrap(obj[key])
        if isinstance(value, str):
            values[field] = value if value.strip() else None
        else:
            problems.append(
                Problem(Kind.FIELD_DROPPED, f'"{key}" ({field}) dropped: {_kind(value)}, not a string')
            )
    for field in ("published", "updated"):
        key = mapping.get(field)
        if key is None or key not in obj:
            continue
        value = obj[key]
        if isinstance(value, dict) and isinstance(value.get("$date"), (str, int, float)):
            value = value["$date"]  # MongoDB export
        if value is None:
            value = "null"  # the field is there and says nothing: a placeholder, noted
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append(
                Problem(Kind.FIELD_DROPPED, f'"{key}" ({field}) dropped: {_kind(value)}, not a date')
            )
            continue
        values[field] = value
    crawled = None
    if (key := mapping.get("crawled")) and obj.get(key) not in (None, ""):
        try:
            crawled = parse_date(obj[key], tz=None)  # naive stays naive: make_article gives the zone
        except DateError as err:
            problems.append(Problem(Kind.FIELD_DROPPED, f'"{key}" (crawl time) dropped: {err}'))
    return Record(
        text=text or "",
        path=path,
        line=line,
        crawled=crawled,
        declared=True,
        problems=tuple(problems),
        **values,
    )


def _text(value: Any, key: str, problems: list[Problem]) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n\n".join(value)
    if isinstance(value, dict):
        for inner in _TEXT_KEYS:
            if isinstance(value.get(inner), str):
                return value[inner]
    problems.append(Problem(Kind.FIELD_DROPPED, f'"{key}" (text) dropped: {_kind(value)}, not a string'))
    return None


def _unwrap(value: Any) -> Any:
    """A string wrapped in an object (WordPress: ``{"rendered": "..."}``), or the value."""
    if isinstance(value, dict):
        for inner in _TEXT_KEYS:
            if isinstance(value.get(inner), str):
                return value[inner]
    return value


def _author(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return value["name"]
    if isinstance(value, list):
        names = [_author(v) for v in value]
        if all(isinstance(n, str) for n in names):
            return ", ".join(n.strip() for n in names if n.strip())
    return value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _expand(obj: Any, mapper: _Mapper, *, path: str, line: int | None) -> Iterator[Record | Problem]:
    """Records of one JSON value: the object itself, or the records nested in it."""
    if not isinstance(obj, dict):
        yield Problem(Kind.UNREADABLE, f"expected a JSON object, got {_kind(obj)}", path, line)
        return
    keys = list(obj)
    mapping = mapper.mapping(keys)
    if "text" not in mapping:
        nested = [
            k for k, v in obj.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)
        ]
        for key in nested:
            inner_keys = sorted({k for x in obj[key] for k in x})
            if "text" in map_fields(inner_keys, mapper.override):
                mapper.report.setdefault("records", f"nested under {key!r}")
                for item in obj[key]:
                    yield from _expand(item, mapper, path=path, line=line)
                return
    if problem := mapper.missing(keys):
        yield problem.at(path, line)
    yield record_from(obj, mapping, path=path, line=line)


__all__ = ["FIELD_NAMES", "FIELDS", "map_fields", "parse_map", "record_from"]
