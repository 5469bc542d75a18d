"""Build or update a newsdesk index in Milvus, incrementally, from a folder of articles.

The same reading, enrichment, passages and model as a local build (``app.index``);
what differs is where the rows go. An article is known by its id and a fingerprint of
its fields as read: a new or changed article's passages are upserted by their
content-derived ids (a passage id already stored keeps its vector: nothing is embedded
twice), and a removed or changed article's other passages are deleted. Stories
(syndicated copies) are regrouped over every article's MinHash signature, the
hubness densities the new and removed passages change are recomputed (``densities``),
and the fusion statistics (``stats``) move by what was added, removed and recomputed.

**Interrupted builds converge.** A build marks the index dirty first, writes passages
before the article record whose fingerprint says they are done, and clears the mark
last. Run again, it redoes every article whose record is missing or stale, and a dirty
mark makes it recompute the statistics from the stored rows. Meanwhile a reader sees
each batch as Milvus commits it (some new passages, some old ones gone) with the
previous build's statistics; ``generation`` only moves when the build is complete.
Does not hold a build lock: run one build per URI at a time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from app.engines.location import MilvusLocation
from app.engines.milvus.densities import UNKNOWN_KTH, maintain
from app.engines.milvus.stats import Stats, encode_terms
from app.engines.milvus.store import MilvusStore, fingerprint
from app.index import build as local_build
from app.index import density
from app.index.embedder import FP32, get_embedder
from app.index.errors import IndexUnavailable
from app.index.models import choose_model, reads_english, recorded_design, split_design
from app.index.passages import split_passages
from app.index.vectors import Moments
from app.news.enrich import enrich, stories
from app.news.syndication import decode
from app.sources import load_articles
from app.text.terms import keyword_terms
from app.types import BuildReport

FORMAT = "milvus-1"
# Characters of article text a run of the ingest embeds and writes at once (~100k passages):
# bounds the memory of a backfill and the work an interruption loses.
CHUNK_CHARS = 40_000_000
STAT_FIELDS = ["id", "vector", "terms", "density", "language"]
Encode = Callable[[str, list[str]], np.ndarray]  # (model name, texts) -> unit vectors


def build_milvus(
    source: str | os.PathLike[str],
    location: MilvusLocation,
    *,
    model: str | None = None,
    progress: bool = False,
    keep_all: bool = False,
    field_map=None,
    tz=None,
    encode: Encode | None = None,
) -> BuildReport:
    """``app.index.build.build_index`` into Milvus; ``encode`` embeds (default: the
    local embedder; ``app.engines.ray_embed`` gives one on a Ray cluster)."""
    started = time.perf_counter()
    store = MilvusStore(location, create=True)
    reading = local_build._reading(keep_all, field_map, tz)
    record = store.get_json("record") if store.exists() else None
    if record and not record.get("dirty") and local_build._unchanged(record, source, reading, model):
        return local_build._report_unchanged(record, started, Path(str(location)))
    loaded = load_articles(source, keep_all=keep_all, field_map=field_map, tz=tz, progress=progress)
    design = choose_model(loaded.languages(), model)
    name, second = split_design(design)  # the model, and design (c)'s English companion
    precision = local_build._precision(name)  # int8 and fp32 vectors are never mixed
    companion = local_build._companion_record(second)
    if record and local_build.design_of(record) != (name, precision, companion):
        raise IndexUnavailable(
            f"{location} was built with model {recorded_design(record)!r} ({record.get('precision', FP32)}), "
            f"not {design!r} ({precision}); build into another collection ({location}#other) or drop this one"
        )
    stored = {r["article_id"]: r for r in store.article_index()} if record else {}
    prints = {a.article_id: fingerprint(a) for a in loaded.articles}
    fresh = [
        a for a in loaded.articles if stored.get(a.article_id, {}).get("fingerprint") != prints[a.article_id]
    ]
    gone = sorted(set(stored) - set(prints))
    embed = encode or (lambda n, texts: get_embedder(n).encode(texts, progress=progress))
    dim = int((record or {}).get("dimension") or 0) or get_embedder(name).dim
    if companion:
        companion["dimension"] = get_embedder(second).dim
    store.create(dim, companion["dimension"] if companion else None)
    if not store.has_field("passages", "kth"):
        raise IndexUnavailable(
            f"{location} was built by an older newsdesk (its passages keep no kth for exact hubness "
            f"updates); build into another collection ({location}#other) or drop this one and build again"
        )
    was_dirty = bool(record and record.get("dirty"))
    described = {
        "model": name,
        "precision": precision,
        "dimension": dim,
        **({"companion": companion} if companion else {}),
    }
    store.put_json("record", {**(record or {}), **described, "dirty": True})
    cdim = companion["dimension"] if companion else None
    fields = _stat_fields(bool(companion))
    stats = _load_stats(store, dim, cdim) if record and not was_dirty else _new_stats(dim, cdim)
    # hubness densities up to HUBNESS_MAX_PASSAGES, as locally (new passages estimated at
    # ~300 characters each: they are split run by run)
    dense_on = stats.n + sum(len(a.body) for a in fresh) / 300 <= density.HUBNESS_MAX_PASSAGES
    old_rows = store.passages_of(gone, fields) if gone else []  # removed articles' first:
    store.delete_passages([r["id"] for r in old_rows])  # new densities never count them
    stats.add(old_rows, sign=-1)
    removed, added_ids = [r["vector"] for r in old_rows], set()
    old_ids, new_ids = {r["id"] for r in old_rows}, set()
    for chunk in _chunks(fresh):
        old, new, written = _ingest(store, stats, chunk, set(stored), prints, embed, (name, second), removed)
        old_ids |= old
        new_ids |= new
        added_ids |= written
    if dense_on and (added_ids or removed or was_dirty):  # after an interruption: every row
        gone_vectors = np.asarray(removed, np.float32).reshape(len(removed), dim)
        maintain(store, stats, added_ids, gone_vectors, dim, everything=was_dirty)
    store.delete_articles(gone)
    _regroup(store)
    if was_dirty or stats.drifted():
        stats = _recount(store, dim, cdim)
    else:
        _put_terms(store, stats)
    store.put_blob("stats", stats.to_bytes())
    count = store.count()
    added = len(new_ids - old_ids)
    generation = int((record or {}).get("generation", 0)) + 1
    done = {**_record(name, dim, count, loaded, reading, source, generation), **described}
    done["newest"] = done["newest"].isoformat() if done["newest"] else None
    store.put_json("record", done)
    store.put_json("generation", {"generation": generation})
    store.flush()
    return BuildReport.of(
        loaded,
        started=started,
        index_dir=str(location),
        model=design,
        passages=count,
        added=added,
        removed=len(old_ids - new_ids),
        unchanged=count - added,
    )


def _chunks(articles: list) -> Iterator[list]:
    """The new articles in runs of about ``CHUNK_CHARS`` characters of text: each run is
    embedded and written before the next is read, so a long backfill keeps its progress."""
    run, size = [], 0
    for article in articles:
        run.append(article)
        size += len(article.body)
        if size >= CHUNK_CHARS:
            yield run
            run, size = [], 0
    if run:
        yield run


def _ingest(store, stats, articles, stored: set[str], prints, embed, names, removed: list):
    """Write one run of new or changed articles: passages (vectors, densities and k-th
    cosines reused by id, the rest embedded, their densities left to ``maintain``), the
    old passages they replace deleted (their vectors appended to ``removed``), then their
    records; the statistics move by the difference. ``names``: the model and the English
    companion (None: none). Returns the old and the new passage ids, and the ids of the
    passages not stored before."""
    name, second = names
    enriched = enrich(articles)
    passages = [p for a in enriched for p in split_passages(a)]
    extra = ["companion"] if second else []
    known = (
        store.get_passages([p.passage_id for p in passages], ["id", "vector", "density", "kth", *extra])
        if stored
        else {}
    )
    todo = [p for p in passages if p.passage_id not in known]
    vectors = {k: np.asarray(row["vector"], np.float32) for k, row in known.items()}
    if todo:
        vectors.update(zip((p.passage_id for p in todo), embed(name, [p.text for p in todo]), strict=True))
    companions = _companions(enriched, passages, known, embed, second) if second else None
    replaced = sorted({a.article_id for a in articles} & stored)
    old_rows = store.passages_of(replaced, _stat_fields(bool(second))) if replaced else []
    new_ids = {p.passage_id for p in passages}
    store.delete_passages([r["id"] for r in old_rows if r["id"] not in new_ids])
    removed += [r["vector"] for r in old_rows if r["id"] not in new_ids]
    rows = _rows(enriched, passages, vectors, terms=keyword_terms([p.text for p in passages]))
    if companions is not None:
        for r in rows:
            r["companion"] = companions[r["id"]]
    for r in rows:
        if r["id"] in known:
            r["density"], r["kth"] = float(known[r["id"]]["density"]), float(known[r["id"]]["kth"])
    store.upsert_passages(rows)
    store.put_articles(enriched, prints)  # last: the fingerprints say these are done
    stats.add(old_rows, sign=-1)
    stats.add(rows)
    return {r["id"] for r in old_rows}, new_ids, {p.passage_id for p in todo}


def _companions(articles, passages, known: dict, embed, second: str) -> dict[str, np.ndarray]:
    """The English companion's vector of every passage (by id): stored ones reused,
    the new English ones embedded, zeros for the rest (as ``app.index.update``)."""
    language = {a.article_id: a.language for a in articles}
    out = {k: np.asarray(row["companion"], np.float32) for k, row in known.items()}
    english = [p for p in passages if p.passage_id not in out and reads_english(language[p.article_id])]
    if english:
        embedded = embed(second, [p.text for p in english])
        out.update(zip((p.passage_id for p in english), embedded, strict=True))
    zeros = np.zeros(len(next(iter(out.values()))) if out else get_embedder(second).dim, np.float32)
    return {p.passage_id: out.get(p.passage_id, zeros) for p in passages}


def _rows(articles, passages, vectors: dict, *, terms: list[list[str]]) -> list[dict]:
    by_id = {a.article_id: a for a in articles}
    rows = []
    for p, words in zip(passages, terms, strict=True):
        a = by_id[p.article_id]
        when = a.published
        rows.append(
            {
                "id": p.passage_id,
                "article_id": p.article_id,
                "paragraph": p.paragraph,
                "start": p.start,
                "stop": p.end,
                "vector": vectors[p.passage_id],
                "terms": encode_terms(words),
                "density": 0.0,  # until ``maintain`` computes it, with its k-th cosine
                "kth": UNKNOWN_KTH,
                "language": a.language,
                "source_key": (a.source or "").casefold(),
                "published": when.timestamp() if when else 0.0,
                "published_day": int(when.strftime("%Y%m%d")) if when else 0,
                "dated": when is not None,
            }
        )
    return rows


def _stat_fields(companion: bool) -> list[str]:
    """The passage fields ``Stats.add`` reads (the companion's vector too, if any)."""
    return STAT_FIELDS + (["companion"] if companion else [])


def _new_stats(dim: int, companion_dim: int | None) -> Stats:
    return Stats(dim, companion=Moments(companion_dim) if companion_dim else None)


def _load_stats(store: MilvusStore, dim: int, companion_dim: int | None) -> Stats:
    data = store.get_blob("stats")
    return Stats.from_bytes(data) if data is not None else _new_stats(dim, companion_dim)


def _put_terms(store: MilvusStore, stats: Stats) -> None:
    """Fold the term deltas ``stats.terms`` into the stored table."""
    current = store.get_terms(list(stats.terms))
    table = {}
    for key, (df, s1, s2) in stats.terms.items():
        was = current.get(key, (0, 0.0, 0.0))
        table[key] = (int(round(was[0] + df)), max(was[1] + s1, 0.0), max(was[2] + s2, 0.0))
    store.put_terms(table)
    stats.terms = {}


def _recount(store: MilvusStore, dim: int, companion_dim: int | None) -> Stats:
    """Every statistic again from the stored passages (after an interrupted build, or
    when avgdl drifted)."""
    rows = store.scan("passages", "", _stat_fields(bool(companion_dim)))
    stats = _new_stats(dim, companion_dim)
    stats.avgdl = sum(len(r["terms"].split()) for r in rows) / len(rows) if rows else 0.0
    stats.add(rows)
    store.clear_terms()
    store.put_terms({k: (int(round(v[0])), v[1], v[2]) for k, v in stats.terms.items()})
    stats.terms = {}
    return stats


def _regroup(store: MilvusStore) -> None:
    """Group every stored article into stories again and rewrite those that moved."""
    index = sorted(store.article_index(), key=lambda r: r["article_id"])
    if not index:
        return
    signed = [r for r in index if r["minhash"]]
    signatures = np.stack([decode(r["minhash"]) for r in signed]) if signed else np.zeros((0, 64))
    groups = stories([r["article_id"] for r in signed], signatures)
    moved = {}
    for r in index:
        story = groups.get(r["article_id"], r["article_id"])
        if story != r["story"]:
            moved[r["article_id"]] = story
    if moved:
        store.set_stories(moved)


def _instant(when: datetime) -> float:
    return when.timestamp()


def _record(name, dim, count, loaded, reading, source, generation) -> dict:
    return {
        "format_version": FORMAT,
        "model": name,
        "dimension": dim,
        "count": count,
        "articles": len(loaded.articles),
        "embed_recipe": local_build.EMBED_RECIPE,
        "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "source": Path(source).name,
        "reading": reading,
        "files": loaded.files,
        "file_stamps": {k: list(v) for k, v in loaded.stamps.items() if k in loaded.files},
        "records": loaded.records,
        "mappings": loaded.mappings(),
        "languages": loaded.languages(),
        "problem_counts": loaded.counts(),
        "problems": [p.to_dict() for p in loaded.problems],
        "generation": generation,
        "newest": max((a.published for a in loaded.articles if a.published), default=None, key=_instant),
        "dirty": False,
    }
