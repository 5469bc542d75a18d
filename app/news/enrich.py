"""What newsdesk knows about an article beyond its text, worked out once at build time
and stored with it: its direct quotes and speakers (``app.news.quotes``, by the rules of
the article's language), and the story it belongs to when outlets carry the same wire
copy (``app.news.syndication``).

Incremental: an article already in the index (same article id, so the same title and
body) keeps its stored signature and quotes, so an update hashes and parses only the
new articles; grouping into stories runs over all of them (vectorised, see
``syndication``). Bump ``ENRICH_VERSION`` when ``app.news.quotes`` changes what it
finds, so stored quotes are recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields

import numpy as np

from app.news import syndication
from app.news.quotes import find_quotes
from app.types import Article, StoredArticle

# 2: Bangla articles take the Bangla quote rules (app.news.quotes_bn).
ENRICH_VERSION = 2


def enrich(
    articles: tuple[Article, ...], previous: Mapping[str, StoredArticle] | None = None
) -> list[StoredArticle]:
    """The articles as the index stores them: with ``quotes``, ``minhash`` (the body's
    signature) and ``story`` (its own id unless it is a copy of another's). ``previous``
    holds the stored articles of the index being updated (with their signatures)."""
    previous = previous or {}
    olds = [previous.get(a.article_id) for a in articles]
    missing = [i for i, old in enumerate(olds) if old is None or old.minhash is None]
    fresh = dict(zip(missing, syndication.signatures([articles[i].body for i in missing]), strict=True))
    drafts = []
    for i, (article, old) in enumerate(zip(articles, olds, strict=True)):
        minhash = syndication.encode(fresh[i]) if i in fresh else old.minhash
        if old is not None and old.enriched == ENRICH_VERSION:
            quotes = old.quotes
        else:
            quotes = tuple(find_quotes(article.body, article.language))
        drafts.append((article, minhash, quotes))
    ids = [a.article_id for a, _, _ in drafts]
    sigs = np.stack([syndication.decode(m) for _, m, _ in drafts]) if drafts else None
    stories = syndication.story_groups(ids, sigs) if drafts else {}
    return [
        StoredArticle(
            **{f.name: getattr(article, f.name) for f in fields(Article)},
            minhash=minhash,
            quotes=quotes,
            enriched=ENRICH_VERSION,
            story=stories[article.article_id],
        )
        for article, minhash, quotes in drafts
    ]
