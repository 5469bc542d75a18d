"""The search backend protocol: what the retriever asks of wherever the index lives.

Six things, and nothing else: dense candidates, keyword candidates (with the corpus
moments of the question's BM25 scores), the exact vectors of candidates for
re-scoring with the statistics the fusion needs (the corpus' dense mean and
covariance, the candidates' hubness z and language groups), filters (each backend
may apply them while searching; the retriever checks every hit anyway), and article
records. ``app.search.backends.local`` (FAISS + the segments' BM25) and
``app.search.backends.milvus`` implement it; another engine (OpenSearch, Qdrant) would
be one more file of the same size. ``open_backend`` picks one for a folder or a
``milvus:`` URI.

Keys are the backend's own handle of a passage (a row number locally, the passage id
in Milvus); they only travel between its calls. Does not rank: ``fusion`` does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from app.index.rows import PassageRow
from app.search.filters import Filters
from app.types import StoredArticle


@dataclass(frozen=True)
class Candidates:
    """Passages found for a question, best first: their keys and raw scores (cosine
    for dense, bm25s-scale BM25 for keyword)."""

    keys: np.ndarray
    scores: np.ndarray


@dataclass(frozen=True)
class KeywordCandidates(Candidates):
    """Keyword candidates plus what standardising needs: the mean and deviation of the
    question's BM25 scores over all live passages, and the scores of any keys."""

    mean: float = 0.0
    std: float = 0.0
    score_of: Callable[[np.ndarray], np.ndarray] | None = None


@dataclass(frozen=True)
class CandidateRows:
    """What re-scoring needs of some candidates, in the order asked."""

    vectors: np.ndarray  # (n, dim) float32, exact unit vectors
    density: np.ndarray | None  # hubness z over the corpus (None: penalty off)
    groups: np.ndarray | None  # language group of each (None: one group)
    companion: np.ndarray | None = None  # the English companion's vectors (asked for; zeros: none)


@dataclass(frozen=True)
class DenseMoments:
    """The corpus' dense mean and covariance, and per-language ones for a mixed archive
    (``fusion.dense_z``'s ``group_moments``; None when one set serves all)."""

    mean: np.ndarray
    cov: np.ndarray
    groups: list[tuple[np.ndarray, np.ndarray]] | None
    companion: tuple[np.ndarray, np.ndarray] | None = None  # the companion vectors' mean, cov


class Backend(Protocol):
    location: str  # a folder or a milvus: URI, for messages
    manifest: Mapping[str, Any]  # model, companion, dimension, count, articles, built, generation
    count: int
    dim: int
    articles: Mapping[str, StoredArticle]  # the live articles by id
    newest: datetime | None
    # True: ``keyword`` may run on another thread while ``dense`` runs (the retriever
    # then overlaps them); False: one call at a time.
    parallel_keyword: bool

    def dense(self, query: np.ndarray, k: int, filters: Filters) -> Candidates: ...

    def keyword(self, text: str, k: int, filters: Filters) -> KeywordCandidates: ...

    def rows(self, keys: np.ndarray, companion: bool = False) -> CandidateRows: ...

    def moments(self) -> DenseMoments: ...

    def passages(self, keys: np.ndarray) -> list[PassageRow]: ...

    def article_records(self, article_ids: Sequence[str]) -> dict[str, StoredArticle]: ...

    def story_members(self, story_id: str) -> list[str]: ...

    def passage_vectors(self, passage_ids: Sequence[str], companion: bool = False) -> np.ndarray: ...

    def stamp(self) -> object:
        """Changes when the index is rebuilt (the retriever then reopens it)."""
        ...


def open_backend(index_dir: str | os.PathLike[str] | None) -> Backend:
    """The backend of an index folder or a ``milvus:`` URI (default: the project's)."""
    from app.engines.location import MilvusLocation, resolve

    where = resolve(index_dir)
    if isinstance(where, MilvusLocation):
        from app.search.backends.milvus import MilvusBackend

        return MilvusBackend(where)
    from app.index.store import StoredIndex
    from app.search.backends.local import LocalBackend

    return LocalBackend(StoredIndex(where))
