"""The backend over a local index folder: FAISS and the segments' BM25 (``StoredIndex``).

Exactly what the retriever did before the protocol: every score over the live rows of
every segment, BM25 moments exact. Filters are not applied while searching (FAISS
would need a row mask per filter); the retriever fetches deeper and checks each hit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from app.index.rows import PassageRow
from app.index.store import StoredIndex
from app.search import fusion
from app.search.backend import CandidateRows, Candidates, DenseMoments, KeywordCandidates
from app.search.filters import Filters
from app.types import StoredArticle


class LocalBackend:
    parallel_keyword = True  # BM25 is numpy over mapped arrays; FAISS releases the GIL

    def __init__(self, index: StoredIndex):
        self.index = index
        self.location = str(index.folder)
        self.manifest = index.manifest
        self.count, self.dim = index.count, index.dim
        self.articles = index.articles

    @property
    def newest(self):
        return self.index.newest

    def stamp(self) -> object:
        try:
            return os.stat(self.index.folder / "manifest.json").st_mtime_ns
        except FileNotFoundError:
            return None

    def dense(self, query: np.ndarray, k: int, filters: Filters) -> Candidates:
        scores, rows = self.index.search(query, min(k, self.count))  # exact or IVF-SQ8
        keep = rows >= 0
        return Candidates(rows[keep].astype(np.int64), scores[keep])

    def keyword(self, text: str, k: int, filters: Filters) -> KeywordCandidates:
        found = self.index.keyword.scores(text)  # over every live row of every segment
        order = fusion.top_k(found.scores, k)
        return KeywordCandidates(
            found.rows[order].astype(np.int64), found.scores[order], found.mean, found.std, found.of
        )

    def rows(self, keys: np.ndarray, companion: bool = False) -> CandidateRows:
        keys = np.asarray(keys, dtype=np.int64)
        density = self.index.density
        grouped = self.index.language_groups
        return CandidateRows(
            self.index.rows(keys),  # read from disk, a row at a time
            density[keys] if density is not None else None,
            grouped[0][keys] if grouped is not None else None,
            self.index.companion_rows(keys) if companion else None,
        )

    def moments(self) -> DenseMoments:
        grouped = self.index.language_groups
        companion = self.index.companion_moments if self.index.companion else None
        return DenseMoments(
            self.index.mean, self.index.cov, grouped[1] if grouped is not None else None, companion
        )

    def passages(self, keys: np.ndarray) -> list[PassageRow]:
        return [self.index.passages[int(k)] for k in keys]

    def article_records(self, article_ids: Sequence[str]) -> dict[str, StoredArticle]:
        return {a: self.articles[a] for a in dict.fromkeys(article_ids)}

    def story_members(self, story_id: str) -> list[str]:
        return self.index.story_members(story_id)

    def passage_vectors(self, passage_ids: Sequence[str], companion: bool = False) -> np.ndarray:
        rows = [self.index.row_of(p) for p in passage_ids]
        return self.index.companion_rows(rows) if companion else self.index.rows(rows)
