"""One segment of an index: an immutable folder holding the vectors, passages, articles
and keyword postings of some of its articles. An index is a list of segments (a base
and the deltas later builds appended) plus its generation's state (``app.index.state``).

Layout of ``seg-<id>/`` (a new random id for every segment written, so a segment a
manifest lists is never replaced or rewritten)::

    segment.json          counts, FAISS index kind, the outlets named by ``outlet.npy``
    vectors.faiss         FAISS inner-product index (flat, or IVF-SQ8 past FLAT_MAX_PASSAGES)
    matrix.npy            the exact vectors, float32, one row a passage
    sums.npz              per language: passage count, sum of vectors, sum of outer products
    companion.npy         with a companion model (``models.BOTH``): its vectors, float32,
                          one row a passage (zeros where it embeds nothing: not English),
                          and companion-sums.npz, their moment sums (one group, "all")
    passage-ids.npy       passage ids (fixed-width bytes) and -order.npy, their sort order
    spans.npy             int32 (passages, 4): article row, paragraph, start, end
    article-ids.npy       article ids and -order.npy
    bodies.bin            article bodies, UTF-8, with bodies-offsets.npy
    meta.bin              each article's other fields as one JSON object, with offsets
    minhash.npy           uint32 (articles, 64): MinHash signatures (``app.news.syndication``)
    published.npy         float64 publication time, UTC seconds (NaN: undated)
    language.npy          language code of each article
    outlet.npy            int32 index into segment.json's outlets (-1: none)
    reuse-v1.json         each article's file, line and duplicate keys (``app.index.reuse``;
                          the one file added later: to a segment written before it, once)
    keyword/              BM25 postings (``app.index.keyword``)

Everything but the FAISS index and the small files is memory-mapped; an article's JSON
is parsed only when the article is used. Knows nothing of tombstones or stories.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.index import columns
from app.index.files import fsync_dir, sha256
from app.index.keyword import KeywordPostings
from app.index.vectors import RowReader, companion_sums, index_kind, make_index, moment_sums
from app.news import syndication
from app.types import StoredArticle

SEGMENT_INFO = "segment.json"
ARTICLE_CACHE = 4096  # parsed articles kept per segment (a query uses a few dozen)
# Fields of a stored article kept in columns of their own, not in its JSON.
_COLUMNS = ("body", "minhash", "story")


@dataclass(frozen=True)
class SegmentParts:
    """What a new segment holds, in row order: the passages (id; article row within
    these ``articles``, paragraph, start, end; vector) and their articles, with the
    passages' keyword postings."""

    passage_ids: list[str]
    spans: np.ndarray  # (passages, 4) int32
    vectors: np.ndarray  # (passages, dim) float32
    articles: list[StoredArticle]
    postings: KeywordPostings
    companion: np.ndarray | None = None  # (passages, dim) float32: the companion model's


def write_segment(folder: Path, parts: SegmentParts, *, trained=None) -> tuple[str, dict[str, str]]:
    """Write ``parts`` as a new segment of the index ``folder``: staged, synced, then
    renamed into place whole. Returns its name and its files' sha256 (by path relative
    to ``folder``). ``trained``: an earlier IVF index whose cells may be reused."""
    import faiss

    staging = folder / f".tmp-seg-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    try:
        vectors = np.ascontiguousarray(parts.vectors, dtype=np.float32)
        kind = index_kind(len(vectors))
        faiss.write_index(make_index(vectors, kind, trained=trained), str(staging / "vectors.faiss"))
        np.save(staging / "matrix.npy", vectors)
        articles = parts.articles
        language = np.array([a.language for a in articles], dtype=object)
        passage_language = language[parts.spans[:, 0]] if len(parts.spans) else np.zeros(0, dtype=object)
        np.savez(staging / "sums.npz", **moment_sums(vectors, passage_language))
        if parts.companion is not None:
            companion = np.ascontiguousarray(parts.companion, dtype=np.float32)
            np.save(staging / "companion.npy", companion)
            np.savez(staging / "companion-sums.npz", **companion_sums(companion))
        columns.write_ids(staging, "passage-ids", parts.passage_ids)
        np.save(staging / "spans.npy", np.asarray(parts.spans, dtype=np.int32).reshape(-1, 4))
        _write_articles(staging, articles)
        info = {"passages": len(vectors), "articles": len(articles), "outlets": _outlets(articles)}
        (staging / SEGMENT_INFO).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        parts.postings.save(staging / "keyword")
        checksums = {
            path.relative_to(staging).as_posix(): sha256(path, sync=True)
            for path in sorted(p for p in staging.rglob("*") if p.is_file())
        }
        name = f"seg-{uuid.uuid4().hex[:12]}"  # new every time: a listed segment is never replaced
        os.replace(staging, folder / name)
        fsync_dir(folder)
        return name, {f"{name}/{path}": digest for path, digest in checksums.items()}
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _outlets(articles: list[StoredArticle]) -> list[str]:
    return sorted({a.source for a in articles if a.source})


