"""The answer layer's two caches: sentence vectors, and previous answers.

The same sentences come back across questions about one story, and embedding them is
most of an answer's cost, so each is embedded once (``SentenceCache``). A follow-up
leans on the answer before it, which would otherwise be computed again for every
follow-up (``AnswerCache``). Both are bounded, least recently used dropped first, and
safe to share between threads. Does not persist anything across processes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import numpy as np

CACHE_SENTENCES = 20_000  # ~30 MB of 384-d float32 vectors
CACHE_PREVIOUS = 256  # conversations whose last answer is kept

V = TypeVar("V")


class SentenceCache:
    """Sentence vectors by (model, kind, text): a question ("query") or a sentence of a
    passage ("passage"), which a model like e5 embeds differently."""

    def __init__(self, size: int = CACHE_SENTENCES):
        self.size = size
        self._vectors: OrderedDict[tuple[str, str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, embedder, texts: list[str], *, kind: str = "passage") -> np.ndarray:
        """``embedder.encode(texts, kind=kind)``, embedding only the texts not cached."""
        keys = [(embedder.name, kind, t) for t in texts]
        with self._lock:
            missing = list(dict.fromkeys(k[2] for k in keys if k not in self._vectors))
        fresh = dict(zip(missing, embedder.encode(missing, kind=kind), strict=True)) if missing else {}
        out = []
        with self._lock:
            for key in keys:
                vector = fresh.get(key[2])
                if vector is None:
                    vector = self._vectors.get(key)
                    if vector is None:  # dropped meanwhile by another thread
                        vector = embedder.encode([key[2]], kind=kind)[0]
                self._vectors[key] = vector
                self._vectors.move_to_end(key)
                out.append(vector)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return np.stack(out) if out else np.zeros((0, embedder.dim), np.float32)


class AnswerCache(Generic[V]):
    """Values by key, computed on a miss by the caller's function."""

    def __init__(self, size: int = CACHE_PREVIOUS):
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()  # outside the lock: computing may use the cache again
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value


SENTENCES = SentenceCache()
