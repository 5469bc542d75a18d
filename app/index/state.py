"""A generation's state: what a build changes without rewriting segments.

``state-<id>.npz`` (the id derived from its content) holds, for the segments the
manifest lists, in their order:

* ``dead_passages_<i>``, ``dead_articles_<i>``: segment i's tombstoned rows (passages
  and articles a later build removed or replaced); they stay in the segment's files,
  unseen by readers, until a merge drops them;
* ``sum_*``: the moment sums (``app.index.vectors.moment_sums`` of the tombstoned vectors),
  so the live moments are the segments' sums less these, exactly;
* ``stories``: for every article row (segments concatenated), the row of its story's
  first article (``app.news.syndication``: copies of one wire story share it);
* ``density``, ``kth``: every passage row's raw hubness density and its cosine to its
  k-th nearest live neighbour (``app.index.density.Densities``: an update recomputes
  only the densities it can change), NaN for tombstoned rows; absent when the index is
  too large for them. An index written before ``kth`` reads as NaN there: its next
  update computes every density once.

Small next to the segments (12 bytes a passage, 8 an article), so every build writes
a whole new one. Knows nothing of files other than its own.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.index.density import Densities
from app.index.files import sha256


@dataclass(frozen=True)
class State:
    dead_passages: list[np.ndarray]  # per segment: bool mask of its passage rows
    dead_articles: list[np.ndarray]  # per segment: bool mask of its article rows
    dead_sums: dict[str, np.ndarray]  # moment sums of the tombstoned vectors
    stories: np.ndarray  # int32, one per article row of all segments
    densities: Densities | None  # one per passage row of all segments


def write_state(folder: Path, state: State) -> tuple[str, str]:
    """Write ``state`` into the index folder; returns its file name and sha256."""
    arrays: dict[str, np.ndarray] = {"stories": np.asarray(state.stories, dtype=np.int32)}
    for i, (passages, articles) in enumerate(zip(state.dead_passages, state.dead_articles, strict=True)):
        arrays[f"dead_passages_{i}"] = np.flatnonzero(passages).astype(np.int32)
        arrays[f"dead_articles_{i}"] = np.flatnonzero(articles).astype(np.int32)
        arrays[f"passages_{i}"] = np.array(len(passages))
        arrays[f"articles_{i}"] = np.array(len(articles))
    arrays["segments"] = np.array(len(state.dead_passages))
    for key, value in state.dead_sums.items():
        arrays[f"sum_{key}"] = value
    if state.densities is not None:
        arrays["density"] = np.asarray(state.densities.raw, dtype=np.float32)
        arrays["kth"] = np.asarray(state.densities.kth, dtype=np.float32)
    staged = folder / f".tmp-state-{os.getpid()}.npz"
    np.savez(staged, **arrays)
    digest = sha256(staged, sync=True)
    name = f"state-{digest[:12]}.npz"
    if _holds(folder / name, digest):  # the same state (only the manifest changes): keep the file
        staged.unlink()
    else:
        os.replace(staged, folder / name)
    return name, digest


def _holds(path: Path, digest: str) -> bool:
    try:
        return sha256(path) == digest
    except OSError:
        return False


def read_state(path: Path) -> State:
    with np.load(path) as data:
        count = int(data["segments"])
        dead_passages, dead_articles = [], []
        for i in range(count):
            passages = np.zeros(int(data[f"passages_{i}"]), dtype=bool)
            passages[data[f"dead_passages_{i}"]] = True
            articles = np.zeros(int(data[f"articles_{i}"]), dtype=bool)
            articles[data[f"dead_articles_{i}"]] = True
            dead_passages.append(passages)
            dead_articles.append(articles)
        sums = {k.removeprefix("sum_"): data[k] for k in data.files if k.startswith("sum_")}
        densities = None
        if "density" in data.files:
            raw = data["density"]
            kth = data["kth"] if "kth" in data.files else np.full(len(raw), np.nan, np.float32)
            densities = Densities(raw, kth)
        return State(dead_passages, dead_articles, sums, data["stories"], densities)


def digest_of(names: list[str]) -> str:
    """A generation id from the names of its files (which derive from their content)."""
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]
