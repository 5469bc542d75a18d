"""Question -> ranked Hits with citations: dense (FAISS), keyword (BM25) or the hybrid.

``retrieve`` loads an index folder once per process and reuses it (a rebuilt folder is
noticed by its manifest and reloaded). The default folder is the project's
``embeddings/`` (or ``$NEWSDESK_INDEX``). Searching never writes the index: bringing it
up to date with ``seeds/`` is ``newsdesk build`` (or ``ensure_current_index``).

The hybrid (the default) searches the question with quiz phrasing removed
(``app.search.query``), takes the top ``CANDIDATES`` of each retriever, and ranks their union
by ``fusion.hybrid``; "dense" and "keyword" search the question as asked.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Literal

import numpy as np

from app.engines.location import resolve
from app.index.embedder import backend_for, get_embedder, model_name
from app.index.errors import IndexUnavailable
from app.index.manifest import read_manifest
from app.index.models import recorded_design
from app.index.onnx_model import threads
from app.index.rows import PassageRow
from app.index.store import StoredIndex
from app.index.vectors import embedded_rows
from app.news.syndication import near_duplicate
from app.search import fusion
from app.search.backend import Backend, open_backend
from app.search.backends.local import LocalBackend
from app.search.filters import OVERFETCH, Filters, make_filters
from app.search.query import drop_quiz_phrasing
from app.text.bangla import question_language
from app.text.words import nfc
from app.types import Citation, Hit, Outlet, StoredArticle

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[str, ...] = ("hybrid", "dense", "keyword")
# How many candidates each retriever contributes to the hybrid before re-scoring.
# 100 is past where the evaluation's Recall@10 stops changing.
CANDIDATES = 100
# Passages fetched per one wanted, so that folding syndicated copies away still leaves k.
COPIES_DEPTH = 2


class Retriever:
    """Searches one opened index (a ``Backend``, or a ``StoredIndex`` folder). Safe to
    call from several threads."""

    def __init__(self, index: StoredIndex | Backend, *, model: str | None = None):
        backend = LocalBackend(index) if isinstance(index, StoredIndex) else index
        recorded = backend.manifest["model"]
        design = recorded_design(backend.manifest)
        if model is not None and model_name(model) != design:
            raise IndexUnavailable(
                f"{backend.location} was built with model {design!r}, not {model_name(model)!r}; "
                f"rebuild with `newsdesk build --model {model}` or drop the model option"
            )
        self.backend = backend
        # What answers read (articles, newest, manifest): the StoredIndex of a folder, as
        # before the protocol, or the backend itself.
        self.index = backend.index if isinstance(backend, LocalBackend) else backend
        # questions are embedded at the index's precision (an fp32 index keeps fp32)
        self.embedder = get_embedder(recorded, backend=backend_for(backend.manifest.get("precision")))
        # design (c): the English companion model (all-MiniLM-L6-v2), at the index's precision
        companion = backend.manifest.get("companion")
        self.companion = (
            get_embedder(companion["model"], backend=backend_for(companion.get("precision")))
            if companion
            else None
        )
        self._checked_dim = False

    def search(
        self,
        question: str,
        k: int = 5,
        *,
        mode: Mode = "hybrid",
        since=None,
        until=None,
        outlets: list[str] | None = None,
        languages: list[str] | None = None,
        filters: Filters | None = None,
    ) -> list[Hit]:
        """The best ``k`` passages, each story once (a syndicated copy's passage is
        folded into the first copy's citation), within the date range and outlets (or
        ``filters``, already made from them)."""
        if mode not in MODES:
            raise ValueError(f"Unknown mode {mode!r}. Supported modes are: {list(MODES)}")
        if k <= 0:
            raise ValueError(f"k must be greater than 0, got {k}")
        if not question or not question.strip():
            raise ValueError("the question is empty")
        question = nfc(question)  # article text is NFC (app.sources.repair): compare like with like
        chosen = filters if filters is not None else make_filters(since, until, outlets, languages)
        # Fetch deeper than k: copies fold away, and filters drop passages (a backend
        # that filters while searching returns only passages that pass).
        depth = k * (OVERFETCH if chosen.active else COPIES_DEPTH)
        ranked = self._ranked(question, depth, mode, chosen)
        # (an article a Milvus build has not finished writing has no record yet: skipped)
        articles = self.backend.article_records([p.article_id for p, _ in ranked])
        hits = [
            self._hit(p, s, articles[p.article_id])
            for p, s in ranked
            if p.article_id in articles and chosen.allows(articles[p.article_id])
        ]
        return self._fold_copies(hits)[:k]

    def _ranked(self, question: str, k: int, mode: Mode, filters: Filters) -> list[tuple[PassageRow, float]]:
        n = self.backend.count
        if n == 0:
            return []
        if mode == "keyword":
            found = self.backend.keyword(question, k, filters)
            keep = found.scores > 0
            return self._rows(found.keys[keep], found.scores[keep])
        if mode == "dense":
            found = self.backend.dense(self._embed(question), min(k, n), filters)
            return self._rows(found.keys, found.scores)
        text = drop_quiz_phrasing(question)  # quiz phrasing out; the plain modes search as asked
        return self._hybrid(text, k, n, filters)

    def _hybrid(self, text: str, k: int, n: int, filters: Filters):
        """Candidates from both retrievers, re-scored by ``fusion.hybrid``. BM25 (and the
        companion's question embedding, design (c)) runs on a worker thread while this
        one embeds the question and searches FAISS (all release the GIL), when the
        backend allows it (``Backend.parallel_keyword``)."""
        depth = min(max(CANDIDATES, k), n)
        family, language = self.embedder.spec.family, question_language(text)
        weights = fusion.companion_weights(family, language) if self.companion is not None else None

        def keyword_side():
            found = self.backend.keyword(text, depth, filters)
            return found, self.companion.encode([text], kind="query")[0] if weights else None

        pending = _keyword_pool.submit(keyword_side) if self.backend.parallel_keyword else None
        query = self._embed(text)
        dense = self.backend.dense(query, depth, filters)
        keyword, asked = pending.result() if pending else keyword_side()
        keys = np.unique(np.concatenate([dense.keys, keyword.keys]))
        if not len(keys):
            return []
        z_keyword = fusion.standardise(keyword.score_of(keys), keyword.mean, keyword.std)
        rows = self.backend.rows(keys, companion=weights is not None)  # exact vectors, hubness z, groups
        moments = self.backend.moments()
        companion = None
        if weights is not None:
            companion = fusion.Companion(asked, rows.companion, *moments.companion, weights[1])
        fused = fusion.hybrid(
            query,
            rows.vectors,
            z_keyword,
            moments.mean,
            moments.cov,
            dense_weight=weights[0] if weights else fusion.dense_weight(family, language),
            density=rows.density,  # hubness penalty: crowded passages step back
            hubness=fusion.hubness_weight(family, language),
            groups=rows.groups,  # a mixed archive: dense z per passage language
            group_moments=moments.groups,
            companion=companion,  # design (c): the English companion's z, three-way
        )
        order = fusion.top_k(fused, k)
        return self._rows(keys[order], fused[order])

    def _rows(self, keys: np.ndarray, scores: np.ndarray) -> list[tuple[PassageRow, float]]:
        return list(zip(self.backend.passages(keys), (float(s) for s in scores), strict=True))

    def _fold_copies(self, hits: list[Hit]) -> list[Hit]:
        """Keep the first hit of each passage a story's copies share (same or lightly
        edited text); its citation lists the other outlets that carried the story."""
        articles = self.backend.article_records([h.citation.article_id for h in hits])
        kept: list[tuple[str, Hit]] = []
        for hit in hits:
            story = articles[hit.citation.article_id].story_id
            if any(s == story and near_duplicate(k.text, hit.text) for s, k in kept):
                continue
            kept.append((story, hit))
        return [self._with_copies(story, hit) for story, hit in kept]

    def _with_copies(self, story: str, hit: Hit) -> Hit:
        others = [a for a in self.backend.story_members(story) if a != hit.citation.article_id]
        if not others:
            return hit
        articles = self.backend.article_records(others)
        outlets = [Outlet(a.source, a.title, a.published, a.url, a.path) for a in articles.values()]
        return replace(hit, citation=replace(hit.citation, carried_by=tuple(outlets)))

    def reader(self, question: str, passage_ids: list[str]):
        """The embedder the answer composer scores sentences with, and the passages'
        vectors by it: the English companion for an English question when it embedded
        every one of the passages (it is the faster model, and the composer's weights
        and the abstention rule were set on its scale), else the index's model."""
        if self.companion is not None and question_language(question) == "en" and passage_ids:
            vectors = self.backend.passage_vectors(passage_ids, companion=True)
            if embedded_rows(vectors).all():
                return self.companion, vectors
        return self.embedder, self.backend.passage_vectors(passage_ids)

    def _embed(self, question: str) -> np.ndarray:
        vector = self.embedder.encode([question], kind="query")[0]
        if not self._checked_dim and self.backend.count and vector.shape[0] != self.backend.dim:
            raise IndexUnavailable(
                f"{self.backend.location} holds {self.backend.dim}-dimensional vectors, but "
                f"model {self.embedder.name!r} makes {vector.shape[0]}; rebuild the index"
            )
        self._checked_dim = True
        return vector

    def _hit(self, row: PassageRow, score: float, article: StoredArticle) -> Hit:
        citation = Citation(
            article_id=row.article_id,
            passage_id=row.passage_id,
            title=article.title,
            source=article.source,
            published=article.published,
            paragraph=row.paragraph,
            path=article.path,
            url=article.url,
            start=row.start,
            end=row.end,
            language=article.language,
            teaser=article.teaser,
            author=article.author,
        )
        return Hit(text=article.body[row.start : row.end], score=score, citation=citation)


