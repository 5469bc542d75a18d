"""Switching an index folder to a new generation: its segments, its state, its manifest.

A build first writes what is new: a segment (``app.index.segment.write_segment``:
staged, synced, renamed into place whole) and a state file (``app.index.state``).
``commit`` then records every file's checksum and stamp in the manifest and switches
``manifest.json`` to it in one atomic rename (``app.index.manifest.switch_manifest``),
which also removes what the new manifest no longer names (merged segments, old state
files, leftovers of killed builds). Until the rename, readers see the previous
generation; a build killed at any point leaves it answering. Segments are never
rewritten: a new one gets a new name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from app.index import manifest
from app.index.density import Densities
from app.index.segment import Segment, SegmentParts, write_segment
from app.index.state import State, digest_of, write_state


def commit(
    folder: Path,
    record: dict[str, Any],
    segments: list[str],
    checksums: dict[str, str],
    state: State,
) -> dict[str, Any]:
    """Switch ``folder`` to a generation of ``segments`` (in order) and ``state``.

    Args:
        record: the manifest's descriptive fields (model, counts, source files, ...).
        segments: the names of the generation's segments, all already in ``folder``.
        checksums: sha256 of every file of those segments, by path relative to
            ``folder`` (the kept segments' from the previous manifest, the new ones'
            from ``write_segment``).
        state: the generation's tombstones, stories and densities.

    Returns:
        The manifest written.
    """
    state_name, state_digest = write_state(folder, state)
    files = {path: digest for path, digest in checksums.items() if path.split("/", 1)[0] in segments}
    files[state_name] = state_digest
    described = []
    for name in segments:
        info = Segment.info(folder / name)
        described.append({"name": name, "passages": info["passages"], "articles": info["articles"]})
    written = {
        **record,
        "format_version": manifest.FORMAT_VERSION,
        "generation": digest_of([*segments, state_name]),
        "segments": described,
        "state": state_name,
        "checksums": dict(sorted(files.items())),
        "stamps": {path: manifest.stamp(folder / path) for path in sorted(files)},
    }
    manifest.switch_manifest(folder, written)
    return written


def write_fresh(
    folder: Path,
    record: dict[str, Any],
    parts: SegmentParts,
    *,
    stories: np.ndarray | None = None,
    density: np.ndarray | None = None,
    trained=None,
) -> dict[str, Any]:
    """Make ``folder`` an index of one segment holding ``parts`` (what a build from
    scratch or a merge writes; benchmarks write synthetic indexes with it).
    ``stories``: each article row's story row (default: every article its own);
    ``density``: raw hubness densities, one a passage (their k-th neighbours unknown:
    the next update computes them all)."""
    folder.mkdir(parents=True, exist_ok=True)
    name, checksums = write_segment(folder, parts, trained=trained)
    n, a = len(parts.passage_ids), len(parts.articles)
    state = State(
        [np.zeros(n, bool)],
        [np.zeros(a, bool)],
        {},
        np.arange(a, dtype=np.int32) if stories is None else stories,
        None if density is None else Densities(density, np.full(n, np.nan, np.float32)),
    )
    return commit(folder, {**record, "count": n}, [name], checksums, state)
