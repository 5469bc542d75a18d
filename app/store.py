"""The index folder: vectors in FAISS, the passage and article stores, BM25, a manifest.

Layout of ``embeddings/`` (every data file carries the generation id of its build)::

    manifest.json              readable: format, model, dimension, count, source files,
                               the search index's kind, and the sha256, size and
                               modification time of every data file below
    vectors-<gen>.faiss        FAISS inner-product index of unit vectors, one row a passage:
                               exact (flat) up to FLAT_MAX_PASSAGES, IVF with 8-bit
                               scalar quantisation beyond (see ``index_kind``)
    matrix-<gen>.npy           the same vectors, float32, memory-mapped when loaded: exact
                               dense scores for any row (the hybrid re-scores candidates)
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

Loading checks before it parses: the manifest's fields, every data file's integrity
(so FAISS, numpy and bm25s never see a damaged file), the vector count and dimension,
and that every passage points into an article. Integrity has a fast path: a file whose
size and modification time (ns) are those the build recorded is taken as written; any
other file (copied, touched, damaged) is hashed and compared with its recorded sha256.
Hashing every file costs ~1 s per 300 MB, too much for start-up at 100k passages;
``StoredIndex.verify()`` hashes everything on demand. Any failure is ``IndexUnavailable``
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
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_VERSION = 3
MANIFEST = "manifest.json"
_LOCK = ".lock"
_KINDS = ("vectors", "stats", "passages", "articles", "keyword", "matrix")
# Exact search up to this many passages, IVF-SQ8 beyond. Measured in
# benchmarks/bench_scale.py (README "Speed and scale"): one flat query costs 0.06-0.24 us
# a passage on 2 shared cores (24 ms at 100k), so past ~20k it alone would take a
# sizeable part of the 15 ms budget, while IVF-SQ8 answers in under 1 ms.
FLAT_MAX_PASSAGES = 20_000
# IVF: cells ~ 4 sqrt(n) (faiss's guideline is 4-16 sqrt(n)); a query scans the nearest
# IVF_PROBE_SHARE of them. Questions sit far from passages (cosine ~0.5), so their
# neighbours spread over many cells: on the real 100k corpus, probing 5% of 1,267 cells
# found 0.93 of exact search's top 10, 10% 0.966, 20% 0.983 (0.7 ms); 20% it is.
IVF_CELLS_PER_SQRT = 4
IVF_PROBE_SHARE = 0.2
IVF_TRAIN_PER_CELL = 50  # k-means training sample: 50 points a cell (faiss warns under 39)
_FIX = "rebuild with `newsdesk build`"


class IndexUnavailable(RuntimeError):
    """The index folder is missing, damaged, or was built differently than asked."""


@dataclass(frozen=True, slots=True)  # slots: ~100 bytes less a row at 1M rows
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
    previous=None,
    density: np.ndarray | None = None,
) -> None:
    """Write a complete index generation, then switch ``manifest.json`` to it.
    ``previous``: the FAISS index of the generation being replaced, whose trained IVF
    cells are reused when they still fit the corpus size (see ``make_index``).
    ``density``: each passage's raw hubness density (``fusion.raw_density``), if any."""
    import faiss

    gen = manifest["generation"]
    names = {kind: name for kind, name in zip(_KINDS, _names(gen), strict=True)}
    tmp = folder / f".tmp-{gen}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    kind = index_kind(len(vectors))
    faiss.write_index(make_index(vectors, kind, trained=previous), str(tmp / names["vectors"]))
    np.save(tmp / names["matrix"], np.ascontiguousarray(vectors, dtype=np.float32))
    mean = vectors.mean(axis=0) if len(vectors) else np.zeros(vectors.shape[1], np.float32)
    centred = vectors - mean
    cov = centred.T @ centred / max(len(vectors), 1)
    # float32 halves the file; the moments only scale scores, so the precision is ample.
    extra = {"density": np.asarray(density, dtype=np.float32)} if density is not None else {}
    np.savez(tmp / names["stats"], mean=mean.astype(np.float32), cov=cov.astype(np.float32), **extra)
    _write_jsonl(tmp / names["passages"], (asdict(p) for p in passages))
    _write_jsonl(tmp / names["articles"], articles)
    keyword.save(tmp / names["keyword"])
    checksums = {}
    for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
        checksums[path.relative_to(tmp).as_posix()] = _sha256(path, sync=True)
    for name in names.values():
        _install(tmp / name, folder / name)
    shutil.rmtree(tmp, ignore_errors=True)
    stamps = {name: _stamp(folder / name) for name in checksums}
    switch_manifest(
        folder,
        {**manifest, "index_kind": kind, "files_in_index": names, "checksums": checksums, "stamps": stamps},
    )


