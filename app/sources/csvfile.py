"""Reader for CSV/TSV exports: a header row, then one Record per row, a row at a time.

The delimiter is ``\\t`` for ``.tsv``, else the one of ``CSV_DELIMITERS`` that splits
the header into most columns. A BOM, multi-line quoted fields and fields up to
``MAX_CSV_FIELD_CHARS`` are read; a row whose text is over ``MAX_ARTICLE_BYTES`` is
refused on its own; bytes that are not UTF-8 are read as Windows-1252 with a problem
noted. Field names are mapped by ``app.sources.fields``. Does not read Excel files.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

from app.sources.base import Record, SourceError
from app.sources.fields import FIELD_NAMES, _Mapper, record_from
from app.sources.files import MAX_ARTICLE_BYTES, mend, open_text
from app.types import Kind, Problem

# csv's default field limit is 131,072 characters; one article body may be far longer.
# Raised to this (never lowered), within what the C long of this platform holds.
MAX_CSV_FIELD_CHARS = 64 * 1024 * 1024
CSV_DELIMITERS = (",", ";", "\t", "|")


def _raise_field_limit() -> None:
    limit = min(MAX_CSV_FIELD_CHARS, 2**31 - 1, sys.maxsize)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


def sniff_delimiter(header: str, *, suffix: str = ".csv") -> str:
    """``\\t`` for a .tsv file, else whichever of ``CSV_DELIMITERS`` splits the header
    line into most columns (comma when none does)."""
    if suffix.lower() == ".tsv":
        return "\t"
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def read_csv(
    handle: BinaryIO,
    *,
    path: str,
    suffix: str = ".csv",
    override: dict[str, str] | None = None,
    mapping: dict[str, str] | None = None,
) -> Iterator[Record | Problem]:
    """Records of a CSV/TSV file with a header row, read a row at a time."""
    _raise_field_limit()
    stream = open_text(handle)
    first = stream.readline()
    if not first.strip():
        raise SourceError("empty file (no header row)")
    delimiter = sniff_delimiter(first.rstrip("\r\n"), suffix=suffix)
    rest = _chain(first, stream)
    reader = csv.reader(rest, delimiter=delimiter)
    try:
        header = [mend(h)[0].strip().lstrip("\ufeff") for h in next(reader)]
    except csv.Error as err:
        raise SourceError(f"broken CSV header: {err}", line=1) from None
    mapper = _Mapper(override, mapping)
    columns = mapper.mapping(header)
    if problem := mapper.missing(header):
        yield problem.at(path)
    if "text" not in columns:
        raise SourceError(
            "no text column (looked for "
            + ", ".join(FIELD_NAMES["text"])
            + "); columns are: "
            + ", ".join(header)[:300]
            + ". Name it with --map text=COLUMN",
            kind=Kind.UNSUPPORTED,
        )
    last = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield Problem(
                Kind.UNREADABLE,
                f"broken CSV after this line ({err}); the rest of the file is skipped",
                path,
                last + 1,
            )
            return
        line, last = last + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        mended = False
        for i, cell in enumerate(row):
            row[i], bad = mend(cell)
            mended = mended or bad
        if len(row) != len(header):
            yield Problem(
                Kind.FIELD_DROPPED,
                f"row has {len(row)} cells for {len(header)} columns; read by position",
                path,
                line,
            )
        obj = dict(zip(header, row, strict=False))  # a short or long row is read by position
        text = obj.get(columns["text"], "")
        if len(text.encode("utf-8", "surrogatepass")) > MAX_ARTICLE_BYTES:
            yield Problem(
                Kind.TOO_LARGE, f"text longer than {MAX_ARTICLE_BYTES:,} bytes; skipped", path, line
            )
            continue
        record = record_from(obj, columns, path=path, line=line)
        if mended:
            record = _with_problem(
                record, Problem(Kind.ENCODING, "bytes that are not UTF-8 read as Windows-1252")
            )
        yield record


def _chain(first: str, stream) -> Iterator[str]:
    yield first
    yield from stream


def _with_problem(record: Record, problem: Problem) -> Record:

    return replace(record, problems=(*record.problems, problem))