def _write_articles(folder: Path, articles: list[StoredArticle]) -> None:
    outlet_index = {o: i for i, o in enumerate(_outlets(articles))}
    columns.write_ids(folder, "article-ids", [a.article_id for a in articles])
    columns.write_texts(folder, "bodies", [a.body for a in articles])
    metas = []
    for a in articles:
        record = a.to_dict()
        for name in _COLUMNS:
            record.pop(name, None)
        metas.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    columns.write_texts(folder, "meta", metas)
    minhash = np.zeros((len(articles), syndication.NUM_PERM), dtype=np.uint32)
    for i, a in enumerate(articles):
        if a.minhash:
            minhash[i] = syndication.decode(a.minhash).astype(np.uint32)
    np.save(folder / "minhash.npy", minhash)
    published = [a.published.timestamp() if a.published else np.nan for a in articles]
    np.save(folder / "published.npy", np.asarray(published, dtype=np.float64))
    np.save(
        folder / "language.npy", np.array([a.language.encode() for a in articles], dtype=bytes).reshape(-1)
    )
    np.save(
        folder / "outlet.npy", np.array([outlet_index.get(a.source, -1) for a in articles], dtype=np.int32)
    )
    from app.index.reuse import reuse_columns, write_reuse  # build only: readers need no app.sources

    write_reuse(folder, reuse_columns(articles))


