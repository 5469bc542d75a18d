"""Keyword search: BM25 over passages with bm25s (terms from ``app.text.words``).

Built once with the index and saved beside the vectors; queries load it (memory-mapped)
and never re-index. Returns a score for every passage, because fusion standardises the
scores over the whole corpus. Does not do phrase or boolean queries.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.text.terms import keyword_terms


class KeywordIndex:
    """A BM25 index over passages, in row order of the vector index."""

    def __init__(self, bm25):
        self._bm25 = bm25

    @classmethod
    def build(cls, texts: list[str]) -> KeywordIndex:
        import bm25s

        bm25 = bm25s.BM25()  # k1=1.5, b=0.75: the library's (and Lucene's classic) defaults
        bm25.index(keyword_terms(texts) if texts else [[""]], show_progress=False)
        return cls(bm25)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), mmap=True))

    def scores(self, question: str, n: int) -> np.ndarray:
        """BM25 score of every one of the ``n`` passages for ``question`` (0 where no term
        matches, or when the question has no indexed term)."""
        terms = [t for t in keyword_terms([question])[0] if t in self._bm25.vocab_dict]
        if not terms:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)[:n]
