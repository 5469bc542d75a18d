"""Build or update an index folder from a folder of articles, incrementally.

Passages whose id is already in the index keep their vectors; only new passages are
embedded, and a deleted article's passages leave. When nothing changed (same files,
same model, same recipe) the build returns at once without loading the model. A change
of model re-embeds everything. When only the manifest would change (a file renamed, a
bad file added) only the manifest is switched.

A missing or damaged index in ``out_dir`` is rebuilt from scratch, not an error. The
folder's build lock makes a concurrent build wait (with a message when ``progress``).
``ensure_current_index`` is the explicit step that brings the default index up to date
with ``seeds/`` (``newsdesk serve`` and ``make run`` call it); searching never writes.
Does not embed the articles of files with problems; those are in the report.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import datetime, timezone, tzinfo
from pathlib import Path

import numpy as np

from app.index import density, files, generation, manifest
from app.index.embedder import get_embedder, model_name
from app.index.errors import IndexUnavailable
from app.index.keyword import KeywordIndex
from app.index.locations import default_index_dir, default_seeds_dir
from app.index.models import choose_model
from app.index.passages import split_passages
from app.index.store import PassageRow, StoredIndex
from app.index.vectors import index_kind
from app.news.enrich import enrich
from app.sources import READ_RECIPE, load_articles, parse_map
from app.types import BuildReport, Passage, StoredArticle

# What is embedded for a passage. Changing it invalidates every stored vector.
EMBED_RECIPE = "passage-text-v1"


def build_index(
    source: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    model: str | None = None,
    progress: bool = False,
    keep_all: bool = False,
    field_map: dict[str, str] | str | None = None,
    tz: tzinfo | None = None,
) -> BuildReport:
    """Make ``out_dir`` an index of the articles under ``source``; embed only what is new.

    Args:
        source: a folder of articles (searched recursively) or one file.
        out_dir: the index folder; created if missing.
        model: a model name, alias ("multilingual") or path; default: chosen by the
            articles' languages (``app.index.models.choose_model``): all-MiniLM-L6-v2
            for English, multilingual-e5-small once other languages are there.
        progress: show progress bars while reading and embedding.
        keep_all, field_map, tz: how to read the articles (``load_articles``).

    Returns:
        A BuildReport with counts of articles and of passages added, removed, unchanged,
        and every problem met in the files.

    Example:
        >>> build_index("seeds", "embeddings").to_dict()["articles"]
        1
    """
    started = time.perf_counter()
    out = Path(out_dir)
    reading = _reading(keep_all, field_map, tz)
    with files.build_lock(out, on_wait=_tell_waiting(out) if progress else None):
        loaded = load_articles(source, keep_all=keep_all, field_map=field_map, tz=tz, progress=progress)
        name = choose_model(loaded.languages(), model)
        old = _previous(out, name)
        if old is not None and _current(old.manifest, loaded.files, name, reading):
            count = old.manifest["count"]
            return _report(loaded, count, 0, 0, count, started, out, name)

        passages = [p for article in loaded.articles for p in split_passages(article)]
        articles = enrich(loaded.articles, old.articles if old is not None else None)
        gen = _generation(name, passages, articles)
        old_rows = {row.passage_id: i for i, row in enumerate(old.passages)} if old else {}
        new = [p for p in passages if p.passage_id not in old_rows]
        record = {
            "format_version": manifest.FORMAT_VERSION,
            "generation": gen,
            "model": name,
            "dimension": None,
            "count": len(passages),
            "articles": len(loaded.articles),
            "embed_recipe": EMBED_RECIPE,
            "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "source": Path(source).name,
            "reading": reading,
            "files": loaded.files,
            "languages": loaded.languages(),
            "problem_counts": loaded.counts(),
            "problems": [p.to_dict() for p in loaded.problems],
        }
        same_kind = old is not None and old.manifest.get("index_kind") == index_kind(len(passages))
        if old is not None and old.manifest["generation"] == gen and same_kind:
            # Same passages and articles (a renamed or newly broken file changed only the
            # manifest): the data files in place are this build's, byte for byte.
            kept = ("files_in_index", "checksums", "stamps", "index_kind")
            kept_files = {k: old.manifest[k] for k in kept if k in old.manifest}
            manifest.switch_manifest(out, {**record, "dimension": int(old.vectors.d), **kept_files})
        else:
            if new or old is None:
                embedder = get_embedder(name)
                fresh, dim = embedder.encode([embed_text(p) for p in new], progress=progress), embedder.dim
            else:  # articles renamed or removed only: every vector is in the old index
                fresh, dim = None, old.vectors.d
            vectors = _assemble(passages, old, old_rows, new, fresh, dim)
            generation.write(
                out,
                manifest={**record, "dimension": int(vectors.shape[1])},
                vectors=vectors,
                passages=[
                    PassageRow(p.passage_id, p.article_id, p.paragraph, p.start, p.end)
                    for p in passages
                ],
                articles=articles,
                keyword=KeywordIndex.build([p.text for p in passages]),
                previous=old.vectors if old is not None else None,
                density=_density(vectors, passages, old, old_rows, new),
            )
        kept = len(passages) - len(new)
        removed = len(old_rows) - kept
        return _report(loaded, len(passages), len(new), removed, kept, started, out, name)


def index_status(
    source: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, model: str | None = None
) -> str | None:
    """None if ``out_dir`` is a current index of ``source``, else why it is not."""
    try:
        recorded = manifest.read_manifest(Path(out_dir))
    except IndexUnavailable as err:
        return str(err)
    name = model_name(model) if model else recorded["model"]
    # The options the index was read with, under today's readers (READ_RECIPE).
    was = recorded.get("reading") or {}
    options = {"keep_all": was.get("keep_all", False), "field_map": was.get("field_map") or None}
    reading = {**_reading(options["keep_all"], options["field_map"], None), "tz": was.get("tz")}
    if not _current(recorded, load_articles(source, **options).files, name, reading):
        return f"{out_dir} is out of date with {source} (files, model or readers changed)"
    return None


def embed_text(passage: Passage) -> str:
    return passage.text


def ensure_current_index(*, progress: bool = False) -> BuildReport | None:
    """Rebuild the default index (``embeddings/``) if ``seeds/`` or the model changed
    since it was built; None when it is current (or there is no seeds folder)."""
    seeds, folder = default_seeds_dir(), default_index_dir()
    if seeds.is_dir() and index_status(seeds, folder) is not None:
        return build_index(seeds, folder, progress=progress)
    return None


def _previous(out: Path, name: str) -> StoredIndex | None:
    """The index already in ``out`` if it can be reused (same model and recipe). A
    missing or damaged index is None: the build then writes a whole new one."""
    try:
        old = StoredIndex(out, signatures=True)
        if "checksums" not in old.manifest:
            _ = old.keyword  # an index from before checksums: parse the lazy part too
    except IndexUnavailable:
        return None
    same = old.manifest.get("model") == name and old.manifest.get("embed_recipe") == EMBED_RECIPE
    return old if same else None


def _reading(keep_all: bool, field_map, tz) -> dict:
    """How the articles were read, as the manifest records it: a build with other options
    (or after the readers changed, ``READ_RECIPE``) reads them again."""
    mapping = parse_map(field_map) if isinstance(field_map, str) or field_map is None else dict(field_map)
    return {
        "recipe": READ_RECIPE,
        "keep_all": keep_all,
        "field_map": mapping,
        "tz": tz.utcoffset(None).total_seconds() / 3600 if tz is not None else None,
    }


def _current(manifest: dict, files: dict[str, str], name: str, reading: dict) -> bool:
    return (
        manifest.get("files") == files
        and manifest.get("reading") == reading
        and manifest.get("model") == name
        and manifest.get("embed_recipe") == EMBED_RECIPE
        # the search index is the kind its size calls for (the cut-over may have moved)
        and manifest.get("index_kind") == index_kind(manifest.get("count", 0))
    )


# An update that adds more than this share of the corpus recomputes every passage's
# density; below it, only the new passages' (the others' neighbours barely move).
DENSITY_REFRESH = 0.1


def _density(vectors, passages, old, old_rows, new) -> np.ndarray | None:
    """Raw hubness densities (``density.raw_density``) of the new generation: the old
    index's for passages it had, computed for the new ones; all of them afresh after a
    large change. None above ``density.HUBNESS_MAX_PASSAGES`` (the penalty is then off)."""
    n = len(vectors)
    if n > density.HUBNESS_MAX_PASSAGES:
        return None
    previous = old.raw_density if old is not None else None
    if previous is None or len(previous) != len(old.passages) or len(new) > DENSITY_REFRESH * n:
        return density.raw_density(vectors)
    raw = np.empty(n, dtype=np.float64)
    fresh = [i for i, p in enumerate(passages) if p.passage_id not in old_rows]
    kept = [i for i, p in enumerate(passages) if p.passage_id in old_rows]
    raw[kept] = previous[[old_rows[passages[i].passage_id] for i in kept]]
    if fresh:
        raw[fresh] = density.raw_density(vectors, rows=np.array(fresh))
    return raw


def _assemble(passages, old, old_rows, new, fresh, dim) -> np.ndarray:
    """The vectors of ``passages`` in order: fresh rows for new passages, the rest
    copied from the old index's matrix (vectorised: one gather, not a loop of reads)."""
    vectors = np.zeros((len(passages), dim), dtype=np.float32)
    fresh_rows = {p.passage_id: i for i, p in enumerate(new)}
    targets = np.fromiter((p.passage_id in fresh_rows for p in passages), dtype=bool, count=len(passages))
    if fresh is not None and len(new):
        vectors[targets] = fresh[[fresh_rows[p.passage_id] for p in passages if p.passage_id in fresh_rows]]
    if old is not None and old_rows and not targets.all():
        sources = [old_rows[p.passage_id] for p in passages if p.passage_id not in fresh_rows]
        vectors[~targets] = old.all_vectors()[np.asarray(sources)]
    return vectors


def _generation(name: str, passages: list[Passage], articles: list[StoredArticle]) -> str:
    """Content-derived from everything the data files hold (passage ids and offsets,
    article records), so the same generation always means the same files: rebuilding
    the same corpus with the same model gives the same names, and a build never has to
    overwrite a live file with different content."""
    digest = hashlib.sha256(f"{name}\n{EMBED_RECIPE}\n".encode())
    for p in passages:
        digest.update(f"{p.passage_id} {p.paragraph} {p.start} {p.end}\n".encode())
    for article in articles:
        digest.update(json.dumps(article.to_dict(), sort_keys=True, ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()[:12]


def _tell_waiting(out: Path):
    def tell() -> None:
        print(f"newsdesk: another build of {out} is running; waiting for it to finish", file=sys.stderr)

    return tell


def _report(loaded, count, added, removed, unchanged, started, out, name) -> BuildReport:
    return BuildReport(
        articles=len(loaded.articles),
        passages=count,
        added=added,
        removed=removed,
        unchanged=unchanged,
        seconds=round(time.perf_counter() - started, 3),
        index_dir=str(out),
        model=name,
        problems=loaded.problems,
        languages=loaded.languages(),
        mappings=tuple(loaded.mappings()),
        records=loaded.records,
    )
