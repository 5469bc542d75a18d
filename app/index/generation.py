"""Writing one complete index generation, then switching the folder to it.

The generation's data files are written under their final names in a staging folder
(``.tmp-<gen>-<pid>``), synced and checksummed, moved into the index folder one atomic
rename each, and only then does ``manifest.json`` switch to them (``app.index.files``,
``app.index.manifest``). A build killed at any point leaves the previous generation
answering; what it left behind is removed by the next switch. A file that already has
its final name belongs to the same generation (the name is derived from the content),
so replacing it changes no byte a reader relies on.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from app.index.files import install, sha256, write_jsonl
from app.index.manifest import names, stamp, switch_manifest
from app.index.store import PassageRow
from app.index.vectors import index_kind, make_index, write_stats
from app.types import StoredArticle


def write(
    folder: Path,
    *,
    manifest: dict[str, Any],
    vectors: np.ndarray,
    passages: list[PassageRow],
    articles: list[StoredArticle],
    keyword,
    previous=None,
    density: np.ndarray | None = None,
) -> None:
    """Write a complete index generation, then switch ``manifest.json`` to it.

    Args:
        manifest: the new manifest, with its ``generation`` id; the file names, index
            kind, checksums and stamps are added here.
        vectors, passages, articles, keyword: the generation's content, in row order.
        previous: the FAISS index of the generation being replaced, whose trained IVF
            cells are reused when they still fit the corpus size (``make_index``).
        density: each passage's raw hubness density (``app.index.density``), if any.
    """
    import faiss

    files = names(manifest["generation"])
    tmp = folder / f".tmp-{manifest['generation']}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    kind = index_kind(len(vectors))
    faiss.write_index(make_index(vectors, kind, trained=previous), str(tmp / files["vectors"]))
    np.save(tmp / files["matrix"], np.ascontiguousarray(vectors, dtype=np.float32))
    language = {a.article_id: a.language for a in articles}
    write_stats(tmp / files["stats"], vectors, density, [language[p.article_id] for p in passages])
    write_jsonl(tmp / files["passages"], (asdict(p) for p in passages))
    write_jsonl(tmp / files["articles"], (a.to_dict() for a in articles))
    keyword.save(tmp / files["keyword"])
    checksums = {}
    for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
        checksums[path.relative_to(tmp).as_posix()] = sha256(path, sync=True)
    for name in files.values():
        install(tmp / name, folder / name)
    shutil.rmtree(tmp, ignore_errors=True)
    stamps = {name: stamp(folder / name) for name in checksums}
    switch_manifest(
        folder,
        {**manifest, "index_kind": kind, "files_in_index": files, "checksums": checksums, "stamps": stamps},
    )
