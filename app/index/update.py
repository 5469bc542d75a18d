"""What a build changes in an index: which stored articles stay, which are tombstoned,
which are written anew, and the segment (a delta, or everything merged) that holds them.

An article read this time with the same id and fields as a live stored one stays where
it is. Any other is new: it is enriched (quotes, signature), split into passages, and
its passages take the stored vector of the same passage id when there is one (the id
derives from the text, so the vector is the same) or are embedded. A stored article
not read this time, or read with other fields (a renamed file), is tombstoned.

A build appends the new rows as one delta segment, unless the index would then hold
more than ``MAX_SEGMENTS`` segments, or the rows outside its largest segment plus the
tombstoned ones would pass ``MERGE_SHARE`` of the live rows: then every live row is
merged into one segment (the keyword postings are concatenated, not rebuilt; the FAISS
IVF cells are reused). Scores never depend on the layout (``app.index.store``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np

from app.index import density
from app.index.keyword import KeywordPostings, concatenate
from app.index.models import reads_english
from app.index.passages import split_passages
from app.index.segment import SegmentParts
from app.index.store import StoredIndex
from app.index.vectors import Moments, moment_sums
from app.news.enrich import enrich
from app.types import Article, StoredArticle

MAX_SEGMENTS = 8
MERGE_SHARE = 0.2


@dataclass
class Draft:
    """The new rows of a build, as a segment would hold them, and what they replace."""

    parts: SegmentParts
    dead_articles: np.ndarray  # bool, the old index's article rows tombstoned now
    kept_passages: int  # live passages of the old index that stay
    reused: int  # new passages whose vector came from the old index


def draft(
    old: StoredIndex | None,
    articles: tuple[Article, ...],
    encode,
    stored: Mapping[int, int] | None = None,
    companion=None,
) -> Draft:
    """The new rows for ``articles`` (all the articles the index will hold) against
    ``old``; ``encode(texts)`` embeds passages. ``stored``: the ``id()`` of articles that
    are ``old``'s own records (read back from it, not from a file) -> their rows.
    ``companion(texts)``: the companion model's encoder (``models.BOTH``), which embeds
    the passages of English articles (the others' rows stay zeros)."""
    stored = stored or {}
    dead = old.dead_articles.copy() if old is not None else np.zeros(0, bool)
    kept_rows: set[int] = set()
    new: list[Article] = []
    for article in articles:
        if id(article) in stored:
            kept_rows.add(stored[id(article)])
            continue
        row = _live_row(old, article.article_id)
        if row is not None and _same(old.article_at(row), article):
            kept_rows.add(row)
        else:
            new.append(article)
    newly_dead = ~dead  # every live row, less those that stay
    newly_dead[list(kept_rows)] = False
    enriched = enrich(new, old.articles if old is not None else None)
    passages = [p for a in enriched for p in split_passages(a)]
    article_row = {a.article_id: i for i, a in enumerate(enriched)}
    spans = np.array(
        [[article_row[p.article_id], p.paragraph, p.start, p.end] for p in passages], dtype=np.int32
    )
    held = _held(old, passages)
    vectors = _vectors(
        passages, encode, held, old.rows if old is not None else None, old.dim if old is not None else None
    )
    extra = None
    if companion is not None:
        english = [reads_english(enriched[article_row[p.article_id]].language) for p in passages]
        was = old.companion if old is not None else None
        read, dim = (old.companion_rows, int(was["dimension"])) if was else (None, None)
        extra = _vectors(passages, companion, held if read else {}, read, dim, english)
    parts = SegmentParts(
        passage_ids=[p.passage_id for p in passages],
        spans=spans.reshape(-1, 4),
        vectors=vectors,
        articles=enriched,
        postings=KeywordPostings.build([p.text for p in passages]),
        companion=extra,
    )
    kept_passages = 0
    if old is not None:
        kept_passages = old.count - int(passage_mask(old, newly_dead).sum())
    return Draft(parts, newly_dead, kept_passages, len(held))


def _live_row(old: StoredIndex | None, article_id: str) -> int | None:
    if old is None:
        return None
    try:
        return old.articles.row(article_id)
    except KeyError:
        return None


def _same(stored: StoredArticle, article: Article) -> bool:
    return all(getattr(stored, f.name) == getattr(article, f.name) for f in fields(Article))


def _held(old: StoredIndex | None, passages) -> dict[int, int]:
    """Passage i -> the old index's row holding the same passage id (same text, so the
    same vector)."""
    held = {}
    if old is not None:
        for i, p in enumerate(passages):
            row = _any_row(old, p.passage_id)
            if row is not None:
                held[i] = row
    return held


def _vectors(
    passages, encode, held: Mapping[int, int], read, dim: int | None, wanted: list[bool] | None = None
) -> np.ndarray:
    """The passages' vectors: read from the old index (``read(rows)``) for the ones it
    ``held``, else embedded; with ``wanted``, only those passages (the rest stay zeros).
    ``dim``: the old index's dimension (None: none yet)."""
    fresh = [i for i in range(len(passages)) if i not in held and (wanted is None or wanted[i])]
    embedded = encode([passages[i].text for i in fresh]) if fresh else None
    old = read(list(held.values())) if held else None
    dim = next((v.shape[1] for v in (embedded, old) if v is not None), dim)
    if dim is None:  # nothing embedded or read (no passages, or none the model reads)
        dim = encode([]).shape[1] if len(passages) else 0
    vectors = np.zeros((len(passages), dim), dtype=np.float32)
    if fresh:
        vectors[fresh] = embedded
    if held:
        vectors[list(held)] = old
    return vectors


def _any_row(old: StoredIndex, passage_id: str) -> int | None:
    """A row (live or tombstoned: its vector is still stored) holding ``passage_id``."""
    for i, segment in enumerate(old.segments):
        rows = segment.passage_ids.find(passage_id)
        if rows:
            return int(old.offsets[i]) + rows[0]
    return None


def passage_mask(old: StoredIndex, articles: np.ndarray) -> np.ndarray:
    """Which passage rows of ``old`` belong to the marked article rows."""
    parts = []
    for segment, offset in zip(old.segments, old.article_offsets, strict=False):
        parts.append(articles[np.asarray(segment.spans[:, 0]) + int(offset)])
    return np.concatenate(parts) if parts else np.zeros(0, bool)


def should_merge(old: StoredIndex | None, new: Draft) -> bool:
    """The automatic policy: merge when a delta would make too many segments, or too
    much of the index would live outside its largest segment or be tombstoned."""
    if old is None or not old.segments:
        return True
    sizes = [len(s) for s in old.segments]
    new_passages = len(new.parts.passage_ids)
    dead = int((old.dead | passage_mask(old, new.dead_articles)).sum())
    live = int(old.offsets[-1]) - dead + new_passages
    outside = sum(sizes) - max(sizes) + new_passages
    return len(sizes) + 1 > MAX_SEGMENTS or outside + dead > MERGE_SHARE * max(live, 1)


def merged(old: StoredIndex, new: Draft, dead_articles: np.ndarray) -> SegmentParts:
    """One segment of every live row of ``old`` (less ``dead_articles``) and the new rows."""
    live_articles = ~(old.dead_articles | dead_articles)
    live_passages = ~(old.dead | passage_mask(old, dead_articles))
    articles = [old.article_at(int(r), signature=True) for r in np.flatnonzero(live_articles)]
    renumber = np.cumsum(live_articles) - 1
    ids, spans, vectors, postings, keep, companion = [], [], [], [], [], []
    for i, segment in enumerate(old.segments):
        a, b = int(old.offsets[i]), int(old.offsets[i + 1])
        mask = live_passages[a:b]
        rows = np.flatnonzero(mask)
        ids += [segment.passage_ids[int(r)] for r in rows]
        part = np.asarray(segment.spans[rows]).copy()
        part[:, 0] = renumber[part[:, 0] + int(old.article_offsets[i])]
        spans.append(part)
        vectors.append(np.asarray(segment.matrix[rows]))
        if segment.companion is not None:
            companion.append(np.asarray(segment.companion[rows]))
        postings.append(segment.postings)
        keep.append(mask)
    shift = np.array([len(articles), 0, 0, 0], dtype=np.int32)
    spans.append(new.parts.spans + shift)
    vectors.append(new.parts.vectors)
    if new.parts.companion is not None:
        companion.append(new.parts.companion)
    return SegmentParts(
        passage_ids=ids + new.parts.passage_ids,
        spans=np.concatenate(spans).astype(np.int32),
        vectors=np.concatenate(vectors).astype(np.float32),
        articles=articles + new.parts.articles,
        postings=concatenate([*postings, new.parts.postings], [*keep, None]),
        companion=np.concatenate(companion).astype(np.float32) if new.parts.companion is not None else None,
    )


def densities(
    old: StoredIndex | None,
    blocks: list[np.ndarray],
    live: np.ndarray,
    fresh: np.ndarray,
    newly_dead: np.ndarray,
    kept: np.ndarray | None = None,
) -> density.Densities | None:
    """Every row's hubness densities after a build (``density.maintained``): the old
    index's where nothing near a row changed, computed for the rest. ``blocks``: every
    row's vector in row order (the segments' memory-mapped matrices, the new rows);
    ``fresh``: the new rows; ``newly_dead``: the old index's passage rows this build
    tombstones or drops; ``kept``: a merge's old rows, in their new order (default:
    all, in place)."""
    previous = None
    if old is not None and old.densities is not None:
        pick = slice(None) if kept is None else kept
        pad = np.full(len(fresh), np.nan)
        previous = density.Densities(
            np.concatenate([old.densities.raw[pick], pad]),
            np.concatenate([old.densities.kth[pick], pad]).astype(np.float32),
        )
    removed = old.rows(np.flatnonzero(newly_dead)) if old is not None else np.zeros((0, 0), np.float32)
    return density.maintained(blocks, live, previous, fresh, removed)


def dead_sums(old: StoredIndex, state_sums: dict, newly_dead_passages: np.ndarray, dim: int) -> dict:
    """The moment sums of every tombstoned vector: the old state's plus the new ones'."""
    total = Moments(dim)
    total.add(state_sums)
    rows = np.flatnonzero(newly_dead_passages)
    if len(rows):
        total.add(moment_sums(old.rows(rows), old.passage_languages(rows)))
    return total.as_sums()
