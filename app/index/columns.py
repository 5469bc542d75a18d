"""Columns on disk that load without parsing: text as one UTF-8 blob with offsets, ids
as a fixed-width byte array with its sort order, both memory-mapped.

Start-up at a million passages cannot afford to parse a JSON line (or build a dict
entry) per row: these columns are opened in microseconds, and a row costs a slice (a
text) or a bisection (an id) when it is used. Knows nothing of articles or passages.
"""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np


def write_texts(folder: Path, name: str, texts: list[str]) -> None:
    """``<name>.bin`` (the texts' UTF-8 bytes, one after another) and
    ``<name>-offsets.npy`` (int64, one more than the texts: text i is bytes
    [offsets[i], offsets[i+1]))."""
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    with open(folder / f"{name}.bin", "wb") as out:
        for chunk in encoded:
            out.write(chunk)
    np.save(folder / f"{name}-offsets.npy", offsets)


class Texts:
    """A text column, read a row at a time."""

    def __init__(self, folder: Path, name: str):
        # plain ndarray views of the maps: numpy's memmap subclass costs microseconds a row
        self.offsets = np.asarray(np.load(folder / f"{name}-offsets.npy", mmap_mode="r"))
        size = int(self.offsets[-1])
        path = folder / f"{name}.bin"
        if path.stat().st_size != size:
            raise ValueError(f"{path.name} holds {path.stat().st_size} bytes, its offsets say {size}")
        self.blob: mmap.mmap | bytes = b""  # an empty file cannot be memory-mapped
        if size:
            with open(path, "rb") as handle:
                self.blob = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        a, b = self.offsets[i : i + 2].tolist()
        return self.blob[a:b].decode("utf-8")


def write_ids(folder: Path, name: str, ids: list[str]) -> None:
    """``<name>.npy`` (the ids as fixed-width bytes, in row order) and
    ``<name>-order.npy`` (the rows sorted by id: what ``Ids.find`` bisects)."""
    array = np.array([i.encode("utf-8") for i in ids], dtype=bytes) if ids else np.zeros(0, dtype="S1")
    np.save(folder / f"{name}.npy", array)
    np.save(folder / f"{name}-order.npy", np.argsort(array, kind="stable").astype(np.int32))


class Ids:
    """An id column: the id of a row, and the row of an id."""

    def __init__(self, folder: Path, name: str):
        self.ids = np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r"))
        self.order = np.asarray(np.load(folder / f"{name}-order.npy", mmap_mode="r"))
        if len(self.order) != len(self.ids):
            raise ValueError(f"{name}-order.npy does not match {name}.npy")

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, row: int) -> str:
        return bytes(self.ids[row]).decode("utf-8")

    def find(self, key: str) -> list[int]:
        """The rows holding ``key`` (ascending; usually one, none if absent)."""
        if not len(self.ids):
            return []
        needle = np.array(key.encode("utf-8"), dtype=self.ids.dtype)
        if needle.tobytes().rstrip(b"\0") != key.encode("utf-8"):
            return []  # longer than any stored id
        lo = _bisect(self.ids, self.order, needle)
        rows = []
        while lo < len(self.order) and self.ids[self.order[lo]] == needle:
            rows.append(int(self.order[lo]))
            lo += 1
        return sorted(rows)


def _bisect(ids: np.ndarray, order: np.ndarray, needle) -> int:
    """The first position in ``order`` whose id is not below ``needle``: a bisection
    that touches ~log2(n) rows of the memory-mapped columns, not all of them."""
    lo, hi = 0, len(order)
    while lo < hi:
        mid = (lo + hi) // 2
        if ids[order[mid]] < needle:
            lo = mid + 1
        else:
            hi = mid
    return lo
