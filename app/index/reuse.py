"""What an update reuses of the previous index without decoding its articles.

A build reads only the files that changed (``app.sources.KnownFile``); the stored
articles of an unchanged file stand in for it and go through the duplicate check again
(a file read before it may now hold one of them). Decoding every stored article and
hashing its body for that check was most of an update's time at 100k passages, so each
segment keeps ``REUSE_FILE`` (``reuse-v1.json``): for every article row its file and
line, whether it is a teaser, and its duplicate keys (``app.sources.dedupe.Keys``). An
update hands out one ``StoredStandIn`` for each live article, made from that file and
the segment's columns (id, language); an article is decoded only if something asks for
another of its fields.

A segment written before the file existed (or under other key rules: ``KEYS_VERSION`` is
in its name) gets it once: the next update decodes that segment's articles (what every
update did before), writes the file into the segment folder (a new file: nothing the
previous manifest lists is changed, and only the manifest that lists it makes it part of
the index) and the build records its checksum (``Reuse.written``). Does not decide
duplicates (``app.sources.dedupe`` does) or which stored articles stay
(``app.index.update``).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.index.files import sha256
from app.index.manifest import read_file
from app.sources import KnownFile
from app.sources.dedupe import KEYS_VERSION, Keys
from app.types import Article, FileReport, Problem, StoredArticle

if TYPE_CHECKING:
    from app.index.segment import Segment
    from app.index.store import StoredIndex

# Named by the key rules: new rules write a new file, never over one a manifest lists.
REUSE_FILE = f"reuse-v{KEYS_VERSION}.json"


def reuse_columns(articles: list[Article]) -> dict[str, Any]:
    """The ``REUSE_FILE`` of a segment holding ``articles`` (in row order)."""
    paths = sorted({a.path for a in articles})
    number = {p: i for i, p in enumerate(paths)}
    keys = [Keys.of(a) for a in articles]
    return {
        "keys_version": KEYS_VERSION,
        "paths": paths,
        "path": [number[a.path] for a in articles],
        "line": [a.line for a in articles],
        "teaser": [bool(a.teaser) for a in articles],
        "url": [k.url for k in keys],
        "body": [k.body for k in keys],
    }


def write_reuse(folder: Path, columns: dict[str, Any]) -> str:
    """Write a segment folder's ``REUSE_FILE`` (``reuse_columns``): staged, synced and
    renamed into place (a killed build never leaves half a file under its name).
    Returns its sha256."""
    text = json.dumps(columns, ensure_ascii=False, separators=(",", ":"))
    path = Path(folder) / REUSE_FILE
    for leftover in path.parent.glob(f".tmp-{REUSE_FILE}.*"):  # of a killed build
        leftover.unlink(missing_ok=True)
    staged = path.with_name(f".tmp-{REUSE_FILE}.{os.getpid()}")
    staged.write_text(text, encoding="utf-8")
    digest = sha256(staged, sync=True)
    os.replace(staged, path)
    return digest


class StoredStandIn:
    """A live article of the previous index as an update's reading sees it. The fields
    the duplicate check and the build's counts use (id, path, line, teaser, language,
    ``keys``) come from columns; any other attribute decodes the stored article once
    (``StoredIndex.article_at``: the very record the update would otherwise use)."""

    __slots__ = ("_index", "row", "article_id", "path", "line", "teaser", "language", "keys", "_article")

    def __init__(
        self, index: StoredIndex, row: int, article_id: str, path: str, line, teaser, language, keys
    ):
        self._index = index
        self.row = row
        self.article_id = article_id
        self.path = path
        self.line = line
        self.teaser = teaser
        self.language = language
        self.keys = keys
        self._article: StoredArticle | None = None

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if self._article is None:
            self._article = self._index.article_at(self.row)
        return getattr(self._article, name)


class Reuse:
    """What one update reuses of ``old``: ``known_files()`` for ``load_articles``. Each
    stand-in it hands out is noted in ``stored`` (its ``id()`` -> its row, so the draft
    keeps it without comparing it with itself); ``written`` holds the checksums (by
    path in the index folder) of the ``REUSE_FILE``s it added to old segments."""

    def __init__(self, old: StoredIndex):
        self.old = old
        self.stored: dict[int, int] = {}
        self.written: dict[str, str] = {}
        self._grouped: dict[str, list[StoredStandIn]] | None = None

    def known_files(self) -> dict[str, KnownFile]:
        """What the old index holds of each file it read (articles grouped on first use)."""
        recorded = self.old.manifest
        stamps = recorded.get("file_stamps") or {}
        reports = {r["path"]: FileReport(**r) for r in recorded.get("file_reports") or ()}
        problems: dict[str, list[Problem]] = defaultdict(list)
        for p in recorded.get("problems") or ():
            problems[p.get("path")].append(Problem(**p))
        return {
            shown: KnownFile(
                sha,
                tuple(stamps[shown]),
                reports.get(shown),
                tuple(problems.get(shown, ())),
                lambda shown=shown: self.articles_of(shown),
                attrgetter("keys"),  # what the stand-ins carry
            )
            for shown, sha in (recorded.get("files") or {}).items()
            if shown in stamps
        }

    def articles_of(self, shown: str) -> list[StoredStandIn]:
        """The live stored articles read from file ``shown``, by line."""
        if self._grouped is None:  # every live article, once, by file and line
            by_path: dict[str, list[StoredStandIn]] = defaultdict(list)
            old = self.old
            for i, segment in enumerate(old.segments):
                start = int(old.article_offsets[i])
                dead = old.dead_articles[start : start + len(segment.article_ids)]
                for stand_in in self._stand_ins(segment, start, np.flatnonzero(~dead).tolist()):
                    self.stored[id(stand_in)] = stand_in.row
                    by_path[stand_in.path].append(stand_in)
            self._grouped = {k: sorted(v, key=lambda a: a.line or 0) for k, v in by_path.items()}
        return self._grouped.get(shown, [])

    def _stand_ins(self, segment: Segment, start: int, rows: list[int]) -> list[StoredStandIn]:
        columns = self._columns(segment)
        paths, path, line = columns["paths"], columns["path"], columns["line"]
        teaser, url, body = columns["teaser"], columns["url"], columns["body"]
        ids = np.asarray(segment.article_ids.ids)[rows].tolist()
        languages = np.asarray(segment.language)[rows].tolist()
        return [
            StoredStandIn(
                self.old,
                start + r,
                i.decode("utf-8"),
                paths[path[r]],
                line[r],
                teaser[r],
                language.decode(),
                Keys(url[r], body[r]),
            )
            for r, i, language in zip(rows, ids, languages, strict=True)
        ]

    def _columns(self, segment: Segment) -> dict[str, Any]:
        """The segment's ``REUSE_FILE`` when the manifest lists it (checked against its
        checksum when the index was opened); otherwise derived from its articles (every
        row, decoded) and written, once. An unlisted one is a killed build's: replaced."""
        name = f"{segment.folder.name}/{REUSE_FILE}"
        if name in self.old.manifest["checksums"]:
            return read_file(segment.folder / REUSE_FILE, lambda p: json.loads(p.read_text(encoding="utf-8")))
        columns = reuse_columns([segment.article(r) for r in range(len(segment.article_ids))])
        self.written[name] = write_reuse(segment.folder, columns)
        return columns
