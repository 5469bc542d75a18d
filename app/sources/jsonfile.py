"""Readers for JSON and JSONL exports: one Record (or problem) per record.

- JSONL: one object a line, read a line at a time (no total size limit; a line over
  ``MAX_ARTICLE_BYTES`` is refused on its own); blank lines allowed.
- JSON: a list of records; an object holding one list of records (``{"articles": [...]}``,
  ``{"data": [...]}``; ``CONTAINER_KEYS`` decide between several lists); or one record
  per file. Parsed whole, up to ``MAX_JSON_BYTES``; line numbers are those of each
  record's opening brace.

Field names are mapped by ``app.sources.fields``. A file none of whose first
``SAMPLE_RECORDS`` records has a text field is one "unsupported" problem (a questions
file, a metadata export), not a problem per record. Does not stream a JSON list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from app.sources.base import Record, SourceError
from app.sources.fields import _expand, _kind, _Mapper, _norm, map_fields
from app.sources.files import MAX_ARTICLE_BYTES, MAX_JSON_BYTES, decode
from app.types import Kind, Problem

# When an object holds several lists of records, the list under one of these keys wins.
CONTAINER_KEYS = (
    "articles",
    "data",
    "items",
    "results",
    "records",
    "news",
    "posts",
    "entries",
    "documents",
    "docs",
    "rows",
    "stories",
)
# A file whose first this-many records have no text field is not an article archive
# (a questions file, a metadata export): one problem for the file, not one per record.
SAMPLE_RECORDS = 20


def read_jsonl(
    handle: BinaryIO,
    *,
    path: str,
    override: dict[str, str] | None = None,
    mapping: dict[str, str] | None = None,
) -> Iterator[Record | Problem]:
    """Records of a JSONL archive, read a line at a time from a binary file."""
    mapper = _Mapper(override, mapping)
    yield from _checked(_jsonl_items(handle, mapper, path=path), path)


def _lacks_text(record: Record) -> bool:
    return any(n.kind == Kind.NO_BODY and n.message.startswith("no text field") for n in record.problems)


def _no_text_problem(items: list[Record | Problem], path: str) -> Problem:
    first = next(x for x in items if isinstance(x, Record))
    fields = next(n.message for n in first.problems if n.kind == Kind.NO_BODY).split("fields are: ", 1)[-1]
    return Problem(
        Kind.UNSUPPORTED,
        f"no text field in the first {SAMPLE_RECORDS} records (fields: {fields}); not articles, or name the "
        "text with --map text=FIELD",
        path,
    )


def _jsonl_items(handle: BinaryIO, mapper: _Mapper, *, path: str) -> Iterator[Record | Problem]:
    number = records = 0
    while True:
        raw = handle.readline(MAX_ARTICLE_BYTES + 1)
        if not raw:
            if not records:
                yield Problem(Kind.UNREADABLE, "empty file", path)
            return
        number += 1
        if len(raw) > MAX_ARTICLE_BYTES and not raw.endswith(b"\n"):
            while (more := handle.readline(1 << 20)) and not more.endswith(b"\n"):
                pass  # skip the rest of the over-long line without holding it
            records += 1
            yield Problem(
                Kind.TOO_LARGE, f"record longer than {MAX_ARTICLE_BYTES:,} bytes; skipped", path, number
            )
            continue
        if not raw.strip():
            continue
        records += 1
        try:
            line, warning = decode(raw)
        except SourceError as err:
            yield err.problem(path).at(path, number)
            continue
        if warning:
            yield Problem(Kind.ENCODING, warning.replace("byte", "byte of the line", 1), path, number)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield Problem(Kind.UNREADABLE, f"broken JSON: {err.msg} (column {err.colno})", path, number)
            continue
        except RecursionError:
            yield Problem(Kind.UNREADABLE, "broken JSON: nested too deeply", path, number)
            continue
        yield from _expand(obj, mapper, path=path, line=number)


def read_json(
    text: str,
    *,
    path: str,
    override: dict[str, str] | None = None,
    mapping: dict[str, str] | None = None,
) -> Iterator[Record | Problem]:
    """Records of a whole JSON file (a list, an object holding a list, or one record)."""
    if len(text) > MAX_JSON_BYTES:
        raise SourceError(
            f"JSON file too large to parse whole ({len(text) / 1e6:.0f} MB; the limit is "
            f"{MAX_JSON_BYTES / 1e6:.0f} MB): export it as JSONL, one record a line",
            kind=Kind.TOO_LARGE,
        )
    mapper = _Mapper(override, mapping)
    decoder = json.JSONDecoder()
    start = _skip(text, 0)
    if start >= len(text):
        raise SourceError("empty file")
    try:
        if text[start] == "[":
            yield from _checked(
                (
                    r
                    for line, item in _array_items(text, start, decoder)
                    for r in _expand(item, mapper, path=path, line=line)
                ),
                path,
            )
            return
        whole, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as err:
        raise SourceError(
            f"broken JSON: {err.msg} (line {err.lineno}, column {err.colno})", line=err.lineno
        ) from None
    except RecursionError:
        raise SourceError("broken JSON: nested too deeply") from None
    if _skip(text, end) < len(text):
        raise SourceError("broken JSON: more than one value (is it JSONL? name it .jsonl)")
    if not isinstance(whole, dict):
        raise SourceError(f"expected a JSON list or object, got {_kind(whole)}", kind=Kind.UNSUPPORTED)
    key = _container(whole, mapper.override)
    if key is None:
        if "text" not in mapper.mapping(list(whole)) and not _nested_text(whole, mapper.override):
            raise SourceError(
                "no text field (fields: " + ", ".join(map(str, whole))[:300] + "); not an article, or name "
                "the text with --map text=FIELD",
                kind=Kind.UNSUPPORTED,
            )
        yield from _expand(whole, mapper, path=path, line=_line_of(text, start))
        return
    mapper.report.setdefault("records", f"under {key!r}")
    yield from _checked(
        (
            r
            for line, item in _object_list(text, start, key, decoder)
            for r in _expand(item, mapper, path=path, line=line)
        ),
        path,
    )


def _checked(items: Iterator[Record | Problem], path: str) -> Iterator[Record | Problem]:
    """Pass records through, unless none of the first ``SAMPLE_RECORDS`` has a text
    field: then the file is one "unsupported" problem, not a problem per record."""
    waiting: list[Record | Problem] | None = []
    for item in items:
        if waiting is None:
            yield item
            continue
        waiting.append(item)
        if isinstance(item, Record) and not _lacks_text(item):
            yield from waiting
            waiting = None
        elif sum(isinstance(x, Record) for x in waiting) >= SAMPLE_RECORDS:
            yield _no_text_problem(waiting, path)
            return
    if waiting and any(isinstance(x, Record) for x in waiting):
        yield _no_text_problem(waiting, path)
    elif waiting:
        yield from waiting


def _nested_text(obj: dict[str, Any], override: dict[str, str]) -> bool:
    """True if one of the object's lists holds records with a text field."""
    for value in obj.values():
        if isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            if "text" in map_fields(sorted({k for x in value for k in x}), override):
                return True
    return False


