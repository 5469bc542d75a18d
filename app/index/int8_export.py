"""The int8 export of a MiniLM-style fp32 ONNX export ("int8-v1"), and its quality gate.

Why: MiniLM is compute-bound on a 2-core CPU, so an fp32 graph cannot go much faster
than torch (docs/performance.md). Int8 weights times uint8 activations run on the CPU's
integer dot-product instructions (AVX512-VNNI / AVX-VNNI: onnxruntime's u8s8 kernels),
and a fused graph cuts the element-wise work around them.

The recipe (``RECIPE``), from an fp32 export folder (``model.onnx``, ``tokenizer.json``,
``export.json`` as ``app.index.onnx_model`` writes them, with eager attention):

1. **Fuse** with onnxruntime's transformer optimiser: Attention (QKV projection, mask
   and softmax in one op), EmbedLayerNormalization, BiasGelu. SkipLayerNormalization is
   left unfused on purpose: onnxruntime 1.32's CPU kernel for it takes ~6x the time of
   the Add + LayerNormalization it replaces (measured), so sessions disable that fusion
   too (``int8_runner.DISABLED_OPTIMIZERS``). Fusion needs the additive-mask attention of
   an eager export; torch's SDPA export fuses nothing, and ``build`` refuses it.
2. **Quantise** dynamically: int8 weights per output channel, activations quantised per
   tensor at run time (``quantize_dynamic``, QInt8, ``per_channel=True``). Per-tensor
   weights drift to a mean cosine ~0.955 (the old ``onnx-int8``); per-channel is 0.993.
3. **Gate** on real news text (``app.index.gate_texts``: the seed article's paragraphs
   and a fixed set of news paragraphs): the int8 vectors against the fp32 export's, mean
   and minimum cosine and how often each text's fp32 nearest neighbour stays in the
   int8 top 5. The outcome is recorded either way (``int8-v1.json``), so a failed gate
   is not retried on every start; a failed one leaves no model, and callers keep fp32.

Does not: run the model (``app.index.int8_runner``), import torch, or static
quantisation (measured slower here and no more accurate).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

RECIPE = "int8-v1"  # bump when the fusion, quantisation or runner numerics change
MODEL_FILE = "model-int8-v1.onnx"
META_FILE = "int8-v1.json"
# Measured on 5,969 RealTimeQA paragraphs: mean 0.993, min 0.976 for this recipe;
# per-tensor weights give mean 0.955, so a mean under 0.99 means a broken recipe or
# kernel, not text variety. The minimum guards against one text going astray.
GATE_MEAN_COSINE = 0.99
GATE_MIN_COSINE = 0.95
# Share of texts whose fp32 nearest neighbour (among the gate's texts) is in the int8 top 5.
GATE_NEIGHBOUR_RECALL = 0.95
MIN_GATE_TEXTS = 32  # fewer make the neighbour check meaningless


class Int8BuildError(RuntimeError):
    """The fp32 export cannot be turned into the int8 recipe (e.g. attention not fusable)."""


@dataclass(frozen=True)
class Gate:
    """How the int8 vectors of the gate's texts compare with the fp32 export's."""

    texts: int
    mean_cosine: float
    min_cosine: float
    neighbour_recall: float  # fp32 nearest neighbour found in the int8 top 5

    @property
    def passed(self) -> bool:
        return (
            self.mean_cosine >= GATE_MEAN_COSINE
            and self.min_cosine >= GATE_MIN_COSINE
            and self.neighbour_recall >= GATE_NEIGHBOUR_RECALL
        )

    def to_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed}

    def describe(self) -> str:
        return (
            f"mean cosine to fp32 {self.mean_cosine:.4f} (needs >= {GATE_MEAN_COSINE}), "
            f"min {self.min_cosine:.4f} (>= {GATE_MIN_COSINE}), neighbour recall "
            f"{self.neighbour_recall:.3f} (>= {GATE_NEIGHBOUR_RECALL}) on {self.texts} texts"
        )


def find(folder: Path) -> Path | None:
    """``folder``'s int8 model if a build of this recipe passed its gate, else None."""
    meta = recorded(folder)
    ok = meta is not None and meta.get("gate", {}).get("passed") is True
    path = Path(folder) / MODEL_FILE
    return path if ok and path.is_file() else None


