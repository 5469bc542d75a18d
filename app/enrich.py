"""What newsdesk knows about an article beyond its text, worked out once at build time
and stored with the article: its direct quotes and speakers (``app.quotes``), and the
story it belongs to when outlets carry the same wire copy (``app.syndication``).

Incremental: an article already in the index (same article id, so the same title and
body) keeps its stored signature and quotes, so an update hashes and parses only the
new articles. Grouping into stories runs over all articles, but vectorised: the
signatures are cut into the same LSH bands datasketch's ``MinHashLSH`` would use for
``THRESHOLD`` and ``NUM_PERM``, bucketed with numpy, and only candidates sharing a band
are compared. The stories are exactly those of ``syndication.groups`` (a test checks
it), in ~0.1 s for 16k articles instead of ~6 s. Bump ``ENRICH_VERSION`` when
``app.quotes`` changes what it finds, so stored quotes are recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

import numpy as np

from app import syndication
from app.quotes import find_quotes
from app.types import Article

ENRICH_VERSION = 1


def enrich(articles: tuple[Article, ...], previous: dict[str, dict] | None = None) -> list[dict]:
    """Article records for the store: ``to_dict()`` plus ``quotes`` (start, end, speaker,
    name, verb), ``minhash`` (the body's signature) and ``story`` (the id of the story
    the article belongs to: its own id unless it is a copy of another's)."""
    previous = previous or {}
    records = [a.to_dict() for a in articles]
    missing = [i for i, r in enumerate(records) if "minhash" not in previous.get(r["article_id"], {})]
    fresh = syndication.signatures([records[i]["body"] for i in missing])
    for i, signature in zip(missing, fresh, strict=True):
        records[i]["minhash"] = syndication.encode(signature)
    for record in records:
        old = previous.get(record["article_id"], {})
        record.setdefault("minhash", old.get("minhash"))
        if old.get("enriched") == ENRICH_VERSION and isinstance(old.get("quotes"), list):
            record["quotes"] = old["quotes"]
        else:
            record["quotes"] = [
                [q.start, q.end, q.speaker, q.name, q.verb] for q in find_quotes(record["body"])
            ]
        record["enriched"] = ENRICH_VERSION
    ids = [r["article_id"] for r in records]
    sigs = np.stack([syndication.decode(r["minhash"]) for r in records]) if records else None
    stories = story_groups(ids, sigs) if records else {}
    for record in records:
        record["story"] = stories[record["article_id"]]
    return records


@lru_cache(maxsize=1)
def _bands() -> list[tuple[int, int]]:
    """The (start, end) signature ranges of datasketch's LSH bands for our settings."""
    from datasketch import MinHashLSH

    return list(MinHashLSH(threshold=syndication.THRESHOLD, num_perm=syndication.NUM_PERM).hashranges)


def story_groups(ids: list[str], sigs: np.ndarray) -> dict[str, str]:
    """article id -> its story's id (the smallest id among the articles it is connected
    to by estimated Jaccard >= THRESHOLD over LSH candidates): ``syndication.groups``,
    vectorised."""
    n = len(ids)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    sigs = np.ascontiguousarray(sigs, dtype=np.uint64)
    seen: set[tuple[int, int]] = set()
    for start, end in _bands():
        band = np.ascontiguousarray(sigs[:, start:end])
        keys = band.view(np.dtype((np.void, band.dtype.itemsize * band.shape[1]))).ravel()
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        shared = np.flatnonzero(counts[inverse] > 1)
        buckets: dict[int, list[int]] = defaultdict(list)
        for i in shared:
            buckets[int(inverse[i])].append(int(i))
        for members in buckets.values():
            rows = np.asarray(members)
            similar = (sigs[rows][:, None, :] == sigs[rows][None, :, :]).mean(axis=2) >= syndication.THRESHOLD
            for a, b in zip(*np.nonzero(np.triu(similar, k=1)), strict=True):
                pair = (int(rows[a]), int(rows[b]))
                if pair in seen:
                    continue
                seen.add(pair)
                ra, rb = find(pair[0]), find(pair[1])
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    # Label each component by its smallest article id (as syndication.groups does).
    label: dict[int, str] = {}
    for i in range(n):
        root = find(i)
        label[root] = min(label.get(root, ids[i]), ids[i])
    return {ids[i]: label[find(i)] for i in range(n)}
