"""What newsdesk knows about an article beyond its text, worked out once at build time
and stored with the article: its direct quotes and speakers (``app.quotes``), and the
story it belongs to when outlets carry the same wire copy (``app.syndication``).

Signatures of articles already in the index are reused, so an update hashes only new
articles; grouping runs over all of them (LSH, a few seconds per 10,000 articles).
"""

from __future__ import annotations

from app import syndication
from app.quotes import find_quotes
from app.types import Article


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
        record.setdefault("minhash", previous.get(record["article_id"], {}).get("minhash"))
        record["quotes"] = [[q.start, q.end, q.speaker, q.name, q.verb] for q in find_quotes(record["body"])]
    ids = [r["article_id"] for r in records]
    stories = syndication.groups(ids, [syndication.decode(r["minhash"]) for r in records]) if records else {}
    for record in records:
        record["story"] = stories[record["article_id"]]
    return records
