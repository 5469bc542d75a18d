"""A loaded index folder: read-only, checked before it is parsed, shared by threads.

Layout (every data file carries the generation id of its build; see
``app.index.manifest`` for the manifest and ``app.index.vectors`` for the vector files)::

    manifest.json              readable: format, model, dimension, counts, source files,
                               index kind, and each data file's sha256, size and mtime
    vectors-<gen>.faiss        FAISS search index (flat or IVF-SQ8, by corpus size)
    matrix-<gen>.npy           the exact vectors, float32, memory-mapped
    stats-<gen>.npz            vector mean and covariance; raw hubness densities
    passages-<gen>.jsonl       one row a passage: id, article id, paragraph, offsets
    articles-<gen>.jsonl       one StoredArticle a row: metadata, body, quotes, story
                               (passage text is sliced from the body, never stored twice)
    keyword-<gen>/             the bm25s index

Loading checks, before parsing: the manifest's fields, every data file's integrity (so
FAISS, numpy and bm25s never see a damaged file), the vector count and dimension, and
that every passage points into an article. Any failure is ``IndexUnavailable`` naming
the file and the fix. A reader that meets a build's switch half-way (its generation's
files already removed) reloads the new generation. Never writes the folder.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from app.index import density, manifest
from app.index.errors import IndexUnavailable
from app.index.manifest import FIX, MANIFEST, read_file, read_manifest
from app.index.vectors import RowReader, map_matrix, read_stats
from app.types import StoredArticle


@dataclass(frozen=True, slots=True)  # slots: ~100 bytes less a row at 1M rows
class PassageRow:
    passage_id: str
    article_id: str
    paragraph: int
    start: int
    end: int


class StoredIndex:
    """A loaded index folder. Read-only and safe to share between threads."""

    def __init__(self, folder: Path, *, signatures: bool = False):
        """Load ``folder``. Articles' MinHash signatures are only for the next build's
        enrichment; they are dropped unless ``signatures`` (~100 bytes a passage saved
        at query time)."""
        started = time.perf_counter()
        self.folder = Path(folder)
        self._signatures = signatures
        for attempt in range(3):
            self.manifest = read_manifest(self.folder)
            try:
                self._load()
                break
            except IndexUnavailable:
                # A build may have switched generations (and removed ours) while we read.
                if attempt == 2 or not self._switched():
                    raise
        self._keyword = None
        self._keyword_lock = threading.Lock()
        self.load_seconds = time.perf_counter() - started

    def _switched(self) -> bool:
        try:
            return read_manifest(self.folder)["generation"] != self.manifest["generation"]
        except IndexUnavailable:
            return False

    def _load(self) -> None:
        import faiss

        files, count = self.manifest["files_in_index"], self.manifest["count"]
        self.verify(full=False)
        self.vectors = read_file(self.folder / files["vectors"], lambda p: faiss.read_index(str(p)))
        self.matrix = read_file(self.folder / files["matrix"], map_matrix)
        if self.matrix.shape != (self.vectors.ntotal, self.vectors.d) or self.matrix.dtype != np.float32:
            raise IndexUnavailable(f"{self.folder / files['matrix']}: wrong shape for the vectors; {FIX}")
        self.rows = read_file(self.folder / files["matrix"], lambda p: RowReader(p, self.matrix))
        stats = read_file(self.folder / files["stats"], read_stats)
        self.mean, self.cov, self.raw_density = stats.mean, stats.cov, stats.density
        self.language_moments = stats.languages
        self.passages = read_file(self.folder / files["passages"], _read_passages)
        self.articles = read_file(
            self.folder / files["articles"], lambda p: _read_articles(p, signatures=self._signatures)
        )
        self._keyword_dir = self.folder / files["keyword"]
        dim = self.manifest.get("dimension") or self.vectors.d
        if self.vectors.ntotal != count or len(self.passages) != count or self.vectors.d != dim:
            raise IndexUnavailable(
                f"{self.folder}: {MANIFEST} says {count} passages of dimension {dim}, {files['vectors']} "
                f"holds {self.vectors.ntotal} of {self.vectors.d}, {files['passages']} "
                f"{len(self.passages)}; {FIX}"
            )
        if self.mean.shape != (self.vectors.d,) or self.cov.shape != (self.vectors.d, self.vectors.d):
            raise IndexUnavailable(f"{self.folder / files['stats']}: wrong shape for the vectors; {FIX}")
        for row in self.passages:
            article = self.articles.get(row.article_id)
            if article is None or not 0 <= row.start <= row.end <= len(article.body):
                raise IndexUnavailable(
                    f"{self.folder / files['passages']}: passage {row.passage_id} does not point into "
                    f"an article of {files['articles']}; {FIX}"
                )

    def verify(self, *, full: bool = True) -> None:
        """Check every data file against the manifest (``manifest.verify``)."""
        manifest.verify(self.folder, self.manifest, full=full)

    @property
    def keyword(self):
        """The BM25 index, loaded on first use (dense-only searches never need it)."""
        with self._keyword_lock:
            if self._keyword is None:
                from app.index.keyword import KeywordIndex

                self._keyword = read_file(self._keyword_dir, KeywordIndex.load)
            return self._keyword

    def text(self, row: PassageRow) -> str:
        return self.articles[row.article_id].body[row.start : row.end]

    @property
    def density(self) -> np.ndarray | None:
        """Each passage's hubness density as z over the corpus (None when the index was
        built without it): what ``fusion.hybrid`` subtracts."""
        if "_density" not in self.__dict__:
            self.__dict__["_density"] = density.standardised(self.raw_density, len(self.passages))
        return self.__dict__["_density"]

    @property
    def language_groups(self) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]] | None:
        """For a mixed archive: each passage's group number and each group's moments
        (``fusion.dense_z``); None when the corpus moments serve every passage. Passages
        in a language without moments of its own take the corpus's (the last group)."""
        if not self.language_moments:
            return None
        if "_groups" not in self.__dict__:
            codes = list(self.language_moments)
            index = {c: i for i, c in enumerate(codes)}
            other = len(codes)
            rows = np.fromiter(
                (index.get(self.articles[r.article_id].language, other) for r in self.passages),
                dtype=np.int32,
                count=len(self.passages),
            )
            moments = [self.language_moments[c] for c in codes] + [(self.mean, self.cov)]
            self.__dict__["_groups"] = (rows, moments)
        return self.__dict__["_groups"]

    @property
    def newest(self) -> datetime | None:
        """The newest publication date among the articles (cached): "as of" for
        relative dates in questions."""
        if "_newest" not in self.__dict__:
            dates = [a.published for a in self.articles.values() if a.published]
            self.__dict__["_newest"] = max(dates) if dates else None
        return self.__dict__["_newest"]

    def row_of(self, passage_id: str) -> int:
        """The vector row of a passage (the map is built on first use)."""
        rows = self.__dict__.get("_rows")
        if rows is None:
            rows = self.__dict__["_rows"] = {p.passage_id: i for i, p in enumerate(self.passages)}
        return rows[passage_id]

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` rows nearest ``query`` (one unit vector): (scores, rows), best first.
        Exact for a flat index; for IVF-SQ8 the rows found are re-scored exactly from the
        matrix, so scores are cosines whatever the index kind."""
        scores, rows = self.vectors.search(np.asarray(query, dtype=np.float32)[None, :], k)
        scores, rows = scores[0], rows[0]
        if self.manifest.get("index_kind", "flat") != "flat":
            rows = rows[rows >= 0]
            exact = np.asarray(self.rows(rows) @ query, dtype=np.float32)
            order = np.lexsort((rows, -exact))
            scores, rows = exact[order], rows[order]
        return scores, rows

    def vector(self, i: int) -> np.ndarray:
        """Row ``i``'s exact vector (read from the matrix file, whatever the index kind).
        ``rows(ids)`` reads several: (len(ids), dim) float32."""
        return self.rows([int(i)])[0]

    def all_vectors(self) -> np.ndarray:
        """All vectors, (count, dim) float32, memory-mapped read-only: rows are read from
        disk when used, so holding it costs no memory until rows are indexed."""
        return self.matrix


def _read_passages(path: Path) -> list[PassageRow]:
    """Passage rows; the article id string is shared by its passages (interned), not
    one copy a row: ~70 bytes a passage at scale."""
    shared: dict[str, str] = {}
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                r = json.loads(line)
                article = shared.setdefault(r["article_id"], r["article_id"])
                rows.append(PassageRow(r["passage_id"], article, r["paragraph"], r["start"], r["end"]))
    return rows


def _read_articles(path: Path, *, signatures: bool) -> dict[str, StoredArticle]:
    with open(path, encoding="utf-8") as handle:
        articles = (
            StoredArticle.from_dict(json.loads(line), signature=signatures) for line in handle if line.strip()
        )
        return {a.article_id: a for a in articles}
