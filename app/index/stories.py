"""The stories of an index: for every article row, the row of its story's first article
(the smallest article id among the copies joined to it, ``app.news.syndication``); a
tombstoned row points to itself.

A merge groups every live article. An update groups again only what it can change: the
stories that lost an article (an article leaving may split its story: their remaining
members are grouped among themselves, as no other live article is joined to them), then
each added article, joined through its similar rows (against every live article and
each other, with the same LSH bands and threshold) to stories or to one another; only
the stories it touches get their first article again. Both give the same rows
(tests/test_segments.py); the update's way costs milliseconds an article instead of
grouping the whole corpus (0.5-2 s at 30k articles on a busy two-core machine).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.index.segment import SegmentParts
from app.index.store import StoredIndex
from app.news import syndication
from app.news.enrich import stories

# Added articles compared one at a time with every row (~5 ms each at 30k articles):
# past this many, grouping everything again (~0.5 s at 30k) is as fast.
MAX_ADDED = 64


def story_rows(ids: list[str], signatures: np.ndarray, live: np.ndarray) -> np.ndarray:
    """For every article row, the row of its story's first article (a tombstoned row:
    itself), from the ids and signatures of all rows and which are live."""
    rows = np.arange(len(ids), dtype=np.int32)
    alive = np.flatnonzero(live)
    groups = stories([ids[r] for r in alive], np.asarray(signatures[alive], dtype=np.uint64))
    row_of = {ids[r]: int(r) for r in alive}
    for r in alive:
        rows[r] = row_of[groups[ids[r]]]
    return rows


def signatures_of(index: StoredIndex | None, parts: SegmentParts | None = None) -> np.ndarray:
    """The MinHash signatures of every article row of ``index`` and then of ``parts``."""
    blocks = [np.asarray(s.minhash) for s in index.segments] if index is not None else []
    if parts is not None:
        blocks.append(
            np.stack([syndication.decode(a.minhash) for a in parts.articles]).astype(np.uint32)
            if parts.articles
            else np.zeros((0, syndication.NUM_PERM), np.uint32)
        )
    return np.concatenate(blocks) if blocks else np.zeros((0, syndication.NUM_PERM), np.uint32)


def appended_story_rows(old: StoredIndex, parts: SegmentParts, dead_articles: np.ndarray) -> np.ndarray:
    """The story rows of ``old``'s article rows (``dead_articles``: tombstoned after this
    build) followed by ``parts``' articles, grouped again only where that can differ."""
    sigs = signatures_of(old, parts)
    live = ~np.concatenate([dead_articles, np.zeros(len(parts.articles), bool)])
    n_old = len(old.dead_articles)
    if len(parts.articles) > MAX_ADDED:
        ids = old.article_ids() + [a.article_id for a in parts.articles]
        return story_rows(ids, sigs, live)

    def article_id(row: int) -> str:
        return old._article_id(row) if row < n_old else parts.articles[row - n_old].article_id

    stored = np.asarray(old.stories, dtype=np.int32)
    return grown_story_rows(stored, sigs, ~old.dead_articles, live, article_id)


def grown_story_rows(
    rows: np.ndarray,
    signatures: np.ndarray,
    was_live: np.ndarray,
    live: np.ndarray,
    article_id: Callable[[int], str],
) -> np.ndarray:
    """``story_rows`` of all rows, from ``rows``: the story rows of the first
    ``len(rows)``, grouped when the live ones were ``was_live``; the rows after them are
    new. ``live``: which rows are live now. ``article_id(row)``: a row's article id."""
    n_old, n = len(rows), len(signatures)
    rows = np.concatenate([rows, np.arange(n_old, n, dtype=np.int32)])
    sigs = np.asarray(signatures, dtype=np.uint64)
    gone = np.flatnonzero(was_live & ~live[:n_old])
    if len(gone):  # the stories that lost an article, grouped again among their members
        members = np.flatnonzero(np.isin(rows[:n_old], rows[gone]) & live[:n_old])
        rows[gone] = gone
        if len(members):
            ids = [article_id(int(r)) for r in members]
            rows[members] = members[story_rows(ids, sigs[members], np.ones(len(members), bool))]
    parent: dict[int, int] = {}

    def find(label: int) -> int:
        parent.setdefault(label, label)
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for row in range(n_old, n):
        for other in syndication.matches(sigs, row, live):
            parent[find(int(rows[other]))] = find(int(rows[row]))
    touched: dict[int, list[int]] = {}
    for label in list(parent):
        touched.setdefault(find(label), []).append(label)
    for labels in touched.values():
        members = np.flatnonzero(np.isin(rows, labels) & live)
        ids = [article_id(int(r)) for r in members]
        rows[members] = members[ids.index(min(ids))]
    return rows
