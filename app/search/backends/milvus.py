"""The backend over a Milvus index (``milvus:./x.db`` or ``milvus:http://HOST:19530``).

Milvus searches (dense with its vector index, keyword with its BM25 function over
newsdesk's own terms) and applies the filters while searching, as an expression over
the passages' language, outlet and dates. Everything else is read from what the ingest
kept (``app.engines.milvus.stats``): the dense moments exactly, the keyword moments
from the per-term sums (mean exact, deviation estimated), the hubness z from the
densities' sums. Milvus' BM25 is (k1 + 1) times bm25s' score; it is scaled back, so
scores read as the local backend's. Articles are cached per opened index (a rebuilt
index is opened again by the retriever).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

import numpy as np

from app.engines.location import MilvusLocation
from app.engines.milvus.schema import SEARCH_EF
from app.engines.milvus.stats import MILVUS_BM25_SCALE, Stats, encode_terms, keyword_moments
from app.engines.milvus.store import MilvusStore, quoted
from app.index.errors import IndexUnavailable
from app.index.keyword import term_key
from app.index.rows import PassageRow
from app.search.backend import CandidateRows, Candidates, DenseMoments, KeywordCandidates
from app.search.filters import Filters
from app.text.terms import keyword_terms
from app.types import StoredArticle

ROW_FIELDS = ["id", "article_id", "paragraph", "start", "stop", "vector", "density", "language"]
MAX_LIMIT = 16384  # Milvus' largest top-k
ROW_CACHE = 4096  # passage rows kept between calls (a hybrid query reads ~200)


def expression(filters: Filters) -> str:
    """``Filters`` as a Milvus filter expression ("" for none). A bare date compares the
    article's own calendar day (``published_day``), a timestamp the instant; a date
    filter leaves undated articles out, as ``Filters.allows`` does."""
    parts = []
    if filters.outlets:
        parts.append(f"source_key in {quoted(sorted(filters.outlets))}")
    if filters.languages:
        parts.append(f"language in {quoted(sorted(filters.languages))}")
    for bound, op in ((filters.since, ">="), (filters.until, "<=")):
        if bound is None:
            continue
        parts.append("dated == true")
        if isinstance(bound, datetime):
            parts.append(f"published {op} {bound.timestamp()!r}")
        else:
            parts.append(f"published_day {op} {int(bound.strftime('%Y%m%d'))}")
    return " and ".join(dict.fromkeys(parts))


class MilvusBackend:
    parallel_keyword = False  # one request at a time on the client (Milvus Lite: one file)

    def __init__(self, location: MilvusLocation):
        self.store = MilvusStore(location)
        self.location = str(location)
        self.folder = Where(self.location)  # what the page shows as "index ...", as for a folder
        record = self.store.get_json("record") if self.store.exists() else None
        stats = self.store.get_blob("stats") if record else None
        if record is None or stats is None:
            raise IndexUnavailable(
                f"{location}: no newsdesk index there; build one with `newsdesk build --out {location}`"
            )
        for name in self.store.names.values():
            self.store.call("load_collection", name)  # a reopened collection starts released
        self.manifest = record
        self.count, self.dim = int(record["count"]), int(record["dimension"])
        self.stats = Stats.from_bytes(stats)
        mean, cov = self.stats.moments.moments()
        by_language = self.stats.moments.by_language()
        self._codes = {c: g for g, c in enumerate(by_language)}
        groups = [by_language[c] for c in by_language] + [(mean, cov)] if by_language else None
        companion = self.stats.companion.moments() if self.stats.companion is not None else None
        self._moments = DenseMoments(mean, cov, groups, companion)
        self._fields = ROW_FIELDS + (["companion"] if record.get("companion") else [])
        self._density = self.stats.density_moments()
        self._rows: dict[str, dict] = {}
        self._articles: dict[str, StoredArticle] = {}
        self._stories: dict[str, list[str]] = {}
        self.articles = MilvusArticles(self)

    @property
    def newest(self) -> datetime | None:
        value = self.manifest.get("newest")
        return datetime.fromisoformat(value) if value else None

    def stamp(self) -> object:
        return (self.store.get_json("generation") or {}).get("generation")

    def dense(self, query: np.ndarray, k: int, filters: Filters) -> Candidates:
        limit = min(k, MAX_LIMIT)
        found = self.store.call(
            "search", self.store.names["passages"], data=[np.asarray(query, np.float32).tolist()],
            anns_field="vector", limit=limit, filter=expression(filters), output_fields=["id"],
            search_params={"metric_type": "IP", "params": {"ef": max(SEARCH_EF, limit)}},
        )  # fmt: skip
        hits = found[0] if found else []
        return Candidates(
            np.array([h["id"] for h in hits], dtype=str), np.array([h["distance"] for h in hits], np.float32)
        )

    def keyword(self, text: str, k: int, filters: Filters) -> KeywordCandidates:
        terms = keyword_terms([text])[0]
        if not terms or not self.count:
            return KeywordCandidates(np.zeros(0, str), np.zeros(0, np.float32), 0.0, 0.0, _zeros)
        query = encode_terms(terms)
        keys, scores = self._bm25(query, min(k, MAX_LIMIT), expression(filters))
        table = self.store.get_terms([term_key(t) for t in set(terms)])
        mean, std = keyword_moments(terms, table, self.stats.n)
        known = dict(zip(keys.tolist(), scores.tolist(), strict=True))

        def score_of(wanted: np.ndarray) -> np.ndarray:
            missing = [w for w in wanted.tolist() if w not in known]
            for start in range(0, len(missing), 1000):
                part = missing[start : start + 1000]
                got = self._bm25(query, len(part), f"id in {quoted(part)}")
                known.update(zip(got[0].tolist(), got[1].tolist(), strict=True))
            return np.array([known.get(w, 0.0) for w in wanted.tolist()], dtype=np.float32)

        return KeywordCandidates(keys, scores, mean, std, score_of)

    def _bm25(self, query: str, limit: int, where: str) -> tuple[np.ndarray, np.ndarray]:
        found = self.store.call(
            "search", self.store.names["passages"], data=[query], anns_field="sparse", limit=limit,
            filter=where, output_fields=["id"], search_params={"metric_type": "BM25"},
        )  # fmt: skip
        hits = found[0] if found else []
        scores = np.array([abs(h["distance"]) / MILVUS_BM25_SCALE for h in hits], dtype=np.float32)
        return np.array([h["id"] for h in hits], dtype=str), scores

    def _fetch(self, keys: Sequence[str]) -> list[dict]:
        """Passage rows, vectors as float32 arrays; the last few thousand are kept, for
        the hits of the query that fetched them (a row of Python floats is ~12 KB)."""
        if len(self._rows) > ROW_CACHE:
            self._rows.clear()
        missing = [k for k in keys if k not in self._rows]
        if missing:
            for key, row in self.store.get_passages(missing, self._fields).items():
                row["vector"] = np.asarray(row["vector"], dtype=np.float32)
                if "companion" in row:
                    row["companion"] = np.asarray(row["companion"], dtype=np.float32)
                self._rows[key] = row
        return [self._rows[k] for k in keys]

    def rows(self, keys: np.ndarray, companion: bool = False) -> CandidateRows:
        rows = self._fetch(list(keys.tolist()))
        vectors = _stack(rows, "vector", self.dim)
        density = None
        if self._density is not None:
            mean, std = self._density
            density = ((np.array([r["density"] for r in rows]) - mean) / std).astype(np.float32)
        groups = None
        if self._codes:
            other = len(self._codes)
            groups = np.array([self._codes.get(r["language"], other) for r in rows], dtype=np.int32)
        return CandidateRows(vectors, density, groups, _stack(rows, "companion", None) if companion else None)

    def moments(self) -> DenseMoments:
        return self._moments

    def passages(self, keys: np.ndarray) -> list[PassageRow]:
        return [
            PassageRow(r["id"], r["article_id"], int(r["paragraph"]), int(r["start"]), int(r["stop"]))
            for r in self._fetch(list(keys.tolist()))
        ]

    def article_records(self, article_ids: Sequence[str]) -> dict[str, StoredArticle]:
        if len(self._articles) > ROW_CACHE:  # as the local segments' article cache
            self._articles.clear()
            self._stories.clear()
        missing = [a for a in dict.fromkeys(article_ids) if a not in self._articles]
        if missing:
            found = self.store.get_articles(missing)
            self._articles.update(found)
            # their stories' members in the same breath: folding copies asks for each
            stories = sorted({a.story_id for a in found.values()} - set(self._stories))
            members = self.store.story_members(stories) if stories else {}
            self._stories.update({s: members.get(s, []) for s in stories})
        return {a: self._articles[a] for a in article_ids if a in self._articles}

    def story_members(self, story_id: str) -> list[str]:
        if story_id not in self._stories:
            self._stories[story_id] = self.store.story_members([story_id]).get(story_id, [])
        return self._stories[story_id]

    def passage_vectors(self, passage_ids: Sequence[str], companion: bool = False) -> np.ndarray:
        rows = self._fetch(list(passage_ids))
        return _stack(rows, "companion", None) if companion else _stack(rows, "vector", self.dim)


class Where(str):
    """A URI that reads like a folder where the page names one (``.name``)."""

    @property
    def name(self) -> str:
        return str(self)


def _stack(rows: list[dict], field: str, dim: int | None) -> np.ndarray:
    """One vector field of some passage rows as an (n, dim) float32 matrix."""
    return np.asarray([r[field] for r in rows], dtype=np.float32).reshape(len(rows), -1 if rows else dim or 0)


def _zeros(keys: np.ndarray) -> np.ndarray:
    return np.zeros(len(keys), dtype=np.float32)


class MilvusArticles(Mapping):
    """The live articles by id; iterating reads every article id (fine for the page's
    outlet list at thousands, not at millions)."""

    def __init__(self, backend: MilvusBackend):
        self._backend = backend

    def __getitem__(self, article_id: str) -> StoredArticle:
        found = self._backend.article_records([article_id])
        if article_id not in found:
            raise KeyError(article_id)
        return found[article_id]

    def __len__(self) -> int:
        return int(self._backend.manifest.get("articles", 0))

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(r["article_id"] for r in self._backend.store.article_index()))

    def values(self):  # type: ignore[override]
        ids = list(self)
        found = self._backend.article_records(ids)
        return [found[i] for i in ids if i in found]
