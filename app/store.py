"""The index folder: vectors in FAISS, the passage and article stores, BM25, a manifest.

Layout of ``embeddings/`` (every data file carries the generation id of its build)::

    manifest.json              readable: format, model, dimension, count, source files
    vectors-<gen>.faiss        FAISS inner-product index of unit vectors, one row a passage
    stats-<gen>.npz            mean and covariance of the vectors (for score standardising)
    passages-<gen>.jsonl       one row a passage: id, article id, paragraph, offsets
    articles-<gen>.jsonl       one row an article: metadata and body (passage text is
                               sliced from the body, never stored twice)
    keyword-<gen>/             the bm25s index

Writes are atomic: data files are written under new names first and ``manifest.json``
is replaced last, in one ``os.replace``; until then readers see the previous build, and
a build killed at any point leaves it loadable. Files of older generations are removed
after the switch. A lock file serialises builds. Knows nothing of news or of models.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_LOCK = ".lock"


class IndexUnavailable(RuntimeError):
    """The index folder is missing, damaged, or was built differently than asked."""


@dataclass(frozen=True)
class PassageRow:
    passage_id: str
    article_id: str
    paragraph: int
    start: int
    end: int


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexUnavailable(
            f"{path}: no index here; build one with `newsdesk build --out {folder}`"
        ) from None
    except (OSError, ValueError) as err:
        raise IndexUnavailable(
            f"{path}: unreadable manifest ({err}); rebuild with `newsdesk build`"
        ) from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnavailable(
            f"{path}: index format {manifest.get('format_version')!r}, this newsdesk reads "
            f"{FORMAT_VERSION}; rebuild with `newsdesk build`"
        )
    return manifest


@contextlib.contextmanager
def build_lock(folder: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold the folder's build lock. A second build waits for the first (``wait``) or
    fails at once naming the folder, so an index is never a mix of two builds."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / _LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise IndexUnavailable(f"{folder}: another build is running") from None
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write(
    folder: Path,
    *,
    manifest: dict[str, Any],
    vectors: np.ndarray,
    passages: list[PassageRow],
    articles: list[dict[str, Any]],
    keyword,
) -> None:
    """Write a complete index generation, then switch ``manifest.json`` to it."""
    import faiss

    gen = manifest["generation"]
    names = {
        "vectors": f"vectors-{gen}.faiss",
        "stats": f"stats-{gen}.npz",
        "passages": f"passages-{gen}.jsonl",
        "articles": f"articles-{gen}.jsonl",
        "keyword": f"keyword-{gen}",
    }
    tmp = folder / f".tmp-{gen}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    index = faiss.IndexFlatIP(vectors.shape[1])  # exact search; see README for the scale plan
    index.add(vectors)
    faiss.write_index(index, str(tmp / names["vectors"]))
    mean = vectors.mean(axis=0) if len(vectors) else np.zeros(vectors.shape[1], np.float32)
    centred = vectors - mean
    cov = centred.T @ centred / max(len(vectors), 1)
    # float32 halves the file; the moments only scale scores, so the precision is ample.
    np.savez(tmp / names["stats"], mean=mean.astype(np.float32), cov=cov.astype(np.float32))
    _write_jsonl(tmp / names["passages"], (p.__dict__ for p in passages))
    _write_jsonl(tmp / names["articles"], articles)
    keyword.save(tmp / names["keyword"])
    for name in names.values():
        target = folder / name
        if target.is_dir():  # same generation already there: same content
            shutil.rmtree(target)
        os.replace(tmp / name, target)
    shutil.rmtree(tmp, ignore_errors=True)
    manifest = {**manifest, "files_in_index": names}
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    staged = folder / f".{MANIFEST}.{os.getpid()}"
    with open(staged, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(staged, folder / MANIFEST)
    _remove_other_generations(folder, keep=set(names.values()))


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())


def _remove_other_generations(folder: Path, keep: set[str]) -> None:
    for path in folder.iterdir():
        stale_data = path.name.split("-")[0] in {"vectors", "stats", "passages", "articles", "keyword"}
        if (stale_data and path.name not in keep) or path.name.startswith(".tmp-"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


class StoredIndex:
    """A loaded index folder. Read-only and safe to share between threads."""

    def __init__(self, folder: Path):
        import faiss

        started = time.perf_counter()
        self.folder = Path(folder)
        self.manifest = read_manifest(self.folder)
        files = self.manifest["files_in_index"]
        self.vectors = _read(self.folder / files["vectors"], lambda p: faiss.read_index(str(p)))
        stats = _read(self.folder / files["stats"], np.load)
        self.mean, self.cov = stats["mean"].astype(np.float64), stats["cov"].astype(np.float64)
        rows = _read(self.folder / files["passages"], _read_jsonl)
        self.passages = [PassageRow(**row) for row in rows]
        self.articles = {a["article_id"]: a for a in _read(self.folder / files["articles"], _read_jsonl)}
        self._keyword_dir = self.folder / files["keyword"]
        self._keyword = None
        count = self.manifest["count"]
        if self.vectors.ntotal != count or len(self.passages) != count:
            raise IndexUnavailable(
                f"{self.folder}: manifest says {count} passages, vectors hold "
                f"{self.vectors.ntotal}, the passage store {len(self.passages)}; "
                "rebuild with `newsdesk build`"
            )
        self.load_seconds = time.perf_counter() - started

    @property
    def keyword(self):
        if self._keyword is None:
            from app.keyword import KeywordIndex

            self._keyword = _read(self._keyword_dir, KeywordIndex.load)
        return self._keyword

    def text(self, row: PassageRow) -> str:
        return self.articles[row.article_id]["body"][row.start : row.end]

    def vector(self, i: int) -> np.ndarray:
        return self.vectors.reconstruct(int(i))

    def all_vectors(self) -> np.ndarray:
        if self.vectors.ntotal == 0:
            return np.zeros((0, self.vectors.d), np.float32)
        return self.vectors.reconstruct_n(0, self.vectors.ntotal)


def _read(path: Path, reader):
    """Run a reader on one index file; any failure names the file and the fix."""
    try:
        return reader(path)
    except Exception as err:
        raise IndexUnavailable(
            f"{path}: damaged or missing index file ({type(err).__name__}: {err}); "
            "rebuild with `newsdesk build`"
        ) from None


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
