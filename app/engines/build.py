"""``build_index`` for any location: a folder (``app.index.build``) or a ``milvus:`` URI
(``app.engines.milvus.ingest``), embedding locally or on Ray (``ray=``)."""

from __future__ import annotations

import os
from contextlib import nullcontext

from app.engines.location import MilvusLocation, resolve
from app.index import build as local_build
from app.types import BuildReport

LOCAL_RAY = "local"  # ``--ray`` without an address: a Ray started in this process


def build_index(
    source: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | MilvusLocation,
    *,
    model: str | None = None,
    progress: bool = False,
    keep_all: bool = False,
    field_map: dict[str, str] | str | None = None,
    tz=None,
    compact: bool | None = None,
    ray: str | None = None,
) -> BuildReport:
    """Make ``out_dir`` (a folder, ``milvus:./news.db`` or ``milvus:http://HOST:19530``)
    an index of the articles under ``source``, embedding only what is new.

    Args:
        ray: embed the new passages with Ray Data: ``"local"`` starts Ray in this
            process, an address (``"HOST:6379"`` or ``"auto"``) joins a cluster; None
            (default) embeds here. The vectors are the same either way.
        The others: as ``app.index.build.build_index`` (``compact`` is for folders).

    Example:
        >>> build_index("seeds", "milvus:./news.db").passages
        7
    """
    where = resolve(out_dir)
    if ray is not None:
        from app.engines.ray_embed import ray_encoder

        session = ray_encoder(None if ray == LOCAL_RAY else ray)
    else:
        session = nullcontext(None)
    with session as embed:
        if isinstance(where, MilvusLocation):
            from app.engines.milvus.ingest import build_milvus

            return build_milvus(
                source, where, model=model, progress=progress, keep_all=keep_all, field_map=field_map, tz=tz,
                encode=embed,
            )  # fmt: skip
        return local_build.build_index(
            source, where, model=model, progress=progress, keep_all=keep_all, field_map=field_map, tz=tz,
            compact=compact, embed=embed,
        )  # fmt: skip
