"""The index folder: vectors in FAISS, the passage and article stores, BM25, a manifest.

Layout of ``embeddings/`` (every data file carries the generation id of its build)::

    manifest.json              readable: format, model, dimension, count, source files,
                               and the sha256 of every data file below
    vectors-<gen>.faiss        FAISS inner-product index of unit vectors, one row a passage
    stats-<gen>.npz            mean and covariance of the vectors (for score standardising)
    passages-<gen>.jsonl       one row a passage: id, article id, paragraph, offsets
    articles-<gen>.jsonl       one row an article: metadata and body (passage text is
                               sliced from the body, never stored twice)
    keyword-<gen>/             the bm25s index

Writes are atomic: data files are written under new names first and ``manifest.json``
is replaced last, in one ``os.replace``; until then readers see the previous build, and
a build killed at any point leaves it loadable. A file that already has its final name
(same generation: the same content) is replaced file by file, each replacement atomic.
Files of older generations, and what a killed build left behind, are removed after the
next switch. A lock file serialises builds.

Loading checks before it parses: the manifest's fields, every data file's checksum
(so FAISS, numpy and bm25s never see a damaged file), the vector count and dimension,
and that every passage points into an article. Any failure is ``IndexUnavailable``
naming the file and the fix. A reader that meets a build's switch half-way (its
generation's files already removed) reloads the new generation. Does not detect
damage in an index written before checksums were recorded beyond what parsing finds.
Knows nothing of news or of models.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
_LOCK = ".lock"
_KINDS = ("vectors", "stats", "passages", "articles", "keyword")
_FIX = "rebuild with `newsdesk build`"


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
    """The folder's manifest, checked for the fields loading needs."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexUnavailable(
            f"{path}: no index here; build one with `newsdesk build --out {folder}`"
        ) from None
    except (OSError, ValueError) as err:
        raise IndexUnavailable(f"{path}: unreadable manifest ({err}); {_FIX}") from None
    if not isinstance(manifest, dict):
        raise IndexUnavailable(f"{path}: not a manifest (a JSON object is expected); {_FIX}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnavailable(
            f"{path}: index format {manifest.get('format_version')!r}, this newsdesk reads "
            f"{FORMAT_VERSION}; {_FIX}"
        )
    files = manifest.get("files_in_index")
    wrong = [
        key
        for key, ok in (
            (
                "files_in_index",
                isinstance(files, dict) and all(isinstance(files.get(k), str) for k in _KINDS),
            ),
            ("count", isinstance(manifest.get("count"), int) and manifest["count"] >= 0),
            ("model", isinstance(manifest.get("model"), str)),
            ("generation", isinstance(manifest.get("generation"), str)),
            ("checksums", isinstance(manifest.get("checksums", {}), dict)),
        )
        if not ok
    ]
    if wrong:
        raise IndexUnavailable(f"{path}: damaged manifest (bad or missing {', '.join(wrong)}); {_FIX}")
    return manifest


@contextlib.contextmanager
def build_lock(
    folder: Path, *, wait: bool = True, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the folder's build lock. A second build waits for the first (``wait``; then
    ``on_wait`` is called once, to tell the user) or fails at once naming the folder, so
    an index is never a mix of two builds. The kernel drops the lock of a killed build."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / _LOCK, "a+")
    except OSError as err:
        raise IndexUnavailable(f"{folder}: cannot use as an index folder ({err.strerror or err})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise IndexUnavailable(
                    f"{folder}: another build is running; try again when it ends"
                ) from None
            if on_wait is not None:
                on_wait()
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
    names = {kind: name for kind, name in zip(_KINDS, _names(gen), strict=True)}
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
    checksums = {}
    for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
        checksums[path.relative_to(tmp).as_posix()] = _sha256(path, sync=True)
    for name in names.values():
        _install(tmp / name, folder / name)
    shutil.rmtree(tmp, ignore_errors=True)
    switch_manifest(folder, {**manifest, "files_in_index": names, "checksums": checksums})


