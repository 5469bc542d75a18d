"""Reader for ``.jsonl`` archives: one JSON object a line, ``{"title", "text",
"published", "source", "url"}`` with only ``text`` required.

A bad line (broken JSON, no text, wrong types) is reported with its line number and
the other lines are still read. Blank lines are allowed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from app.sources.common import SourceError, make_article, paragraphs, parse_date
from app.types import Article

_OPTIONAL_STRINGS = ("title", "published", "source", "url")


def read(text: str, *, path: str) -> Iterator[Article | SourceError]:
    """Yield an Article for each good line and a SourceError (with .line) for each bad one."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield _record(line, path=path, number=number)
        except SourceError as err:
            yield err


def _record(line: str, *, path: str, number: int) -> Article:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise SourceError(f"broken JSON: {err.msg} (column {err.colno})", line=number) from None
    if not isinstance(record, dict):
        raise SourceError(f"expected a JSON object, got {type(record).__name__}", line=number)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise SourceError('record has no "text" string', line=number)
    for key in _OPTIONAL_STRINGS:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise SourceError(f'"{key}" must be a string, got {record[key]!r}', line=number)
    published = None
    if record.get("published"):
        try:
            published = parse_date(record["published"])
        except ValueError as err:
            raise SourceError(f'"published": {err}', line=number) from None
    return make_article(
        record.get("title") or "",
        paragraphs(text),
        path=path,
        line=number,
        source=record.get("source") or None,
        published=published,
        url=record.get("url") or None,
    )
