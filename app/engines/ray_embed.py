"""Embedding new passages on Ray: Ray Data ``map_batches`` with the same embedder as a
local build, one model a worker (an actor pool), on a Ray started in this process or
on a cluster by address.

Only the embedding moves: it is the one cost that grows with the corpus (days at 100M
passages on two cores) and each passage is independent. The vectors are the local
embedder's, returned in the order asked, so a build stores them by passage id exactly
as it would have. Ray is the optional extra ``newsdesk[scale]``; every node of a
cluster needs newsdesk installed (the model ships in a package). On one machine Ray
only adds its start-up (seconds) and a model copy a worker (docs/deploy.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from app.index.errors import IndexUnavailable

BATCH = 256  # passages a map_batches call: large enough to amortise, small enough to spread
CPUS_PER_WORKER = 1  # one model a CPU; onnxruntime/torch threads follow Ray's OMP_NUM_THREADS
Encode = Callable[[str, list[str]], np.ndarray]


class _Embedder:
    """A Ray Data actor: loads the model once, then embeds batches."""

    def __init__(self, model: str):
        from app.index.embedder import get_embedder

        self.embedder = get_embedder(model)

    def __call__(self, batch: dict) -> dict:
        vectors = self.embedder.encode([str(t) for t in batch["text"]])
        return {"i": batch["i"], "vector": vectors}


@contextmanager
def ray_encoder(address: str | None = None, *, cpus: int | None = None) -> Iterator[Encode]:
    """An ``encode(model, texts)`` that embeds on Ray, for the duration of the block.
    ``address`` None starts a local Ray with ``cpus`` CPUs (default: all), stopped at
    the end; an address ("HOST:6379", "auto") joins a running cluster."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report from a build
    try:
        import ray
    except ImportError:
        raise IndexUnavailable(
            "--ray needs Ray: pip install 'newsdesk[scale]' (ray[data]) on this machine and every node"
        ) from None
    started = not ray.is_initialized()
    if started:
        package = str(Path(__file__).resolve().parents[1])  # app/, shipped to every worker
        runtime = {"py_modules": [package], "env_vars": {"HF_HUB_OFFLINE": "1"}}
        options = {"include_dashboard": False, "log_to_driver": False, "runtime_env": runtime}
        try:
            if address is None:
                ray.init(num_cpus=cpus or os.cpu_count(), **options)
            else:
                ray.init(address=address, **options)
        except Exception as err:  # ConnectionError, RuntimeError, ValueError: all mean "no cluster"
            raise IndexUnavailable(
                f"--ray {address or ''}: cannot start or reach Ray ({' '.join(str(err).split())[:120]}); "
                "start the cluster (`ray start --head`) or drop the address for a local Ray"
            ) from None
    try:
        yield _encode
    finally:
        if started:
            ray.shutdown()


def _encode(model: str, texts: list[str]) -> np.ndarray:
    import ray
    import ray.data

    if not texts:
        from app.index.embedder import get_embedder

        return get_embedder(model).encode([])
    workers = max(1, int(ray.cluster_resources().get("CPU", 1)) // CPUS_PER_WORKER)
    workers = min(workers, max(1, len(texts) // BATCH))
    ds = ray.data.from_items([{"i": i, "text": t} for i, t in enumerate(texts)])
    ds = ds.map_batches(
        _Embedder,
        fn_constructor_kwargs={"model": model},
        compute=ray.data.ActorPoolStrategy(size=workers),
        batch_size=BATCH,
        num_cpus=CPUS_PER_WORKER,
        batch_format="numpy",
    )
    out: np.ndarray | None = None
    for batch in ds.iter_batches(batch_size=1024, batch_format="numpy"):
        vectors = np.asarray(batch["vector"], dtype=np.float32)
        if out is None:
            out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        out[np.asarray(batch["i"], dtype=np.int64)] = vectors
    return out