def switch_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Make ``manifest`` the folder's index in one atomic rename, then remove the files
    no longer referenced (older generations, leftovers of killed builds). The data files
    it names must be in place. Used alone when a build changes only the manifest."""
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    staged = folder / f".{MANIFEST}.{os.getpid()}"
    with open(staged, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(staged, folder / MANIFEST)
    _fsync_dir(folder)
    _remove_unreferenced(folder, keep=set(manifest["files_in_index"].values()))


def _names(gen: str) -> tuple[str, ...]:
    return (
        f"vectors-{gen}.faiss",
        f"stats-{gen}.npz",
        f"passages-{gen}.jsonl",
        f"articles-{gen}.jsonl",
        f"keyword-{gen}",
    )


def _install(src: Path, target: Path) -> None:
    """Move a written file or folder to its final name. An existing folder of the same
    name (same generation) is updated file by file, so no name is ever missing."""
    if src.is_dir() and target.is_dir():
        for child in src.iterdir():
            os.replace(child, target / child.name)
        return
    if src.is_dir() and target.exists():
        target.unlink()
    os.replace(src, target)


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _sha256(path: Path, *, sync: bool = False) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
        if sync:  # the data must be on disk before the manifest that names it
            os.fsync(handle.fileno())
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_unreferenced(folder: Path, keep: set[str]) -> None:
    for path in folder.iterdir():
        stale_data = path.name.split("-")[0] in _KINDS and path.name not in keep
        leftover = path.name.startswith((".tmp-", f".{MANIFEST}."))
        if stale_data or leftover:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


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
        for name, expected in self.manifest.get("checksums", {}).items():
            path = self.folder / name
            actual = _read(path, _sha256)
            if actual != expected:
                raise IndexUnavailable(
                    f"{path}: damaged index file (checksum differs from the manifest); {_FIX}"
                )
        self.vectors = _read(self.folder / files["vectors"], lambda p: faiss.read_index(str(p)))
        self.mean, self.cov = _read(self.folder / files["stats"], _read_stats)
        rows = _read(self.folder / files["passages"], lambda p: [PassageRow(**r) for r in _read_jsonl(p)])
        self.passages = rows
        articles = _read(self.folder / files["articles"], _read_jsonl)
        self.articles = {a["article_id"]: a for a in articles}
        self._keyword_dir = self.folder / files["keyword"]
        dim = self.manifest.get("dimension") or self.vectors.d
        if self.vectors.ntotal != count or len(self.passages) != count or self.vectors.d != dim:
            raise IndexUnavailable(
                f"{self.folder}: {MANIFEST} says {count} passages of dimension {dim}, {files['vectors']} "
                f"holds {self.vectors.ntotal} of {self.vectors.d}, {files['passages']} "
                f"{len(self.passages)}; {_FIX}"
            )
        if self.mean.shape != (self.vectors.d,) or self.cov.shape != (self.vectors.d, self.vectors.d):
            raise IndexUnavailable(f"{self.folder / files['stats']}: wrong shape for the vectors; {_FIX}")
        for row in self.passages:
            body = self.articles.get(row.article_id, {}).get("body")
            if not isinstance(body, str) or not 0 <= row.start <= row.end <= len(body):
                raise IndexUnavailable(
                    f"{self.folder / files['passages']}: passage {row.passage_id} does not point into "
                    f"an article of {files['articles']}; {_FIX}"
                )

    @property
    def keyword(self):
        """The BM25 index, loaded on first use (dense-only searches never need it)."""
        with self._keyword_lock:
            if self._keyword is None:
                from app.keyword import KeywordIndex

                self._keyword = _read(self._keyword_dir, KeywordIndex.load)
            return self._keyword

    def text(self, row: PassageRow) -> str:
        return self.articles[row.article_id]["body"][row.start : row.end]

    @property
    def newest(self) -> datetime | None:
        """The newest publication date among the articles (cached): "as of" for
        relative dates in questions."""
        if "_newest" not in self.__dict__:
            dates = [a["published"] for a in self.articles.values() if a.get("published")]
            self.__dict__["_newest"] = max(map(datetime.fromisoformat, dates)) if dates else None
        return self.__dict__["_newest"]

    def row_of(self, passage_id: str) -> int:
        """The vector row of a passage (the map is built on first use)."""
        rows = self.__dict__.get("_rows")
        if rows is None:
            rows = self.__dict__["_rows"] = {p.passage_id: i for i, p in enumerate(self.passages)}
        return rows[passage_id]

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
    except IndexUnavailable:
        raise
    except Exception as err:
        raise IndexUnavailable(
            f"{path}: damaged or missing index file ({type(err).__name__}: {err}); {_FIX}"
        ) from None


def _read_stats(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path) as stats:  # an npz reads lazily: read both arrays here, inside _read
        return stats["mean"].astype(np.float64), stats["cov"].astype(np.float64)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
