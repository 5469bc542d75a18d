"""Build or update an index folder from a folder of articles, incrementally.

A build reads only the files that changed since the index was made (by size and
modification time, then sha256; ``app.sources.KnownFile``): an unchanged file's stored
articles stand in for it. Articles that are new or changed go into a new segment (a
delta), with only their new passages embedded; removed ones are tombstoned; when the
deltas grow, everything is merged into one segment (``app.index.update``). When nothing
changed (same files, model, recipe) the build returns at once without loading the
model. A change of model, or of the vectors' precision (``Embedder.precision``: int8-v1
or fp32, recorded in the manifest), re-embeds everything: int8 and fp32 vectors are
close (cosine ~0.99) but not equal, and an index never mixes them.

A missing or damaged index in ``out_dir`` is rebuilt from scratch, not an error. The
folder's build lock makes a concurrent build wait (with a message when ``progress``).
Readers see the previous generation until the manifest switches (``generation.commit``).
``ensure_current_index`` is the explicit step that brings the default index up to date
with ``seeds/`` (``newsdesk serve`` and ``make run`` call it); searching never writes.
Does not embed the articles of files with problems; those are in the report.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timezone, tzinfo
from pathlib import Path

import numpy as np

from app.index import files, generation, update
from app.index.embedder import FP32, get_embedder
from app.index.errors import IndexUnavailable
from app.index.locations import default_index_dir, default_seeds_dir
from app.index.manifest import FORMAT_VERSION, read_manifest
from app.index.models import choose_model, recorded_design, split_design
from app.index.reuse import Reuse
from app.index.segment import write_segment
from app.index.state import State
from app.index.store import StoredIndex
from app.index.stories import appended_story_rows, signatures_of, story_rows
from app.index.vectors import FLAT_MAX_PASSAGES
from app.sources import READ_RECIPE, listing, load_articles, parse_map, same_file
from app.types import BuildReport, Problem

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
    compact: bool | None = None,
    embed=None,
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
        compact: True merges the index into one segment, False always appends a
            delta; None (default) merges when the deltas grow (``update.should_merge``).
        embed: ``embed(model_name, texts) -> vectors`` instead of the local embedder
            (``app.engines.ray_embed`` embeds on a Ray cluster).

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
        old = _previous(out)
        if old is not None and compact is not True and _unchanged(old.manifest, source, reading, model):
            return _report_unchanged(old.manifest, started, out)
        reuse = Reuse(old) if old is not None and old.manifest.get("reading") == reading else None
        known = reuse.known_files() if reuse is not None else None
        stored = reuse.stored if reuse is not None else {}  # id() of a reused article -> its row
        loaded = load_articles(
            source, keep_all=keep_all, field_map=field_map, tz=tz, progress=progress, known=known
        )
        name = choose_model(loaded.languages(), model)
        primary, second = split_design(name)
        precision = _precision(primary)
        companion = _companion_record(second)
        if old is not None and (
            old.manifest.get("embed_recipe") != EMBED_RECIPE
            or design_of(old.manifest) != (primary, precision, companion)
        ):
            old, stored = None, {}  # another model or precision: every vector is embedded again

        def encoder(model_name: str):
            def encode(texts: list[str]) -> np.ndarray:
                if embed is not None and texts:
                    return embed(model_name, texts)
                label = f"embedding ({model_name.rsplit('/', 1)[-1]})" if progress else False
                return get_embedder(model_name).encode(texts, progress=label)

            return encode

        new = update.draft(
            old, loaded.articles, encoder(primary), stored, encoder(second) if second else None
        )
        merge = old is None or (compact if compact is not None else update.should_merge(old, new))
        segments, checksums, state = (_merge if merge else _append)(out, old, new)
        if reuse is not None:  # reuse files added to old segments (kept ones only: commit filters)
            checksums = {**reuse.written, **checksums}
        count = _live_passages(state)
        record = {
            "format_version": FORMAT_VERSION,
            "model": primary,
            **(
                {"companion": {**companion, "dimension": int(new.parts.companion.shape[1])}} if second else {}
            ),
            "dimension": int(new.parts.vectors.shape[1])
            if new.parts.vectors.size
            else (old.dim if old else None),
            "count": count,
            "articles": len(loaded.articles),
            "embed_recipe": EMBED_RECIPE,
            "precision": precision,
            "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "source": Path(source).name,
            "reading": reading,
            "files": loaded.files,
            "file_stamps": {k: list(v) for k, v in loaded.stamps.items() if k in loaded.files},
            "file_reports": [r.to_dict() for r in loaded.reports],
            "records": loaded.records,
            "mappings": loaded.mappings(),
            "languages": loaded.languages(),
            "problem_counts": loaded.counts(),
            "problems": [p.to_dict() for p in loaded.problems],
        }
        generation.commit(out, record, segments, checksums, state)
        unchanged = new.kept_passages + new.reused
        removed = (old.count if old is not None else 0) - unchanged
        return BuildReport.of(
            loaded,
            started=started,
            index_dir=str(out),
            model=name,
            passages=count,
            added=count - unchanged,
            removed=max(removed, 0),
            unchanged=unchanged,
        )


def _live_passages(state: State) -> int:
    return int(sum(int((~d).sum()) for d in state.dead_passages))


def _append(out: Path, old: StoredIndex, new: update.Draft):
    """A delta segment of the new rows (none when there are none), the old segments
    kept, the tombstones extended."""
    names = [s.folder.name for s in old.segments]
    checksums = {k: v for k, v in old.manifest["checksums"].items() if "/" in k}
    newly_dead = update.passage_mask(old, new.dead_articles)
    dead_passages = old.dead | newly_dead
    dead_articles = old.dead_articles | new.dead_articles
    n_new, a_new = len(new.parts.passage_ids), len(new.parts.articles)
    if n_new or a_new:
        name, written = write_segment(out, new.parts)
        names.append(name)
        checksums.update(written)
    splits = [int(o) for o in old.offsets[1:-1]]
    article_splits = [int(o) for o in old.article_offsets[1:-1]]
    dead_p = np.split(dead_passages, splits) + ([np.zeros(n_new, bool)] if n_new or a_new else [])
    dead_a = np.split(dead_articles, article_splits) + ([np.zeros(a_new, bool)] if n_new or a_new else [])
    stories = appended_story_rows(old, new.parts, dead_articles)
    live = ~np.concatenate([dead_passages, np.zeros(n_new, bool)])
    blocks = [s.matrix for s in old.segments] + ([new.parts.vectors] if n_new else [])
    fresh = np.arange(len(old.dead), len(old.dead) + n_new)
    found = update.densities(old, blocks, live, fresh, newly_dead)
    sums = update.dead_sums(old, old.dead_sums, newly_dead, old.dim)
    return names, checksums, State(dead_p, dead_a, sums, stories, found)


def _merge(out: Path, old: StoredIndex | None, new: update.Draft):
    """One segment of every live row (the old index's and the new ones)."""
    kept = newly_dead = None
    if old is None:
        parts = new.parts
    else:
        parts = update.merged(old, new, new.dead_articles)
        newly_dead = update.passage_mask(old, new.dead_articles) & ~old.dead
        kept = ~(old.dead | newly_dead)
    trained = None
    if old is not None and old.segments:
        largest = max(old.segments, key=len)
        trained = largest.trained_index() if len(largest) > FLAT_MAX_PASSAGES else None
    name, checksums = write_segment(out, parts, trained=trained)
    n, a = len(parts.passage_ids), len(parts.articles)
    ids = [x.article_id for x in parts.articles]
    stories = story_rows(ids, signatures_of(None, parts), np.ones(a, bool))
    fresh = np.arange(n - len(new.parts.passage_ids), n)
    found = update.densities(old, [parts.vectors], np.ones(n, bool), fresh, newly_dead, kept)
    return [name], checksums, State([np.zeros(n, bool)], [np.zeros(a, bool)], {}, stories, found)


def index_status(
    source: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, model: str | None = None
) -> str | None:
    """None if ``out_dir`` is a current index of ``source``, else why it is not."""
    try:
        recorded = read_manifest(Path(out_dir))
    except IndexUnavailable as err:
        return str(err)
    # The options the index was read with, under today's readers (READ_RECIPE).
    was = recorded.get("reading") or {}
    reading = {
        **_reading(was.get("keep_all", False), was.get("field_map") or None, None),
        "tz": was.get("tz"),
    }
    if not _unchanged(recorded, source, reading, model):
        return f"{out_dir} is out of date with {source} (files, model or readers changed)"
    return None


def ensure_current_index(*, progress: bool = False) -> BuildReport | None:
    """Rebuild the default index (``embeddings/``) if ``seeds/`` or the model changed
    since it was built; None when it is current (or there is no seeds folder)."""
    seeds, folder = default_seeds_dir(), default_index_dir()
    if seeds.is_dir() and index_status(seeds, folder) is not None:
        return build_index(seeds, folder, progress=progress)
    return None


def _previous(out: Path) -> StoredIndex | None:
    """The index already in ``out``; a missing, damaged or older-format index is None
    (the build then writes a whole new one)."""
    try:
        return StoredIndex(out)
    except IndexUnavailable:
        return None


def _unchanged(recorded: dict, source, reading: dict, model: str | None) -> bool:
    """Whether an index recorded as ``recorded`` is current: same reading options,
    recipe and model, and the same files (by stamp, or by sha256 when touched)."""
    if recorded.get("reading") != reading or recorded.get("embed_recipe") != EMBED_RECIPE:
        return False
    primary, second = split_design(choose_model(recorded.get("languages") or {}, model))
    if design_of(recorded) != (primary, _precision(primary), _companion_record(second)):
        return False
    hashes, stamps = recorded.get("files") or {}, recorded.get("file_stamps") or {}
    found = listing(source, reading["keep_all"])
    if set(found) != set(hashes):
        return False
    return all(same_file(path, stamps.get(shown), hashes[shown]) for shown, path in found.items())


def _precision(name: str) -> str:
    """The precision of the vectors ``get_embedder(name)`` makes (deciding its runner,
    which builds the int8 model on first use); an embedder without one (a benchmark's
    cache of vectors, a test's fake) is taken as fp32."""
    return getattr(get_embedder(name), "precision", FP32)


def _companion_record(name: str | None) -> dict | None:
    """What a manifest records of a companion model (less its dimension)."""
    return {"model": name, "precision": _precision(name)} if name else None


def design_of(recorded: dict) -> tuple[str | None, str, dict | None]:
    """What decides an index's vectors, as a manifest (or a Milvus record) says: its
    model, that model's precision, and its companion (``_companion_record``'s form)."""
    found = recorded.get("companion")
    companion = {"model": found["model"], "precision": found.get("precision", FP32)} if found else None
    return recorded.get("model"), recorded.get("precision", FP32), companion


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


def _report_unchanged(recorded: dict, started: float, out: Path) -> BuildReport:
    count = recorded["count"]
    return BuildReport(
        articles=recorded.get("articles", 0),
        passages=count,
        added=0,
        removed=0,
        unchanged=count,
        seconds=round(time.perf_counter() - started, 3),
        index_dir=str(out),
        model=recorded_design(recorded),
        problems=tuple(Problem(**p) for p in recorded.get("problems") or ()),
        languages=recorded.get("languages") or {},
        mappings=tuple(recorded.get("mappings") or ()),
        records=recorded.get("records", 0),
    )


def _tell_waiting(out: Path):
    def tell() -> None:
        print(f"newsdesk: another build of {out} is running; waiting for it to finish", file=sys.stderr)

    return tell
