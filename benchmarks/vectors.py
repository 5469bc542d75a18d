"""Vector caches for the benchmarks: one file per model, vectors keyed by the text embedded.

An evaluation embeds the same texts again and again (a rebuild after a change to the
article readers, the same questions in another run, one corpus under two models). A
``VectorCache`` keeps each model's vectors in ``<folder>/vectors-<model>.npz``, keyed by
sha256 of the text (questions: of ``"query\\0" + text``, because e5 embeds a question
with another prefix than a passage). ``CachedEmbedder`` puts a cache in front of the
project's embedder, with the same ``encode``; it embeds only the misses and saves every
``CHECKPOINT`` texts, so an interrupted 40-minute run resumes where it stopped. Saving
merges with what is on disk under a lock, so two benchmarks may share a folder.

Does not check that cached vectors still match the model's runner: a change of runner
(onnxruntime version, export recipe) keeps old vectors until the file is deleted.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import time
from pathlib import Path

import numpy as np

from app.index.embedder import E5_PRECISION, FP32
from app.index.models import BOTH, MINILM, model_name
from benchmarks.common import say

CHECKPOINT = 2048  # texts embedded between two saves of the cache file
LEGACY_FILE = "vectors-cache.npz"  # the single-model cache before this module (MiniLM's)


def cache_path(folder: Path, model: str, precision: str | None = None) -> Path:
    """``folder/vectors-<last part of the model's name>[-<precision>].npz``: fp32 and a
    model's only precision keep the name without one."""
    name = model_name(model)
    slug = "both" if name == BOTH else re.sub(r"[^A-Za-z0-9._-]+", "_", name.rstrip("/").split("/")[-1])
    suffix = "" if precision in (None, FP32, E5_PRECISION) else f"-{precision}"
    return Path(folder) / f"vectors-{slug}{suffix}.npz"


def text_key(text: str, kind: str = "passage") -> str:
    """The cache key of a text; passages keep the key of the older single-model cache."""
    return hashlib.sha256((text if kind == "passage" else f"{kind}\0{text}").encode()).hexdigest()


class VectorCache:
    """One model's vectors keyed by ``text_key``; ``save`` writes them to ``path``."""

    def __init__(self, path: Path, model: str, vectors: dict[str, np.ndarray] | None = None):
        self.path, self.model = Path(path), model_name(model)
        self.vectors: dict[str, np.ndarray] = vectors if vectors is not None else {}
        self._saved = len(self.vectors)

    @classmethod
    def open(cls, folder: Path, model: str, precision: str | None = None) -> VectorCache:
        """The cache of ``model`` in ``folder`` (empty if there is none yet). The older
        single-model file, ``vectors-cache.npz``, was MiniLM's: it becomes MiniLM's file."""
        path = cache_path(folder, model, precision)
        legacy = Path(folder) / LEGACY_FILE
        if (
            not path.exists()
            and legacy.exists()
            and model_name(model) == MINILM
            and path == cache_path(folder, model)
        ):
            legacy.replace(path)
        return cls(path, model, _read(path))

    def save(self) -> None:
        """Merge with the file on disk (another process may have added to it) and write
        it atomically; a no-op when nothing was added."""
        if len(self.vectors) == self._saved:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for key, vector in _read(self.path).items():
                self.vectors.setdefault(key, vector)
            keys = sorted(self.vectors)
            tmp = self.path.with_suffix(f".tmp-{os.getpid()}")
            with open(tmp, "wb") as handle:
                np.savez(handle, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))
            tmp.replace(self.path)
        self._saved = len(self.vectors)

    def add_index_folder(self, folder: Path) -> None:
        """Take the passage vectors of an index folder built with this cache's model
        (any format version so far); an index of another model is ignored."""
        import faiss

        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            if model_name(manifest["model"]) != self.model:
                return
            if "segments" in manifest:  # format 4: segments with tombstones
                self._add_store(folder)
                return
            files = manifest["files_in_index"]
            bodies = {}
            for line in (folder / files["articles"]).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    a = json.loads(line)
                    bodies[a["article_id"]] = a["body"]
            rows = [json.loads(x) for x in (folder / files["passages"]).read_text().splitlines() if x.strip()]
            if "matrix" in files:  # format 3: exact float32 rows (an IVF-SQ8 index cannot give them)
                vectors = np.load(folder / files["matrix"])
            else:
                vectors = faiss.read_index(str(folder / files["vectors"])).reconstruct_n(0, len(rows))
        except (OSError, KeyError, ValueError, RuntimeError):
            return
        for row, vector in zip(rows, vectors, strict=True):
            self.vectors[text_key(bodies[row["article_id"]][row["start"] : row["end"]])] = vector

    def _add_store(self, folder: Path) -> None:
        from app.index.errors import IndexUnavailable
        from app.index.store import StoredIndex

        try:
            index = StoredIndex(folder)
        except IndexUnavailable:
            return
        live = index.live_rows()
        for row, vector in zip(live, index.rows(live), strict=True):
            self.vectors[text_key(index.text(int(row)))] = np.asarray(vector, dtype=np.float32)


def _read(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path) as data:
        return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))


class CachedEmbedder:
    """The project's embedder for ``cache.model`` with the cache in front: same ``encode``,
    embeds only the texts never seen. Also what ``build_index`` gets in the benchmarks
    (``rtqa.ensure_index`` patches ``app.index.build.get_embedder``)."""

    def __init__(self, cache: VectorCache, embedder=None):
        from app.index.embedder import get_embedder

        self.cache = cache
        self.embedder = embedder or get_embedder(cache.model)
        self.name = self.embedder.name
        self.precision = getattr(self.embedder, "precision", FP32)  # what an index records
        self.embedded = 0  # texts this object had to embed (cache misses)
        self.seconds = 0.0  # and how long that took

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def encode(
        self, texts: list[str], *, kind: str = "passage", progress: bool = False, **kwargs
    ) -> np.ndarray:
        texts = list(texts)
        keys = [text_key(t, kind) for t in texts]
        known = self.cache.vectors
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in known))
        started = time.perf_counter()
        for start in range(0, len(missing), CHECKPOINT):
            chunk = missing[start : start + CHECKPOINT]
            vectors = self.embedder.encode(chunk, kind=kind, progress=progress, **kwargs)
            for text, vector in zip(chunk, vectors, strict=True):
                self.cache.vectors[text_key(text, kind)] = vector
            self.cache.save()
            done, elapsed = start + len(chunk), time.perf_counter() - started
            if progress or len(missing) > CHECKPOINT:
                say(f"  {self.name} {kind}: {done}/{len(missing)} embedded, {done / elapsed:.1f}/s")
        self.embedded += len(missing)
        self.seconds += time.perf_counter() - started
        if not texts:
            return self.embedder.encode(texts, kind=kind)
        return np.stack([self.cache.vectors[k] for k in keys]).astype(np.float32)


def cached(folder: Path, model: str) -> CachedEmbedder:
    """``model``'s embedder behind its cache in ``folder``.

    Example:
        >>> cached(Path("~/.cache/newsdesk-eval").expanduser(), "multilingual").encode(["ঢাকা"]).shape
        (1, 384)
    """
    return CachedEmbedder(VectorCache.open(folder, model))
