"""A sentence-transformers model exported once to ONNX and run with onnxruntime.

Why: on a 2-core CPU onnxruntime runs MiniLM's encoder faster than torch eager (fused
attention and GEMMs), and a process that only has to embed questions then starts
without importing torch (seconds) or sentence-transformers. The export runs once, with
torch.onnx (never ``sentence-transformers[onnx]``, whose optimum pins clash with gradio
6's huggingface-hub), and is cached on disk under ``cache_dir()`` keyed by the model
folder's files, the export recipe and torch's version. Each export is checked against
the torch model on probe sentences (``PARITY_COSINE``) and discarded if it drifts.

Only models given as a local folder (the packaged default included) whose modules are
Transformer -> Pooling (mean or CLS) -> optional Normalize can be exported; for any
other model ``export`` returns None and the caller keeps torch. Tokenisation uses the
folder's ``tokenizer.json`` with the ``tokenizers`` library, truncating at the model's
``max_seq_length`` as sentence-transformers does. The graph is exported with eager
attention (an additive mask), which onnxruntime's transformer optimiser can fuse: the
int8 model (``app.index.int8_export``) is made from this export. Does not quantise.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np

RECIPE = "onnx-export-v2"  # bump when the exported graph or tokenisation changes (v2: eager attention)
OPSET = 17
# Minimum cosine between the torch and the exported vectors of every probe sentence.
# fp32 ONNX agrees to ~1e-6; 0.9999 catches a wrong graph while tolerating kernel order.
PARITY_COSINE = 0.9999
PROBES = (
    "Iran's Supreme Leader told the visiting Iraqi president that US troops must leave.",
    "what did Khamenei say about US troops",
    "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought "
    "since early January and improving prospects for the coming temporao. " * 8,
    "a",
)
_lock = threading.Lock()


def cache_dir() -> Path:
    """Where exports live: ``$NEWSDESK_CACHE`` or ``~/.cache/newsdesk``, then ``onnx/``."""
    root = os.environ.get("NEWSDESK_CACHE") or Path.home() / ".cache" / "newsdesk"
    return Path(root) / "onnx"


def model_config(folder: Path) -> dict[str, Any] | None:
    """What the export needs from a sentence-transformers folder, or None when its
    module stack is not Transformer -> Pooling(mean|cls) -> [Normalize]."""
    try:
        modules = json.loads((folder / "modules.json").read_text())
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds not in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"]):
            return None
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text())
        flags = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
        mode = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}.get(
            next(iter(flags)) if len(flags) == 1 else ""
        )
        st_config = json.loads((folder / "sentence_bert_config.json").read_text())
        if mode is None or not (folder / "tokenizer.json").is_file():
            return None
        return {
            "pooling": mode,
            "normalize": len(kinds) == 3,
            "max_seq_length": int(st_config.get("max_seq_length") or 512),
        }
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def export_key(folder: Path) -> str:
    """Content key of an export: the recipe, torch's version and the folder's files
    (names, sizes, modification times), so a changed model is exported again."""
    digest = hashlib.sha256(f"{RECIPE}\n{folder.resolve()}\n".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def find(folder: Path) -> Path | None:
    """The cached export folder of ``folder`` if it passed its parity check, else None."""
    target = cache_dir() / export_key(folder)
    try:
        ok = json.loads((target / "export.json").read_text()).get("parity_ok") is True
    except (OSError, ValueError):
        return None
    return target if ok and (target / "model.onnx").is_file() else None


def export(folder: Path) -> Path | None:
    """Export ``folder``'s model (once; later calls find the cache) and return the
    export folder, or None when the model cannot be exported or fails parity."""
    folder = Path(folder)
    config = model_config(folder)
    if config is None:
        return None
    with _lock:
        found = find(folder)
        if found is None and not (cache_dir() / export_key(folder) / "export.json").is_file():
            _export_fp32(folder, config, cache_dir() / export_key(folder))
            found = find(folder)
        return found


def _export_fp32(folder: Path, config: dict, target: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    # Eager attention exports the additive mask onnxruntime fuses into one Attention op
    # (torch's SDPA exports Where/IsNaN masking, which nothing fuses); same numbers.
    st_model = SentenceTransformer(str(folder), device="cpu", model_kwargs={"attn_implementation": "eager"})
    encoder = st_model[0].auto_model.eval()
    staged = target.parent / f".{target.name}.{os.getpid()}"
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    graph = _Pooled(encoder, config["pooling"], config["normalize"]).eval()
    example = {
        "input_ids": torch.ones((2, 8), dtype=torch.long),
        "attention_mask": torch.ones((2, 8), dtype=torch.long),
        "token_type_ids": torch.zeros((2, 8), dtype=torch.long),
    }
    axes = {name: {0: "batch", 1: "tokens"} for name in example}
    with torch.no_grad():
        torch.onnx.export(
            graph,
            (example["input_ids"], example["attention_mask"], example["token_type_ids"]),
            str(staged / "model.onnx"),
            input_names=list(example),
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    shutil.copy(folder / "tokenizer.json", staged / "tokenizer.json")
    session = OnnxEncoder(staged, config=config)
    reference = st_model.encode(list(PROBES), convert_to_numpy=True, normalize_embeddings=True)
    ours = session.encode(list(PROBES))
    cosines = np.sum(_unit(reference) * _unit(ours), axis=1)
    meta = {
        "recipe": RECIPE,
        "model_folder": str(folder.resolve()),
        "torch": torch.__version__,
        **config,
        "num_heads": int(encoder.config.num_attention_heads),
        "hidden_size": int(encoder.config.hidden_size),
        "parity_min_cosine": float(cosines.min()),
        "parity_ok": bool(cosines.min() >= PARITY_COSINE),
    }
    (staged / "export.json").write_text(json.dumps(meta, indent=2) + "\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staged, target)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _pooled_module():
    import torch

    class Pooled(torch.nn.Module):
        """The transformer plus sentence-transformers' pooling and normalisation."""

        def __init__(self, encoder, pooling: str, normalize: bool):
            super().__init__()
            self.encoder, self.pooling, self.normalize = encoder, pooling, normalize

        def forward(self, input_ids, attention_mask, token_type_ids):
            tokens = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )[0]
            if self.pooling == "cls":
                pooled = tokens[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            if self.normalize:
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            return pooled

    return Pooled


def _Pooled(encoder, pooling: str, normalize: bool):
    return _pooled_module()(encoder, pooling, normalize)


def threads() -> int:
    """The cores this process may use (``$NEWSDESK_THREADS`` overrides): the runners'
    threads and workers, and the BM25 pool. onnxruntime's own default counts every core
    of the machine, which oversubscribes a container."""
    env = os.environ.get("NEWSDESK_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# A call with at most this many texts (a question; an answer's candidate sentences) runs
# on one thread: measured on 2 busy cores, one query takes 3.5 ms on one thread and 7 ms
# on two (thread hand-offs cost more than a short sequence's arithmetic). Build batches
# (64) use every core. Each session holds ~120-150 MB, so a process that only answers
# questions keeps to the one-thread session.
SINGLE_THREAD_TEXTS = 63


def new_session(model_path: Path, threads: int, disabled_optimizers: tuple[str, ...] = ()):
    """An onnxruntime CPU session of ``model_path`` with ``threads`` intra-op threads and
    every graph optimisation (less ``disabled_optimizers``)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(
        str(model_path),
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=list(disabled_optimizers),
    )


class Sessions:
    """One session of a model per thread count, made on first use (thread-safe)."""

    def __init__(self, model_path: Path):
        self.model_path = model_path
        self._made: dict[int, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, threads: int):
        with self._lock:
            if threads not in self._made:
                self._made[threads] = new_session(self.model_path, threads)
            return self._made[threads]


class OnnxEncoder:
    """Runs an export: texts -> (n, dim) float32 unit vectors, sorted by length into
    batches so padding is small, in the input order on return. Two onnxruntime sessions
    are made lazily: one thread for a few texts, all cores for batches, so a process that
    only answers questions never holds the second."""

    def __init__(self, folder: Path, *, config: dict | None = None):
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.config = config or json.loads((folder / "export.json").read_text())
        self.model_path = folder / "model.onnx"
        self.session = Sessions(self.model_path)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(self.config["max_seq_length"]))
        self.tokenizer.no_padding()
        pad_id = self.tokenizer.token_to_id("[PAD]")
        self.pad_id = 0 if pad_id is None else pad_id

    def encode(self, texts: list[str], *, batch_size: int = 64, progress: bool | str = False) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        session = self.session(1 if len(texts) <= SINGLE_THREAD_TEXTS else threads())
        inputs = {i.name for i in session.get_inputs()}
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        out: np.ndarray | None = None
        starts = range(0, len(order), batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc=progress if isinstance(progress, str) else "Batches", leave=False)
        for start in starts:
            rows = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            types = np.zeros((len(rows), width), dtype=np.int64)
            for j, i in enumerate(rows):
                e = encodings[i]
                ids[j, : len(e.ids)] = e.ids
                mask[j, : len(e.ids)] = 1
                types[j, : len(e.ids)] = e.type_ids
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            (vectors,) = session.run(None, {k: v for k, v in feeds.items() if k in inputs})
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)
