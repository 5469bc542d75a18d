"""Reader for ``.jsonl`` archives: one JSON object a line, ``{"title", "text",
"published", "source", "url"}`` with only ``text`` required.

The archive is read a line at a time from the open file, so its size is not limited by
memory; one line may hold at most ``MAX_ARTICLE_BYTES``. Each line is decoded on its
own (UTF-8, else Windows-1252 with a Note), so one bad byte spoils nothing else. A bad
line (broken JSON, no text, wrong types, too long, only furniture) is reported with its
line number and the other lines are still read. Blank lines are allowed. A record with
no title is titled from its first sentence; the format makes the title optional, so
that is not reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from app.sources.common import (
    MAX_ARTICLE_BYTES,
    Note,
    SourceError,
    decode,
    find_date,
    make_article,
    paragraphs,
)
from app.text.dates import parse_date
from app.types import Article

_OPTIONAL_STRINGS = ("title", "published", "source", "url")


def read_stream(handle: BinaryIO, *, path: str) -> Iterator[Article | SourceError | Note]:
    """Yield an Article for each good line, a SourceError (with .line) for each bad one
    and a Note for each remark, reading ``handle`` a line at a time."""
    number = records = 0
    while True:
        raw = handle.readline(MAX_ARTICLE_BYTES + 1)
        if not raw:
            if not records:
                yield SourceError("empty file")
            return
        number += 1
        if len(raw) > MAX_ARTICLE_BYTES and not raw.endswith(b"\n"):
            while (more := handle.readline(1 << 20)) and not more.endswith(b"\n"):
                pass  # skip the rest of the over-long line without holding it
            records += 1
            yield SourceError(f"record longer than {MAX_ARTICLE_BYTES:,} bytes; skipped", line=number)
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        records += 1
        try:
            line, warning = decode(raw)
        except SourceError as err:
            yield SourceError(f"{err}", line=number)
            continue
        if warning:
            yield Note(warning.replace("byte", "byte of the line", 1), line=number)
        try:
            yield from _record(line, path=path, number=number)
        except SourceError as err:
            yield err


def read(text: str, *, path: str) -> Iterator[Article | SourceError | Note]:
    """The same as ``read_stream`` for text already in memory."""
    import io

    yield from read_stream(io.BytesIO(text.encode("utf-8")), path=path)


def _record(line: str, *, path: str, number: int) -> Iterator[Article | Note]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise SourceError(f"broken JSON: {err.msg} (column {err.colno})", line=number) from None
    except RecursionError:
        raise SourceError("broken JSON: nested too deeply", line=number) from None
    if not isinstance(record, dict):
        raise SourceError(f"expected a JSON object, got {_kind(record)}", line=number)
    text = record.get("text")
    if text is not None and not isinstance(text, str):
        raise SourceError(f'"text" must be a string, got {_kind(text)}', line=number)
    if not text or not text.strip():
        raise SourceError('record has no "text" string', line=number)
    for key in _OPTIONAL_STRINGS:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise SourceError(f'"{key}" must be a string, got {record[key]!r}'[:200], line=number)
    published = None
    if record.get("published"):
        try:
            published = parse_date(record["published"])
        except ValueError as err:
            raise SourceError(f'"published": {err}', line=number) from None
    paras = paragraphs(text)
    if published is None:  # no field: a dateline opening the text may give it
        published, _ = find_date(paras[:1]) if paras and len(paras[0]) > 60 else (None, 0)
    yield make_article(
        record.get("title") or "",
        paras,
        path=path,
        furniture_check=False,  # a record is an article by declaration
        line=number,
        source=record.get("source") or None,
        published=published,
        url=record.get("url") or None,
    )


def _kind(value) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")
