"""Articles and what answers are made of: Article -> Passage -> Hit (with a Citation)
-> Answer (with Quotes); the index stores each article as a StoredArticle."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from app.text.dates import from_iso as _from_iso
from app.text.dates import to_iso as _iso
from app.types.base import _Record


@dataclass(frozen=True)
class Article(_Record):
    """One news article as read from a file.

    ``body`` is the article text only (no page furniture), paragraphs separated by a
    blank line; every offset elsewhere in newsdesk points into it.
    """

    article_id: str
    title: str
    body: str
    path: str
    source: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    standfirst: str | None = None
    url: str | None = None
    line: int | None = None  # the line (or record) of an archive the article came from
    author: str | None = None
    language: str = "und"  # ISO 639-1 ("en", "bn"); "und" when it cannot be told
    teaser: bool = False  # a feed item that carried only a summary; ``url`` has the story

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        data = dict(data)
        data["published"] = _from_iso(data.get("published"))
        data["updated"] = _from_iso(data.get("updated"))
        return cls(**data)


@dataclass(frozen=True)
class Attribution(_Record):
    """A direct quote in an article body and who said it.

    ``start``/``end`` bound the quoted words inside the quotation marks (in Bangla news
    also a statement reported without them, ``X বলেন, <sentence>।``: that sentence after
    the comma, the commonest way Bangla papers attribute speech); ``speaker`` is
    the attribution as written ("he", "Mr Blair", "a spokesman for the firm") and
    ``name`` the speaker resolved within the article ("Tony Blair"), or the phrase itself
    when no name is given. ``verb`` is the reporting verb ("said", "quoted as saying"),
    empty for a quote that continues the previous speaker's.
    """

    start: int
    end: int
    speaker: str
    name: str
    verb: str


@dataclass(frozen=True)
class StoredArticle(Article):
    """An article as the index stores it: the article plus what the build worked out
    (``app.news.enrich``): its direct quotes and speakers, the story it belongs to
    (syndicated copies share the id of the first copy), and the MinHash signature of
    its body (kept for the next build only; a query-time load leaves it out).

    On disk a quote is the list ``[start, end, speaker, name, verb]``: a stored index
    holds tens of thousands of them, and a list is a third the size of an object.
    """

    minhash: str | None = None
    quotes: tuple[Attribution, ...] = ()
    enriched: int = 0  # the version of the rules that found the quotes
    story: str | None = None

    @property
    def story_id(self) -> str:
        return self.story or self.article_id

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(Article)}
        data["published"] = _iso(self.published)
        data["updated"] = _iso(self.updated)
        data["minhash"] = self.minhash
        data["quotes"] = [[q.start, q.end, q.speaker, q.name, q.verb] for q in self.quotes]
        data["enriched"] = self.enriched
        data["story"] = self.story
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, signature: bool = True) -> StoredArticle:
        """A stored record back to a StoredArticle; ``signature=False`` drops the
        MinHash signature (only the next build needs it)."""
        data = dict(data)
        data["published"] = _from_iso(data.get("published"))
        data["updated"] = _from_iso(data.get("updated"))
        data["quotes"] = tuple(Attribution(*q) for q in data.get("quotes") or ())
        if not signature:
            data["minhash"] = None
        return cls(**data)


@dataclass(frozen=True)
class Passage:
    """A span of an article body: one paragraph, or short ones merged, or part of a long one.

    ``paragraph`` is the 1-based ordinal of the body paragraph the passage starts in.
    ``article.body[start:end] == text`` always holds.
    """

    passage_id: str
    article_id: str
    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Outlet(_Record):
    """Another outlet that carried the same story (a syndicated copy)."""

    source: str | None
    title: str
    published: datetime | None
    url: str | None
    path: str


@dataclass(frozen=True)
class Citation(_Record):
    """Where a passage comes from, precisely enough for a reader to check it.

    ``carried_by`` lists the other outlets whose copy of the same story holds this
    passage too (the story is returned once, citing all of them).
    """

    article_id: str
    passage_id: str
    title: str
    source: str | None
    published: datetime | None
    paragraph: int
    path: str
    url: str | None
    start: int
    end: int
    carried_by: tuple[Outlet, ...] = ()
    language: str = "und"  # the article's language (ISO 639-1)
    teaser: bool = False  # the article is a feed teaser: ``url`` has the full story
    author: str | None = None


@dataclass(frozen=True)
class Hit:
    """A retrieved passage, its relevance score (higher is better) and its citation."""

    text: str
    score: float
    citation: Citation

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "text": self.text, "citation": self.citation.to_dict()}


@dataclass(frozen=True)
class Quote(_Record):
    """One numbered citation of an answer: a sentence quoted verbatim from an article.

    ``body[start:end] == quote`` in the article's body, so anyone can check it.
    """

    n: int
    passage_id: str
    article_id: str
    title: str
    source: str | None
    published: datetime | None
    paragraph: int
    quote: str
    start: int
    end: int
    path: str
    url: str | None = None
    speaker: str | None = None  # who is quoted in the sentence, resolved in its article
    language: str = "und"  # the article's language (ISO 639-1)
    teaser: bool = False

    @classmethod
    def of(
        cls, n: int, citation: Citation, quote: str, start: int, end: int, speaker: str | None = None
    ) -> Quote:
        """The ``n``-th citation of an answer: ``quote`` (``body[start:end]``) from the
        passage ``citation`` cites."""
        c = citation
        return cls(
            n,
            c.passage_id,
            c.article_id,
            c.title,
            c.source,
            c.published,
            c.paragraph,
            quote,
            start,
            end,
            c.path,
            c.url,
            speaker,
            c.language,
            c.teaser,
        )


@dataclass(frozen=True)
class Answer:
    """What ``ask`` returns: 1-4 quoted sentences, each ending with its markers ``[n]``.

    When ``abstained`` is true, ``text`` says the articles do not answer and ``hits``
    are the closest passages, offered as possibly related; ``citations`` is empty.
    """

    question: str
    text: str
    citations: tuple[Quote, ...]
    hits: tuple[Hit, ...]
    abstained: bool
    resolved: str | None = None  # the question as searched, when a follow-up was resolved

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
        }
