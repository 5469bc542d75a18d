"""A loaded index folder: its segments seen as one index, read-only, shared by threads.

An index folder holds ``manifest.json`` (``app.index.manifest``), the segments it lists
(``app.index.segment``: a base and the deltas later builds appended, each immutable)
and its generation's state (``app.index.state``: tombstones, stories, densities).
Rows are numbered across the segments in the manifest's order: passage row r of the
index is row r - offset of the segment it falls in; tombstoned rows keep their numbers
and are never returned. Every score is computed with the statistics of all live rows
(BM25's, the dense moments, the densities' z), so a segmented index ranks exactly as the
same passages merged into one segment would.

Loading checks, before parsing: the manifest's fields, every file's integrity (so FAISS
and numpy never see a damaged file), and that the segments and the state agree. Any
failure is ``IndexUnavailable`` naming the file and the fix. Nothing is parsed a row at
a time: the columns are memory-mapped and an article's JSON is read when it is used, so
loading costs milliseconds at any size. A reader that meets a build's switch half-way
(its generation's files already removed) reloads the new generation. Never writes.
"""

from __future__ import annotations

import time
from datetime import datetime
from functools import cached_property
from pathlib import Path

import numpy as np

from app.index import density, manifest
from app.index.errors import IndexUnavailable
from app.index.keyword import KeywordScorer
from app.index.manifest import FIX, read_file, read_manifest
from app.index.rows import Articles, Passages, live_row
from app.index.segment import Segment
from app.index.state import read_state
from app.index.vectors import Moments, companion_sums
from app.types import StoredArticle