def recorded(folder: Path) -> dict | None:
    """What the last build of this recipe in ``folder`` recorded (its gate), or None."""
    try:
        meta = json.loads((Path(folder) / META_FILE).read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("recipe") == RECIPE else None


def build(folder: Path, texts: list[str] | None = None) -> Gate:
    """Make ``folder``'s int8 model from its fp32 ``model.onnx`` and gate it on ``texts``
    (default: ``gate_texts.TEXTS``). The model is written (atomically) only if the gate
    passes; the gate's outcome is recorded in ``META_FILE`` either way.

    Returns:
        The gate (``gate.passed`` says whether ``find(folder)`` now returns the model).

    Raises:
        Int8BuildError: the fp32 graph does not fuse (an SDPA export).

    Example:
        >>> build(export_folder).passed  # doctest: +SKIP
        True
    """
    import onnxruntime

    folder = Path(folder)
    if texts is None:
        from app.index.gate_texts import TEXTS as texts
    if len(texts) < MIN_GATE_TEXTS:
        raise ValueError(f"the gate needs at least {MIN_GATE_TEXTS} texts, got {len(texts)}")
    heads, hidden = _dimensions(folder)
    fused = folder / f".fused.{os.getpid()}.onnx"
    staged = folder / f".{MODEL_FILE}.{os.getpid()}"
    try:
        _fuse(folder / "model.onnx", fused, heads, hidden)
        _quantize(fused, staged)
        gate = measure_gate(folder, staged, list(texts))
        if gate.passed:
            os.replace(staged, folder / MODEL_FILE)
    finally:
        fused.unlink(missing_ok=True)
        staged.unlink(missing_ok=True)
    meta = {"recipe": RECIPE, "onnxruntime": onnxruntime.__version__, "gate": gate.to_dict()}
    tmp = folder / f".{META_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps(meta, indent=2) + "\n")
    os.replace(tmp, folder / META_FILE)
    return gate


def measure_gate(folder: Path, int8_model: Path, texts: list[str]) -> Gate:
    """Compare ``int8_model`` with ``folder``'s fp32 ``model.onnx`` on ``texts``, both run
    by the same runner (same batches, so only the arithmetic differs)."""
    from app.index.int8_runner import SessionPool

    reference = SessionPool(Path(folder) / "model.onnx", folder).encode(texts)
    ours = SessionPool(int8_model, folder).encode(texts)
    cosines = np.sum(reference * ours, axis=1)
    ref_sim, our_sim = reference @ reference.T, ours @ ours.T
    np.fill_diagonal(ref_sim, -np.inf)
    np.fill_diagonal(our_sim, -np.inf)
    nearest = ref_sim.argmax(axis=1)
    top5 = np.argsort(-our_sim, axis=1)[:, :5]
    return Gate(
        texts=len(texts),
        mean_cosine=round(float(cosines.mean()), 5),
        min_cosine=round(float(cosines.min()), 5),
        neighbour_recall=round(float(np.mean(np.any(top5 == nearest[:, None], axis=1))), 4),
    )


def _dimensions(folder: Path) -> tuple[int, int]:
    """Attention heads and hidden size: from export.json, else the model's config.json."""
    meta = json.loads((folder / "export.json").read_text())
    if "num_heads" in meta and "hidden_size" in meta:
        return int(meta["num_heads"]), int(meta["hidden_size"])
    try:
        config = json.loads((Path(meta["model_folder"]) / "config.json").read_text())
        return int(config["num_attention_heads"]), int(config["hidden_size"])
    except (KeyError, OSError, ValueError) as err:
        raise Int8BuildError(f"{folder}: attention heads and hidden size unknown ({err})") from err


def _fuse(source: Path, target: Path, heads: int, hidden: int) -> None:
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    options = FusionOptions("bert")
    options.enable_skip_layer_norm = False  # slower than Add + LayerNormalization (module doc)
    options.enable_bias_skip_layer_norm = False
    fused = optimize_model(
        str(source),
        model_type="bert",
        num_heads=heads,
        hidden_size=hidden,
        opt_level=0,
        optimization_options=options,
    )
    layers = sum(1 for n in fused.model.graph.node if n.op_type == "LayerNormalization") // 2
    attention = sum(1 for n in fused.model.graph.node if n.op_type == "Attention")
    if attention == 0 or attention != layers:
        raise Int8BuildError(
            f"{source}: {attention} of {layers} attention blocks fused; an SDPA export "
            "(Where/IsNaN masking) does not fuse: export with eager attention"
        )
    fused.save_model_to_file(str(target))


def _quantize(source: Path, target: Path) -> None:
    logging.disable(logging.WARNING)  # "consider pre-processing": measured, not needed here
    try:
        _quantize_dynamic(source, target)
    finally:
        logging.disable(logging.NOTSET)


def _quantize_dynamic(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(source),
        str(target),
        per_channel=True,  # per-tensor int8 weights drift to cosine ~0.955 (module doc)
        reduce_range=False,  # 7-bit weights only matter without VNNI (vpmaddubsw saturation)
        weight_type=QuantType.QInt8,  # u8 activations x s8 weights: the VNNI kernels
        # contrib ops (Attention, EmbedLayerNormalization) have no inferred output types
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