class Segment:
    """A segment opened for reading. Read-only; safe to share between threads."""

    def __init__(self, folder: Path):
        import faiss

        self.folder = Path(folder)
        info = self.info(self.folder)
        self.outlets: list[str] = info["outlets"]
        # memory-mapped: opening a 1M-passage IVF index reads nothing (0.6 s -> 0.02 s);
        # the cells a query probes are paged in on use (the file never changes: a segment
        # is immutable, and checked against the manifest before it is opened)
        self.vectors = faiss.read_index(str(self.folder / "vectors.faiss"), faiss.IO_FLAG_MMAP)
        self.matrix = np.load(self.folder / "matrix.npy", mmap_mode="r")
        self.rows = RowReader(self.folder / "matrix.npy", self.matrix)
        self.passage_ids = columns.Ids(self.folder, "passage-ids")
        self.spans = np.load(self.folder / "spans.npy", mmap_mode="r")
        self.article_ids = columns.Ids(self.folder, "article-ids")
        self.bodies = columns.Texts(self.folder, "bodies")
        self.meta = columns.Texts(self.folder, "meta")
        self.minhash = np.load(self.folder / "minhash.npy", mmap_mode="r")
        self.published = np.load(self.folder / "published.npy", mmap_mode="r")
        self.language = np.load(self.folder / "language.npy", mmap_mode="r")
        self.outlet = np.load(self.folder / "outlet.npy", mmap_mode="r")
        with np.load(self.folder / "sums.npz") as sums:
            self.sums = {k: sums[k] for k in sums.files}
        self.companion = self.companion_rows = self.companion_sums = None
        if (self.folder / "companion.npy").is_file():
            self.companion = np.load(self.folder / "companion.npy", mmap_mode="r")
            self.companion_rows = RowReader(self.folder / "companion.npy", self.companion)
            with np.load(self.folder / "companion-sums.npz") as sums:
                self.companion_sums = {k: sums[k] for k in sums.files}
        self._postings: KeywordPostings | None = None
        # caches per segment object (a method-level cache would keep old indexes alive)
        self.article = lru_cache(maxsize=ARTICLE_CACHE)(self._article)
        self.body = lru_cache(maxsize=ARTICLE_CACHE)(self.bodies.__getitem__)
        self._check()

    def _check(self) -> None:
        n, a = len(self.passage_ids), len(self.article_ids)
        sizes = {
            "matrix.npy": self.matrix.shape[0],
            "vectors.faiss": self.vectors.ntotal,
            "spans.npy": len(self.spans),
        }
        if self.companion is not None:
            sizes["companion.npy"] = self.companion.shape[0]
        for name, size in sizes.items():
            if size != n:
                raise ValueError(f"{name} holds {size} rows, passage-ids.npy {n}")
        for name, column in (
            ("bodies", self.bodies),
            ("meta", self.meta),
            ("minhash.npy", self.minhash),
            ("published.npy", self.published),
            ("language.npy", self.language),
            ("outlet.npy", self.outlet),
        ):
            if len(column) != a:
                raise ValueError(f"{name} holds {len(column)} articles, article-ids.npy {a}")
        if n and (self.spans[:, 0].min() < 0 or self.spans[:, 0].max() >= a):
            raise ValueError("spans.npy points outside the segment's articles")

    def __len__(self) -> int:
        return len(self.passage_ids)

    @staticmethod
    def info(folder: Path) -> dict:
        """A segment's ``segment.json``: passage and article counts, outlets."""
        return json.loads((Path(folder) / SEGMENT_INFO).read_text(encoding="utf-8"))

    @property
    def kind(self) -> str:
        return index_kind(len(self))

    def trained_index(self):
        """The FAISS index read whole: what a merge reuses the IVF cells of (the
        memory-mapped one's inverted lists cannot be cloned)."""
        import faiss

        return faiss.read_index(str(self.folder / "vectors.faiss"))

    @property
    def postings(self) -> KeywordPostings:
        if self._postings is None:
            self._postings = KeywordPostings.load(self.folder / "keyword")
        return self._postings

    def _article(self, row: int, story: str | None = None, signature: bool = False) -> StoredArticle:
        record = json.loads(self.meta[row])
        record["body"] = self.bodies[row]
        record["story"] = story
        record["minhash"] = syndication.encode(np.asarray(self.minhash[row])) if signature else None
        return StoredArticle.from_dict(record)

    def text(self, row: int) -> str:
        """Passage ``row``'s text: a slice of its article's body."""
        article, _, start, end = (int(x) for x in self.spans[row])
        return self.body(article)[start:end]

    def search(self, query: np.ndarray, k: int, live: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` live rows nearest ``query``: (scores, rows), best first; scores are
        exact cosines (an IVF-SQ8 index's hits are re-scored from the matrix).
        ``live``: the rows that may be returned (None: all)."""
        import faiss

        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        params = None
        if live is not None:
            bits = np.packbits(live, bitorder="little")
            selector = faiss.IDSelectorBitmap(len(live), faiss.swig_ptr(bits))
            ivf = faiss.try_extract_index_ivf(self.vectors) if self.kind != "flat" else None
            params = (
                faiss.SearchParametersIVF(sel=selector, nprobe=ivf.nprobe)
                if ivf is not None
                else faiss.SearchParameters(sel=selector)
            )
        scores, rows = self.vectors.search(np.asarray(query, dtype=np.float32)[None, :], k, params=params)
        scores, rows = scores[0], rows[0]
        keep = rows >= 0
        scores, rows = scores[keep], rows[keep]
        if self.kind != "flat":
            scores = np.asarray(self.rows(rows) @ query, dtype=np.float32)
            order = np.lexsort((rows, -scores))
            scores, rows = scores[order], rows[order]
        return scores, rows