def index_kind(count: int) -> str:
    """The index kind for ``count`` passages: exact up to FLAT_MAX_PASSAGES, IVF beyond."""
    return "flat" if count <= FLAT_MAX_PASSAGES else "ivf-sq8"


def make_index(vectors: np.ndarray, kind: str, *, nprobe: int | None = None, trained=None):
    """A FAISS inner-product index of ``vectors`` of the given kind.

    ``ivf-sq8``: an inverted file of ~4 sqrt(n) k-means cells, each vector stored as
    384 bytes (8 bits a dimension, ranges trained per dimension); a query scans the
    ``nprobe`` nearest cells (default IVF_PROBE_SHARE of them). Its scores are
    approximate (~1e-3); ``StoredIndex.search`` re-scores its hits from the matrix.
    Training the cells (k-means) is most of an IVF build (~10 s at 100k on 2 cores), so
    ``trained``, an earlier IVF index, is emptied and refilled instead when its cell count
    is within a factor of 2 of what ``vectors`` call for: an update then only assigns
    the vectors to cells (~1 s at 100k). The cells drift from the data only as much as
    the corpus changed since they were trained.
    Example: ``make_index(V, "flat").search(q[None], 10)``.
    """
    import faiss

    dim = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return index
    if kind != "ivf-sq8":
        raise ValueError(f"Unknown index kind {kind!r}. Supported kinds are: ['flat', 'ivf-sq8']")
    cells = max(1, int(IVF_CELLS_PER_SQRT * np.sqrt(len(vectors))))
    if _reusable(trained, dim, cells):
        index = faiss.clone_index(trained)
        index.reset()
        index.add(vectors)
        index.nprobe = min(nprobe or max(1, int(np.ceil(IVF_PROBE_SHARE * index.nlist))), index.nlist)
        return index
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, cells, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    sample = min(len(vectors), cells * IVF_TRAIN_PER_CELL)
    training = vectors
    if sample < len(vectors):  # a fixed-seed sample: the same vectors give the same index
        training = vectors[np.sort(np.random.default_rng(0).choice(len(vectors), sample, replace=False))]
    index.train(np.ascontiguousarray(training, dtype=np.float32))
    index.add(vectors)
    index.nprobe = min(nprobe or max(1, int(np.ceil(IVF_PROBE_SHARE * cells))), cells)
    return index


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


def _reusable(trained, dim: int, cells: int) -> bool:
    import faiss

    ivf = faiss.try_extract_index_ivf(trained) if trained is not None else None
    return (
        isinstance(trained, faiss.IndexIVFScalarQuantizer)
        and ivf is not None
        and trained.d == dim
        and trained.is_trained
        and cells / 2 <= ivf.nlist <= cells * 2
    )


def _names(gen: str) -> tuple[str, ...]:
    return (
        f"vectors-{gen}.faiss",
        f"stats-{gen}.npz",
        f"passages-{gen}.jsonl",
        f"articles-{gen}.jsonl",
        f"keyword-{gen}",
        f"matrix-{gen}.npy",
    )