class StoredIndex:
    """A loaded index folder. Read-only and safe to share between threads."""

    def __init__(self, folder: Path):
        started = time.perf_counter()
        self.folder = Path(folder)
        for attempt in range(3):
            self.manifest = read_manifest(self.folder)
            try:
                self._load()
                break
            except IndexUnavailable:
                # A build may have switched generations (and removed ours) while we read.
                if attempt == 2 or not self._switched():
                    raise
        self.load_seconds = time.perf_counter() - started

    def _switched(self) -> bool:
        try:
            return read_manifest(self.folder)["generation"] != self.manifest["generation"]
        except IndexUnavailable:
            return False

    def _load(self) -> None:
        self.verify(full=False)
        names = [s["name"] for s in self.manifest["segments"]]
        self.segments = [read_file(self.folder / name, Segment) for name in names]
        state_path = self.folder / self.manifest["state"]
        state = read_file(state_path, read_state)
        sizes = [(len(s), len(s.article_ids)) for s in self.segments]
        if [
            (len(p), len(a)) for p, a in zip(state.dead_passages, state.dead_articles, strict=False)
        ] != sizes:
            raise IndexUnavailable(f"{state_path}: does not match the segments of {manifest.MANIFEST}; {FIX}")
        self.offsets = np.cumsum([0] + [n for n, _ in sizes])
        self.article_offsets = np.cumsum([0] + [a for _, a in sizes])
        self.dead = np.concatenate(state.dead_passages) if names else np.zeros(0, bool)
        self.dead_articles = np.concatenate(state.dead_articles) if names else np.zeros(0, bool)
        self._live_masks = [None if not d.any() else ~d for d in state.dead_passages]
        self.count = int((~self.dead).sum())
        if self.count != self.manifest["count"] or len(state.stories) != len(self.dead_articles):
            raise IndexUnavailable(
                f"{self.folder}: {manifest.MANIFEST} says {self.manifest['count']} passages, the segments "
                f"hold {self.count} live; {FIX}"
            )
        dims = {s.vectors.d for s in self.segments}
        self.dim = dims.pop() if len(dims) == 1 else int(self.manifest.get("dimension") or 0)
        moments = Moments(self.dim)
        for segment in self.segments:
            moments.add(segment.sums)
        moments.add(state.dead_sums, sign=-1)
        self.mean, self.cov = moments.moments()
        self.language_moments = moments.by_language()
        self.stories = state.stories
        self.dead_sums = state.dead_sums
        self.densities = state.densities
        self.raw_density = state.densities.raw if state.densities is not None else None
        self.passages = Passages(self)
        self.articles = Articles(self)
        self._keyword: KeywordScorer | None = None
        self.companion = self.manifest.get("companion")  # {"model", "precision", "dimension"}
        if self.companion and any(s.companion is None for s in self.segments):
            raise IndexUnavailable(f"{self.folder}: a segment lacks the companion model's vectors; {FIX}")

    def verify(self, *, full: bool = True) -> None:
        """Check every file against the manifest (``manifest.verify``)."""
        manifest.verify(self.folder, self.manifest, full=full)

    # -- rows ---------------------------------------------------------------------------

    def locate(self, row: int) -> tuple[Segment, int]:
        """The segment a passage row falls in, and its row there."""
        i = int(np.searchsorted(self.offsets, row, side="right")) - 1
        if not 0 <= row < self.offsets[-1]:
            raise IndexError(f"passage row {row} out of range 0..{int(self.offsets[-1]) - 1}")
        return self.segments[i], row - int(self.offsets[i])

    def article_row(self, row: int) -> int:
        """The article row (across segments) of passage row ``row``."""
        i = int(np.searchsorted(self.offsets, row, side="right")) - 1
        local = row - int(self.offsets[i])
        return int(self.article_offsets[i]) + int(self.segments[i].spans[local, 0])

    def article_at(self, row: int, *, signature: bool = False) -> StoredArticle:
        """The article at article row ``row``, with its story (and its MinHash
        signature when ``signature``: only a build needs it)."""
        i = int(np.searchsorted(self.article_offsets, row, side="right")) - 1
        story = int(self.stories[row])
        story_id = None if story == row else self._article_id(story)
        return self.segments[i].article(row - int(self.article_offsets[i]), story_id, signature)

    def _article_id(self, row: int) -> str:
        i = int(np.searchsorted(self.article_offsets, row, side="right")) - 1
        return self.segments[i].article_ids[row - int(self.article_offsets[i])]

    def article_of(self, row: int) -> StoredArticle:
        """The article of passage row ``row``."""
        return self.article_at(self.article_row(row))

    def live_rows(self) -> np.ndarray:
        """The passage rows that are not tombstoned, ascending."""
        return np.flatnonzero(~self.dead)

    def article_ids(self) -> list[str]:
        """The id of every article row (tombstoned ones included)."""
        return [s.article_ids[r] for s in self.segments for r in range(len(s.article_ids))]

    def passage_languages(self, rows: np.ndarray) -> np.ndarray:
        """The language code of the article of each passage row in ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(rows), dtype=object)
        which = np.searchsorted(self.offsets, rows, side="right") - 1
        for i in np.unique(which):
            pick = which == i
            segment = self.segments[i]
            codes = np.asarray(segment.language)[
                np.asarray(segment.spans[rows[pick] - int(self.offsets[i]), 0])
            ]
            out[pick] = [c.decode() for c in codes]
        return out

    def text(self, row: int) -> str:
        segment, local = self.locate(row)
        return segment.text(local)

    def row_of(self, passage_id: str) -> int:
        """The live passage row of a passage id (KeyError if there is none)."""
        return live_row(passage_id, [s.passage_ids for s in self.segments], self.offsets, self.dead)

    def story_members(self, story_id: str) -> list[str]:
        """The ids of the live articles of a story (its first article's id)."""
        try:
            first = self.articles.row(story_id)
        except KeyError:
            return []
        order, by_story = self._story_order
        story = self.stories[first]
        rows = order[np.searchsorted(by_story, story) : np.searchsorted(by_story, story, side="right")]
        return [self._article_id(int(r)) for r in rows if not self.dead_articles[r]]

    @cached_property
    def _story_order(self) -> tuple[np.ndarray, np.ndarray]:
        """Article rows sorted by story, and their stories: a story's rows by bisection,
        not a scan of every article (made on first use)."""
        order = np.argsort(self.stories, kind="stable")
        return order, np.asarray(self.stories)[order]

    # -- scoring ------------------------------------------------------------------------

    @property
    def keyword(self) -> KeywordScorer:
        """BM25 over every segment with the live rows' statistics (postings are opened
        on first use: dense-only searches never need them)."""
        if self._keyword is None:
            parts = [read_file(s.folder / "keyword", lambda _, s=s: s.postings) for s in self.segments]
            dead = [None if m is None else ~m for m in self._live_masks]
            self._keyword = KeywordScorer(parts, [int(o) for o in self.offsets[:-1]], dead)
        return self._keyword

    @property
    def density(self) -> np.ndarray | None:
        """Each passage row's hubness density as z over the live rows (None when the
        index was built without densities): what ``fusion.hybrid`` subtracts."""
        if "_density" not in self.__dict__:
            z = None
            raw = self.raw_density
            if raw is not None and len(raw) == len(self.dead):
                live = density.standardised(np.asarray(raw[~self.dead], dtype=np.float64), self.count)
                if live is not None:
                    z = np.zeros(len(raw), dtype=np.float32)
                    z[~self.dead] = live
            self.__dict__["_density"] = z
        return self.__dict__["_density"]

    @property
    def language_groups(self) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]] | None:
        """For a mixed archive: each passage row's group number and each group's moments
        (``fusion.dense_z``); None when the corpus moments serve every passage. Passages
        in a language without moments of its own take the corpus's (the last group)."""
        if not self.language_moments:
            return None
        if "_groups" not in self.__dict__:
            codes = list(self.language_moments)
            other = len(codes)
            parts = []
            for segment in self.segments:
                language = np.asarray(segment.language)[np.asarray(segment.spans[:, 0])]
                group = np.full(len(language), other, dtype=np.int32)
                for g, code in enumerate(codes):
                    group[language == code.encode()] = g
                parts.append(group)
            moments = [self.language_moments[c] for c in codes] + [(self.mean, self.cov)]
            self.__dict__["_groups"] = (np.concatenate(parts), moments)
        return self.__dict__["_groups"]

    @property
    def newest(self) -> datetime | None:
        """The newest publication date among the live articles: "as of" for relative
        dates in questions."""
        if "_newest" not in self.__dict__:
            newest = None
            published = (
                np.concatenate([np.asarray(s.published) for s in self.segments]) if self.segments else None
            )
            if published is not None and len(published):
                times = np.where(self.dead_articles, np.nan, published)
                if not np.isnan(times).all():
                    newest = self.article_at(int(np.nanargmax(times))).published
            self.__dict__["_newest"] = newest
        return self.__dict__["_newest"]

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` live rows nearest ``query`` (one unit vector) over every segment:
        (scores, rows), best first; scores are exact cosines."""
        found_scores, found_rows = [], []
        for segment, offset, live in zip(self.segments, self.offsets, self._live_masks, strict=False):
            scores, rows = segment.search(query, k, live)
            found_scores.append(scores)
            found_rows.append(rows + int(offset))
        if not found_rows:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        scores, rows = np.concatenate(found_scores), np.concatenate(found_rows)
        order = np.lexsort((rows, -scores))[:k]
        return scores[order], rows[order]

    def rows(self, ids) -> np.ndarray:
        """The exact vectors of passage rows ``ids``: (len(ids), dim) float32, read from
        the segments' matrix files a row at a time (no memory held)."""
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        which = np.searchsorted(self.offsets, ids, side="right") - 1
        for i in np.unique(which):
            pick = which == i
            out[pick] = self.segments[i].rows(ids[pick] - int(self.offsets[i]))
        return out

    def companion_rows(self, ids) -> np.ndarray:
        """The companion model's vectors of passage rows ``ids`` (zeros for a passage
        it did not embed), read a row at a time like ``rows``."""
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        out = np.empty((len(ids), int(self.companion["dimension"])), dtype=np.float32)
        which = np.searchsorted(self.offsets, ids, side="right") - 1
        for i in np.unique(which):
            pick = which == i
            out[pick] = self.segments[i].companion_rows(ids[pick] - int(self.offsets[i]))
        return out

    @cached_property
    def companion_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and covariance of the companion vectors of the live passages it
        embedded: the segments' sums less the tombstoned rows' (read back on first use)."""
        moments = Moments(int(self.companion["dimension"]))
        for segment in self.segments:
            moments.add(segment.companion_sums)
        dead = np.flatnonzero(self.dead)
        if len(dead):
            moments.add(companion_sums(self.companion_rows(dead)), sign=-1)
        return moments.moments()

    def vector(self, i: int) -> np.ndarray:
        return self.rows([int(i)])[0]

    def all_vectors(self) -> np.ndarray:
        """Every passage row's vector (tombstoned rows included, so rows keep their
        numbers): memory-mapped for one segment, a copy in memory for several."""
        if len(self.segments) == 1:
            return self.segments[0].matrix
        if not self.segments:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.concatenate([np.asarray(s.matrix) for s in self.segments])
