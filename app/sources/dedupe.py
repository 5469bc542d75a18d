"""Duplicate articles across files and records: the same article (title and body),
the same URL, or the same body are kept once, the later one reported with where the
first is; a full story replaces a teaser of the same URL read before it.

URLs are compared without scheme, "www.", tracking parameters, fragment or a trailing
slash; bodies without case or spacing. Does not find near-duplicates (a lightly edited
copy is a syndicated copy: ``app.news.syndication`` groups those).

An index stores each article's ``Keys`` (``app.index.reuse``), so an update checks the
articles of unchanged files against new ones without decoding (or hashing) them again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from app.types import Article, Kind, Problem

# Query parameters that only track a click; two links differing in them are one page.
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|ref|cmpid|ocid|s_cid)$", re.I)
_SPACES = re.compile(r"\s+")
# The rules of ``url_key`` and ``body_key``: keys an index stored under another version
# are derived again. Bump it when either function changes what it returns.
KEYS_VERSION = 1


def url_key(url: str | None) -> str | None:
    """A URL as compared for duplicates: scheme and "www." ignored, host lower-cased,
    tracking parameters, fragment and a trailing slash dropped."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return url.strip()
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    return urlunsplit(("", host, parts.path.rstrip("/") or "/", query, ""))


def body_key(body: str) -> str:
    return hashlib.sha256(_SPACES.sub(" ", body).strip().casefold().encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Keys:
    """What the duplicate check compares of an article besides its id: its URL
    (``url_key``, None without one) and its body (``body_key``)."""

    url: str | None
    body: str

    @classmethod
    def of(cls, article: Article) -> Keys:
        return cls(url_key(article.url), body_key(article.body))


class Deduper:
    """Keeps the first of each article, URL and body; says where the first one is."""

    def __init__(self) -> None:
        self._articles: dict[str, Article] = {}
        self._by_url: dict[str, str] = {}
        self._by_body: dict[str, str] = {}

    def add(self, article: Article, keys: Keys | None = None) -> Problem | None:
        """Keep ``article`` (None) or return the "duplicate" problem saying why not.
        ``keys``: the article's ``Keys`` when already known (computed otherwise)."""
        keys = keys or Keys.of(article)
        ukey, bkey = keys.url, keys.body
        first_id, why = None, ""
        if article.article_id in self._articles:
            first_id, why = article.article_id, "the same article"
        elif ukey and ukey in self._by_url:
            first_id, why = self._by_url[ukey], "the same URL"
        elif bkey in self._by_body:
            first_id, why = self._by_body[bkey], "the same body"
        if first_id is None:
            self._keep(article, ukey, bkey)
            return None
        first = self._articles[first_id]
        if first.teaser and not article.teaser and why == "the same URL":
            del self._articles[first_id]  # the full story replaces the teaser read before it
            self._keep(article, ukey, bkey)
            return Problem(
                Kind.DUPLICATE,
                f"full story replaces the teaser at {_where(first)}; kept once",
                article.path,
                article.line,
                kept_in=first.path,
            )
        return Problem(
            Kind.DUPLICATE,
            f"duplicate of {_where(first)} ({why}); kept once",
            article.path,
            article.line,
            kept_in=first.path,
        )

    def _keep(self, article: Article, ukey: str | None, bkey: str) -> None:
        self._articles[article.article_id] = article
        if ukey:
            self._by_url[ukey] = article.article_id
        self._by_body.setdefault(bkey, article.article_id)

    def articles(self) -> list[Article]:
        return list(self._articles.values())


def _where(article: Article) -> str:
    return f"{article.path}:{article.line}" if article.line else article.path
