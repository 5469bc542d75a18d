"""What newsdesk knows about an article beyond its text, worked out once at build time
and stored with it: its direct quotes and speakers (``app.news.quotes``, by the rules of
the article's language), and the story it belongs to when outlets carry the same wire
copy (``app.news.syndication``).

Incremental: an article already in the index (same article id, so the same title and
body) keeps its stored signature and quotes, so an update hashes and parses only the
new articles; grouping into stories (``stories``) runs over all of them (vectorised,
see ``syndication``). Bump ``ENRICH_VERSION`` when ``app.news.quotes`` changes what it
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
    articles: tuple[Article, ...] | list[Article], previous: Mapping[str, StoredArticle] | None = None
) -> list[StoredArticle]:
    """The articles as the index stores them: with ``quotes`` and ``minhash`` (the
    body's signature); ``story`` is left for ``stories``, which needs every article of
    the index. ``previous`` holds stored articles of the index being updated: one with
    the same id keeps its quotes (and its signature, when it has one)."""
    previous = previous or {}
    olds = [previous.get(a.article_id) for a in articles]
    missing = [i for i, old in enumerate(olds) if old is None or old.minhash is None]
    fresh = dict(zip(missing, syndication.signatures([articles[i].body for i in missing]), strict=True))
    enriched = []
    for i, (article, old) in enumerate(zip(articles, olds, strict=True)):
        minhash = syndication.encode(fresh[i]) if i in fresh else old.minhash
        if old is not None and old.enriched == ENRICH_VERSION:
            quotes = old.quotes
        else:
            quotes = tuple(find_quotes(article.body, article.language))
        enriched.append(
            StoredArticle(
                **{f.name: getattr(article, f.name) for f in fields(Article)},
                minhash=minhash,
                quotes=quotes,
                enriched=ENRICH_VERSION,
            )
        )
    return enriched


def stories(ids: list[str], signatures: np.ndarray) -> dict[str, str]:
    """Each article's story id (``syndication.story_groups``) from the ids and MinHash
    signatures (rows of ``signatures``) of every article of an index."""
    return syndication.story_groups(ids, signatures) if ids else {}