_retrievers: dict[tuple[str, str | None], tuple[object, Retriever]] = {}
_lock = threading.Lock()
# The process's BM25 workers (one a core: more would only queue for the cores); the
# threads start on first use.
_keyword_pool = ThreadPoolExecutor(max_workers=threads(), thread_name_prefix="newsdesk-bm25")


def get_retriever(index_dir: str | os.PathLike[str] | None = None, *, model: str | None = None) -> Retriever:
    """The process-wide Retriever for a folder or a ``milvus:`` URI, reopened when the
    index is rebuilt (a folder's manifest, a Milvus index's generation)."""
    with _lock:
        where = resolve(index_dir)
        key = (str(where.resolve()) if isinstance(where, Path) else str(where), model)
        stamp = _manifest_stamp(where) if isinstance(where, Path) else None
        cached = _retrievers.get(key)
        if cached is not None and stamp is None:
            stamp = cached[1].backend.stamp()
        if cached is None or cached[0] != stamp:
            backend = open_backend(where)
            _retrievers[key] = (backend.stamp() if stamp is None else stamp, Retriever(backend, model=model))
        return _retrievers[key][1]


def retrieve(
    question: str,
    k: int = 5,
    *,
    index_dir: str | os.PathLike[str] | None = None,
    mode: Mode = "hybrid",
    model: str | None = None,
    since=None,
    until=None,
    outlets: list[str] | None = None,
    languages: list[str] | None = None,
) -> list[Hit]:
    """The ``k`` passages most relevant to ``question``, best first, with citations.

    Args:
        question: what the reader asks, in plain words.
        k: how many passages (> 0).
        index_dir: an index folder or a ``milvus:`` URI (``milvus:./news.db``,
            ``milvus:http://HOST:19530``); default the project's ``embeddings/``.
        mode: "hybrid" (default), "dense" (embeddings only) or "keyword" (BM25 only).
        model: check that the index was built with this model; default: the index's.
        since, until: only articles published in this range (dates, both ends
            inclusive, compared in each article's own time zone; or ISO timestamps).
        outlets: only articles from these outlets (case does not matter).
        languages: only articles in these languages ("bn", "en", or names).

    Example:
        >>> hits = retrieve("what did Khamenei say about US troops", k=3)
        >>> hits[0].citation.source, [h.citation.paragraph for h in hits]
        ('Reuters', [1, 3, 5])
    """
    return get_retriever(index_dir, model=model).search(
        question, k, mode=mode, since=since, until=until, outlets=outlets, languages=languages
    )


def _manifest_stamp(folder: Path) -> int:
    try:
        return os.stat(folder / "manifest.json").st_mtime_ns
    except FileNotFoundError:
        read_manifest(folder)  # raises the clear "no index here" error
        raise
