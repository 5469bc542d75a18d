"""The rows of a loaded index as Python collections: its passages as a sequence (by
row, tombstoned ones included) and its live articles as a mapping by id. Each item is
read from the segments' columns when asked for: nothing is parsed up front."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from app.types import StoredArticle

if TYPE_CHECKING:
    from app.index.store import StoredIndex


@dataclass(frozen=True, slots=True)
class PassageRow:
    passage_id: str
    article_id: str
    paragraph: int
    start: int
    end: int


class Passages(Sequence):
    """The index's passage rows (tombstoned ones included: check ``index.dead``)."""

    def __init__(self, index: StoredIndex):
        self._index = index

    def __len__(self) -> int:
        return int(self._index.offsets[-1])

    def __getitem__(self, row):  # noqa: ANN001 -- an int (slices are not supported)
        if not isinstance(row, (int, np.integer)):
            raise TypeError("passage rows are read one at a time")
        segment, local = self._index.locate(int(row))
        article, paragraph, start, end = (int(x) for x in segment.spans[local])
        return PassageRow(segment.passage_ids[local], segment.article_ids[article], paragraph, start, end)


class Articles(Mapping):
    """The live articles by id. Iterating parses every article: fine for a few
    thousand, slow at a million (use the index's columns there)."""

    def __init__(self, index: StoredIndex):
        self._index = index

    def row(self, article_id: str) -> int:
        """The live article row of an id (KeyError if none)."""
        index = self._index
        ids = [s.article_ids for s in index.segments]
        return live_row(article_id, ids, index.article_offsets, index.dead_articles)

    def __getitem__(self, article_id: str) -> StoredArticle:
        return self._index.article_at(self.row(article_id))

    def __len__(self) -> int:
        return int((~self._index.dead_articles).sum())

    def _live(self) -> Iterator[int]:
        return (int(r) for r in np.flatnonzero(~self._index.dead_articles))

    def __iter__(self) -> Iterator[str]:
        return (self._index._article_id(r) for r in self._live())

    def values(self) -> Iterator[StoredArticle]:  # type: ignore[override]
        return (self._index.article_at(r) for r in self._live())

    def items(self) -> Iterator[tuple[str, StoredArticle]]:  # type: ignore[override]
        return ((a.article_id, a) for a in self.values())


def live_row(key: str, columns: list, offsets: np.ndarray, dead: np.ndarray) -> int:
    """The live row (across segments, newest first) holding ``key`` in the segments'
    id ``columns``; KeyError if none."""
    for i in reversed(range(len(columns))):
        for local in columns[i].find(key):
            row = int(offsets[i]) + local
            if not dead[row]:
                return row
    raise KeyError(key)