def _stamp(path: Path) -> list[int]:
    """Size and modification time (ns): the fast path of the integrity check."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


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

    def __init__(self, folder: Path, *, signatures: bool = False):
        """Load ``folder``. Articles' MinHash signatures (``minhash``) are only for the
        next build's enrichment; they stay on disk unless ``signatures`` (~100 bytes a
        passage saved at query time)."""
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
        self.vectors = _read(self.folder / files["vectors"], lambda p: faiss.read_index(str(p)))
        self.matrix = _read(self.folder / files["matrix"], _map_matrix)
        if self.matrix.shape != (self.vectors.ntotal, self.vectors.d) or self.matrix.dtype != np.float32:
            raise IndexUnavailable(f"{self.folder / files['matrix']}: wrong shape for the vectors; {_FIX}")
        self.rows = _read(self.folder / files["matrix"], lambda p: _RowReader(p, self.matrix))
        self.mean, self.cov, self.raw_density = _read(self.folder / files["stats"], _read_stats)
        rows = _read(self.folder / files["passages"], _read_passages)
        self.passages = rows
        articles = _read(self.folder / files["articles"], _read_jsonl)
        if not self._signatures:
            for record in articles:
                record.pop("minhash", None)
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

    def verify(self, *, full: bool = True) -> None:
        """Check every data file against the manifest: by sha256 (``full``), or by the
        recorded size and modification time, hashing only the files that differ.
        Raises IndexUnavailable naming the first damaged file."""
        stamps = self.manifest.get("stamps") or {}
        for name, expected in self.manifest.get("checksums", {}).items():
            path = self.folder / name
            if not full and stamps.get(name) is not None:
                try:
                    if _stamp(path) == list(stamps[name]):
                        continue
                except OSError:
                    pass  # missing: the hash below names it
            if _read(path, _sha256) != expected:
                raise IndexUnavailable(
                    f"{path}: damaged index file (checksum differs from the manifest); {_FIX}"
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
    def density(self) -> np.ndarray | None:
        """Each passage's hubness density as z over the corpus (None when the index was
        built without it): what ``fusion.hybrid`` subtracts."""
        if "_density" not in self.__dict__:
            raw = self.raw_density
            ok = raw is not None and len(raw) == len(self.passages) and len(raw) and raw.std() > 0
            self.__dict__["_density"] = ((raw - raw.mean()) / raw.std()).astype(np.float32) if ok else None
        return self.__dict__["_density"]

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


def _read_stats(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    with np.load(path) as stats:  # an npz reads lazily: read the arrays here, inside _read
        density = stats["density"].astype(np.float64) if "density" in stats.files else None
        return stats["mean"].astype(np.float64), stats["cov"].astype(np.float64), density


def _map_matrix(path: Path) -> np.ndarray:
    """The vectors, memory-mapped read-only (for whole-matrix reads: builds, evaluation)."""
    return np.load(path, mmap_mode="r")


class _RowReader:
    """Reads a few rows of the matrix file with ``os.pread``, one small read a row.

    Why not the memory map: a query re-scores ~200 rows scattered over the file, and
    with the kernel's read-ahead and large page-cache folios each touched row maps up
    to 2 MB around it; at 100k passages one query mapped the whole 150 MB matrix into
    the process (measured, even with MADV_RANDOM). Here a query costs ~200 reads of
    1.5 KB (~0.3 ms) and no resident memory."""

    def __init__(self, path: Path, matrix: np.memmap):
        self.offset = int(matrix.offset)  # the .npy header's length
        self.fd = os.open(path, os.O_RDONLY)
        self.shape, self.row_bytes = matrix.shape, matrix.shape[1] * 4

    def __call__(self, rows) -> np.ndarray:
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        out = np.empty((len(rows), self.shape[1]), dtype=np.float32)
        buffer = out.reshape(-1).view(np.uint8)
        for j, row in enumerate(rows.tolist()):
            if not 0 <= row < self.shape[0]:
                raise IndexError(f"row {row} out of range 0..{self.shape[0] - 1}")
            chunk = os.pread(self.fd, self.row_bytes, self.offset + row * self.row_bytes)
            buffer[j * self.row_bytes : (j + 1) * self.row_bytes] = np.frombuffer(chunk, dtype=np.uint8)
        return out

    def __del__(self):
        with contextlib.suppress(OSError, AttributeError):
            os.close(self.fd)


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


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
