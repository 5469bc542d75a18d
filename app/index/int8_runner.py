"""Runs an ONNX sentence encoder on every core: one single-threaded session per core,
each pulling length-sorted batches from a shared queue.

Why this layout: on 2 shared cores, one session with two intra-op threads pays a thread
barrier after every operator and spins while it waits; two single-threaded sessions
working on different batches do not (onnxruntime releases the GIL while it runs).
Measured on BBC and RealTimeQA paragraphs (docs/performance.md), batches of 16 sorted
by length are the fastest for the int8 graph: little padding, and a batch's activations
stay in cache. ``app.index.int8_export`` builds the int8 graph this runs by default.

Does not: build or check a model (``int8_export`` does), or choose between int8 and fp32
(``app.index.embedder`` does). Dynamic int8 quantises activations with one scale per
batch, so a text's int8 vector depends slightly (cosine ~0.9999) on the texts batched
with it; the same texts in the same order always give the same vectors.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np

from app.index.onnx_model import new_session, threads

# Length-sorted batches of 16 measured fastest for int8 on 2 cores (bench_build.py).
BATCH_SIZE = 16
# At most this many texts (a question, an answer's sentences) run on the caller's thread
# with one session: handing a few short texts to a pool costs more than it saves, and a
# process that only answers questions then holds one session (~60 MB for int8).
SINGLE_SESSION_TEXTS = 16
# SkipLayerNormalization is left unfused: onnxruntime 1.32's CPU kernel for it takes
# ~6x the time of the Add + LayerNormalization it replaces (measured, int8_export).
DISABLED_OPTIMIZERS = ("SkipLayerNormFusion",)
# "sessions": one single-threaded session per core (the default, measured fastest);
# "intra": one session with that many intra-op threads (the fp32 runner's layout, kept
# to measure the layout lever alone).
LAYOUTS = ("sessions", "intra")


class SessionPool:
    """Texts -> (n, dim) float32 unit vectors with one ONNX model, rows in input order.

    Args:
        model: the ``.onnx`` file (int8 or fp32: the gate runs both through this class).
        folder: the export folder with ``tokenizer.json`` and ``export.json``
            (``max_seq_length``), as ``app.index.onnx_model`` writes it.
        workers: sessions (``"sessions"``) or intra-op threads (``"intra"``); default
            one per core.
        layout: see ``LAYOUTS``.

    Example:
        >>> pool = SessionPool(folder / "model-int8-v1.onnx", folder)  # doctest: +SKIP
        >>> pool.encode(["Khamenei met Rashid"]).shape  # doctest: +SKIP
        (1, 384)
    """

    def __init__(
        self,
        model: Path,
        folder: Path,
        *,
        workers: int | None = None,
        layout: Literal["sessions", "intra"] = "sessions",
    ):
        from tokenizers import Tokenizer

        if layout not in LAYOUTS:
            raise ValueError(f"Unknown layout {layout!r}. Supported layouts are: {list(LAYOUTS)}")
        self.model_path, self.layout = Path(model), layout
        if not self.model_path.is_file():
            raise FileNotFoundError(f"no model at {self.model_path}")
        self.workers = workers or threads()
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        config = json.loads((Path(folder) / "export.json").read_text())
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(config["max_seq_length"]))
        self.tokenizer.no_padding()
        pad_id = self.tokenizer.token_to_id("[PAD]")
        self.pad_id = 0 if pad_id is None else pad_id
        self._sessions: list[Any] = []
        self._lock = threading.Lock()
        self._pool = None

    def sessions(self, n: int) -> list[Any]:
        """The first ``n`` sessions, made on first use."""
        with self._lock:
            while len(self._sessions) < n:
                threads = self.workers if self.layout == "intra" else 1
                self._sessions.append(new_session(self.model_path, threads, tuple(DISABLED_OPTIMIZERS)))
            return self._sessions[:n]

    def encode(
        self, texts: list[str], *, batch_size: int = BATCH_SIZE, progress: bool | str = False
    ) -> np.ndarray:
        """Texts -> (n, dim) float32 unit vectors (rows in the order of ``texts``)."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        small = len(texts) <= SINGLE_SESSION_TEXTS or self.layout == "intra"
        workers = 1 if small else min(self.workers, len(batches))
        sessions = self.sessions(workers)
        names = {i.name for i in sessions[0].get_inputs()}
        results: list[np.ndarray | None] = [None] * len(batches)
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(
                total=len(batches), desc=progress if isinstance(progress, str) else "Batches", leave=False
            )
        queue, queue_lock = iter(range(len(batches))), threading.Lock()

        def work(session) -> None:
            while True:
                with queue_lock:
                    k = next(queue, None)
                if k is None:
                    return
                feeds = self._feeds([encodings[i] for i in batches[k]])
                results[k] = session.run(None, {n: v for n, v in feeds.items() if n in names})[0]
                if bar is not None:
                    bar.update(1)

        if workers == 1:
            work(sessions[0])
        else:
            from concurrent.futures import ThreadPoolExecutor

            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="newsdesk-embed")
            for future in [self._pool.submit(work, s) for s in sessions]:
                future.result()  # re-raises a worker's error
        if bar is not None:
            bar.close()
        out = np.zeros((len(texts), results[0].shape[1]), dtype=np.float32)
        for rows, vectors in zip(batches, results, strict=True):
            out[rows] = vectors
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _feeds(self, encodings) -> dict[str, np.ndarray]:
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for j, e in enumerate(encodings):
            ids[j, : len(e.ids)] = e.ids
            mask[j, : len(e.ids)] = 1
            types[j, : len(e.ids)] = e.type_ids
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
