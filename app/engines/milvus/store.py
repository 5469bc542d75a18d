"""Rows in and out of the Milvus collections (``schema``): passages, article records,
term statistics and named blobs. Every call names its output fields (Milvus returns
every field otherwise, vectors included) and fails as ``IndexUnavailable`` naming the
URI. Knows nothing of fusion or of how a build decides what changed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields

import numpy as np

from app.engines.location import MilvusLocation
from app.engines.milvus import client as milvus_client
from app.engines.milvus import schema
from app.index.errors import IndexUnavailable
from app.types import Article, StoredArticle

BATCH = 1000  # rows a call: well under Milvus' 64 MB message limit at 384-d
PIECE = 16_000  # characters of an article record a row: <= 64,000 UTF-8 bytes
DUMMY = [0.0] * schema.DUMMY_DIM
QUERY_LIMIT = 16_384  # Milvus' largest query or search limit
PASSAGE_FIELDS = ["id", "article_id", "paragraph", "start", "stop", "density", "language"]


def fingerprint(article: Article) -> str:
    """A hash of an article as read: a build re-indexes an article whose hash changed."""
    record = {f.name: getattr(article, f.name) for f in fields(Article)}
    text = json.dumps(record, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def signed(key: int) -> int:
    """A uint64 term key as the INT64 Milvus stores."""
    return key - (1 << 64) if key >= 1 << 63 else key


def quoted(values: Iterable[str]) -> str:
    """A list literal for a filter expression (templates are not supported by Lite)."""
    return json.dumps([str(v) for v in values], ensure_ascii=False)


class MilvusStore:
    """The collections of one ``MilvusLocation``. Thread-safe as pymilvus' client is."""

    def __init__(self, location: MilvusLocation, *, create: bool = False):
        self.location = location
        self.client = milvus_client.connect(location, create=create)
        self.names = schema.names(location.prefix)

    def call(self, method: str, *args, **kwargs):
        """``client.<method>(...)`` with failures as one line naming the URI."""
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except IndexUnavailable:
            raise
        except Exception as err:  # grpc, pymilvus and network errors alike
            milvus_client.forget(self.location)
            raise milvus_client.unavailable(self.location, err) from None

    def exists(self) -> bool:
        return bool(self.call("has_collection", self.names["meta"]))

    def create(self, dim: int, companion_dim: int | None = None) -> None:
        try:
            schema.create(
                self.client, self.location.prefix, dim, lite=self.location.lite, companion_dim=companion_dim
            )
        except Exception as err:
            raise milvus_client.unavailable(self.location, err) from None

    def drop(self) -> None:
        for name in self.names.values():
            if self.call("has_collection", name):
                self.call("drop_collection", name)

    def flush(self) -> None:
        for name in self.names.values():
            self.call("flush", name)

    # -- blobs ---------------------------------------------------------------------------

    def get_blob(self, name: str) -> bytes | None:
        rows = self.call(
            "query", self.names["meta"], filter=f'key like "{name}:%"', output_fields=["key", "data"]
        )
        if not rows:
            return None
        rows.sort(key=lambda r: int(r["key"].rsplit(":", 1)[1]))
        count = int(rows[0]["data"].split(":", 1)[0])
        if len(rows) != count + 1:
            return None  # a write was interrupted: treat as missing
        return base64.b64decode("".join(r["data"] for r in rows[1:]))

    def put_blob(self, name: str, data: bytes) -> None:
        text = base64.b64encode(data).decode("ascii")
        pieces = [text[i : i + 60_000] for i in range(0, len(text), 60_000)] or [""]
        self.call("delete", self.names["meta"], filter=f'key like "{name}:%"')
        rows = [{"key": f"{name}:{i + 1}", "data": p, "v": DUMMY} for i, p in enumerate(pieces)]
        rows.append({"key": f"{name}:0", "data": f"{len(pieces)}:", "v": DUMMY})  # last: marks complete
        for start in range(0, len(rows), 20):
            self.call("insert", self.names["meta"], rows[start : start + 20])

    def get_json(self, name: str) -> dict | None:
        data = self.get_blob(name)
        return json.loads(data) if data is not None else None

    def put_json(self, name: str, value: dict) -> None:
        self.put_blob(name, json.dumps(value, ensure_ascii=False).encode("utf-8"))

    # -- passages ------------------------------------------------------------------------

    def upsert_passages(self, rows: list[dict]) -> None:
        for start in range(0, len(rows), BATCH):
            batch = [{**r, "vector": np.asarray(r["vector"]).tolist()} for r in rows[start : start + BATCH]]
            self.call("upsert", self.names["passages"], batch)

    def delete_passages(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), BATCH):
            self.call("delete", self.names["passages"], ids=list(ids[start : start + BATCH]))

    def get_passages(self, ids: Sequence[str], output: list[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for start in range(0, len(ids), BATCH):
            part = list(ids[start : start + BATCH])
            for row in self.call("get", self.names["passages"], ids=part, output_fields=output):
                found[row["id"]] = row
        return found

    def passages_of(self, article_ids: Sequence[str], output: list[str]) -> list[dict]:
        out: list[dict] = []
        for start in range(0, len(article_ids), 200):
            where = f"article_id in {quoted(article_ids[start : start + 200])}"
            out += self.scan("passages", where, output, few=True)
        return out

    def scan(self, kind: str, where: str, output: list[str], *, few: bool = False) -> list[dict]:
        """Every row of a collection matching ``where`` (any count). ``few``: expected
        under Milvus' 16,384-row limit, so one query call (an iterator if not)."""
        if few:
            rows = self.call("query", self.names[kind], filter=where, output_fields=output, limit=QUERY_LIMIT)
            if len(rows) < QUERY_LIMIT:
                return rows
        return [row for batch in self.batches(kind, where, output) for row in batch]

    def batches(self, kind: str, where: str, output: list[str]) -> Iterator[list[dict]]:
        """The rows of a collection matching ``where``, ``BATCH`` at a time (a caller that
        keeps arrays, not dicts, holds a whole collection's vectors in little memory)."""
        try:
            it = self.client.query_iterator(
                self.names[kind], batch_size=BATCH, filter=where, output_fields=output
            )
        except Exception as err:
            raise milvus_client.unavailable(self.location, err) from None
        while True:
            batch = it.next()
            if not batch:
                it.close()
                return
            yield batch

    def has_field(self, kind: str, field: str) -> bool:
        """Whether a collection's schema holds ``field`` (one built by an older newsdesk
        may not)."""
        return field in self.written_fields(kind)

    def written_fields(self, kind: str) -> list[str]:
        """The fields a row of a collection is written with (its schema's, less those a
        function fills: BM25's sparse vector): what an upsert of a whole row reads back."""
        described = self.call("describe_collection", self.names[kind])
        return [f["name"] for f in described["fields"] if not f.get("is_function_output")]

    def count(self) -> int:
        rows = self.call("query", self.names["passages"], filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    # -- articles ------------------------------------------------------------------------

    def put_articles(self, articles: list[StoredArticle], prints: dict[str, str]) -> None:
        rows = []
        for a in articles:
            record = a.to_dict()
            minhash, story = record.pop("minhash") or "", record.pop("story") or a.article_id
            text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
            pieces = [text[i : i + PIECE] for i in range(0, len(text), PIECE)]
            for part, piece in enumerate(pieces):
                rows.append(
                    {
                        "key": f"{a.article_id}:{part}",
                        "article_id": a.article_id,
                        "part": part,
                        "story": story,
                        "fingerprint": prints.get(a.article_id, "") if part == 0 else "",
                        "minhash": minhash if part == 0 else "",
                        "data": piece,
                        "v": DUMMY,
                    }
                )
        rows.sort(key=lambda r: -r["part"])  # the first piece (with the fingerprint) last
        for start in range(0, len(rows), 200):
            self.call("upsert", self.names["articles"], rows[start : start + 200])

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        for start in range(0, len(article_ids), 200):
            where = f"article_id in {quoted(article_ids[start : start + 200])}"
            self.call("delete", self.names["articles"], filter=where)

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, StoredArticle]:
        pieces: dict[str, list[tuple[int, str]]] = {}
        stories: dict[str, str] = {}
        for start in range(0, len(article_ids), 200):
            where = f"article_id in {quoted(article_ids[start : start + 200])}"
            for row in self.scan("articles", where, ["article_id", "part", "story", "data"], few=True):
                pieces.setdefault(row["article_id"], []).append((row["part"], row["data"]))
                if row["part"] == 0:
                    stories[row["article_id"]] = row["story"]
        out = {}
        for article_id, parts in pieces.items():
            parts.sort()
            if article_id not in stories or [p for p, _ in parts] != list(range(len(parts))):
                continue  # an interrupted write: the next build writes it again
            record = json.loads("".join(text for _, text in parts))
            story = stories[article_id]
            record["story"] = None if story == article_id else story
            out[article_id] = StoredArticle.from_dict(record, signature=False)
        return out

    def article_index(self) -> list[dict]:
        """Every stored article's id, fingerprint, story and MinHash signature."""
        return self.scan("articles", "part == 0", ["article_id", "fingerprint", "story", "minhash"])

    def set_stories(self, stories: dict[str, str]) -> None:
        """Change the story of some articles (their first record row is rewritten)."""
        ids = list(stories)
        for start in range(0, len(ids), 200):
            keys = [f"{i}:0" for i in ids[start : start + 200]]
            rows = self.call("get", self.names["articles"], ids=keys, output_fields=["*"])
            for row in rows:
                row["story"] = stories[row["article_id"]]
            if rows:
                self.call("upsert", self.names["articles"], rows)

    def story_members(self, stories: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if stories:
            where = f"part == 0 and story in {quoted(stories)}"
            for row in self.scan("articles", where, ["article_id", "story"], few=True):
                out.setdefault(row["story"], []).append(row["article_id"])
        return {s: sorted(m) for s, m in out.items()}

    # -- term statistics -----------------------------------------------------------------

    def get_terms(self, keys: Sequence[int]) -> dict[int, tuple[int, float, float]]:
        out = {}
        wanted = [signed(int(k)) for k in keys]
        for start in range(0, len(wanted), BATCH):
            rows = self.call(
                "get",
                self.names["terms"],
                ids=wanted[start : start + BATCH],
                output_fields=["df", "s1", "s2"],
            )
            for row in rows:
                out[int(row["key"]) % (1 << 64)] = (int(row["df"]), float(row["s1"]), float(row["s2"]))
        return out

    def put_terms(self, table: dict[int, tuple[int, float, float]]) -> None:
        """Write term rows (a df of 0 deletes the term)."""
        gone = [signed(k) for k, (df, _, _) in table.items() if df <= 0]
        rows = [
            {"key": signed(k), "df": df, "s1": s1, "s2": s2, "v": DUMMY}
            for k, (df, s1, s2) in table.items()
            if df > 0
        ]
        for start in range(0, len(rows), BATCH * 5):
            self.call("upsert", self.names["terms"], rows[start : start + BATCH * 5])
        for start in range(0, len(gone), BATCH):
            self.call("delete", self.names["terms"], ids=gone[start : start + BATCH])

    def clear_terms(self) -> None:
        self.call("delete", self.names["terms"], filter="key != 0 or key == 0")


def vectors_of(rows: list[dict], dim: int) -> np.ndarray:
    return np.asarray([r["vector"] for r in rows], dtype=np.float32).reshape(len(rows), dim)