def _container(obj: dict[str, Any], override: dict[str, str]) -> str | None:
    """The key of the list of records an object holds, or None if it is a record."""
    if "text" in map_fields(list(obj), override):
        return None
    lists = [k for k, v in obj.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
    if not lists:
        return None
    for name in CONTAINER_KEYS:
        for key in lists:
            if _norm(key) == name:
                return key
    return max(lists, key=lambda k: len(obj[k]))


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _array_items(text: str, pos: int, decoder: json.JSONDecoder) -> Iterator[tuple[int, Any]]:
    """(line, item) for each item of the JSON array starting at ``text[pos] == "["``."""
    pos = _skip(text, pos + 1)
    line, counted = 1 + text.count("\n", 0, pos), pos
    if pos < len(text) and text[pos] == "]":
        return
    while True:
        line += text.count("\n", counted, pos)
        counted = pos
        item, pos = decoder.raw_decode(text, pos)
        yield line, item
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            return
        raise json.JSONDecodeError("expected ',' or ']'", text, pos)


def _object_list(text: str, pos: int, want: str, decoder: json.JSONDecoder) -> Iterator[tuple[int, Any]]:
    """The items of the list under key ``want`` of the object starting at ``pos``."""
    pos = _skip(text, pos + 1)
    while pos < len(text) and text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        pos = _skip(text, pos + 1)  # the colon
        if key == want:
            yield from _array_items(text, pos, decoder)
            return
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
