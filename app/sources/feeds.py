"""Reader for RSS 2.0, RSS 1.0 and Atom feeds (``.xml``, ``.rss``, ``.atom``), with
feedparser: each item is one Record.

An item's text is its full content (``content:encoded``, Atom ``<content>``) when it
has one longer than its summary; then the summary is the standfirst. An item with only
a summary (``<description>``) is a teaser (``teaser=True``, its link kept) when the
summary is short (under ``TEASER_MAX_WORDS``) or ends as a cut ("…", "[…]", "Read
more"); a long description is the story itself. An item with neither is its title
alone, as a teaser. HTML in a feed's text is left to ``repair``, which turns it into
paragraphs. The feed's title is the items' ``source``, its language their language,
and its build time the crawl time for relative dates.

``sniff`` tells a feed from any other XML by its root element (``rss``, ``feed``,
``rdf:RDF``), so an ``.xml`` sitemap or an SGML-ish export is reported, not misread.
The file is parsed from memory (never as a URL: feedparser fetches strings that look
like one). Does not fetch an item's link to get the full story (``newsdesk add`` does),
nor read podcast enclosures.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator

from app.sources.base import Record, SourceError
from app.sources.files import MAX_FEED_BYTES
from app.sources.repair import strip_tags
from app.text.dates import DateError, parse_date
from app.types import Kind, Problem

# A summary-only item shorter than this is a teaser; longer, it is the story.
TEASER_MAX_WORDS = 120
_CUT = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|read more|continue reading|read the full story)\W*$", re.I)
_CUT_WORDS = re.compile(r"\s*(?:read more|continue reading|read the full story)\W*$", re.I)
_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w.-]*(?::[\w.-]+)?)")
_ITEM = re.compile(rb"<(?:[\w-]+:)?(?:item|entry)\b")
FEED_ROOTS = {b"rss": "RSS", b"feed": "Atom", b"rdf:RDF": "RSS 1.0", b"RDF": "RSS 1.0"}


def root_element(head: bytes) -> bytes | None:
    """The name of an XML document's root element (after the declaration, comments,
    processing instructions and DOCTYPE), from its first bytes."""
    head = re.sub(rb"<!--.*?-->", b"", head[:65536], flags=re.S)
    m = _ROOT.search(head)
    return m.group(1) if m else None


def sniff(head: bytes) -> str | None:
    """ "RSS", "Atom" or "RSS 1.0" if the document is a feed, else None."""
    root = root_element(head)
    return FEED_ROOTS.get(root) if root else None


def read(data: bytes, *, path: str) -> Iterator[Record | Problem]:
    """One Record per feed item."""
    if len(data) > MAX_FEED_BYTES:
        raise SourceError(f"feed over {MAX_FEED_BYTES / 1e6:.0f} MB", kind=Kind.TOO_LARGE)
    import feedparser  # parses the whole feed; imported only when a feed is read

    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.entries:
        if parsed.get("bozo"):
            raise SourceError(f"broken feed: {parsed.get('bozo_exception')}")
        raise SourceError("a feed with no items", kind=Kind.NO_BODY)
    if parsed.get("bozo"):
        yield Problem(
            Kind.UNREADABLE,
            f"feed is not well-formed ({parsed.get('bozo_exception')}); items read anyway",
            path,
        )
    feed = parsed.feed
    source = feed.get("title") or None
    language = feed.get("language") or None
    crawled = None
    if "updated" in feed and feed["updated"]:
        try:
            crawled = parse_date(feed["updated"])
        except DateError:
            crawled = None
    lines = [data.count(b"\n", 0, m.start()) + 1 for m in _ITEM.finditer(data)]
    for i, entry in enumerate(parsed.entries):
        yield _record(
            entry,
            path=path,
            line=lines[i] if i < len(lines) else None,
            source=source,
            language=language,
            crawled=crawled,
        )


def _html_text(value: str) -> str:
    """A feed's HTML text field as plain text with paragraph breaks: HTML is what the
    format holds there, so this is reading, not repair (and is not noted)."""
    return html.unescape(strip_tags(value))


def _record(entry, *, path: str, line: int | None, source, language, crawled) -> Record:
    title = entry.get("title") or None
    summary = entry.get("summary") or ""
    contents = [c.get("value") or "" for c in entry.get("content") or []]
    content = max(contents, key=len) if contents else ""
    summary_text = strip_tags(summary).strip()
    content_text = strip_tags(content).strip()
    teaser = False
    standfirst = None
    if content_text and len(content_text) >= len(summary_text):
        text = _html_text(content)
        standfirst = summary_text if summary_text and summary_text not in content_text else None
    elif summary_text:
        text = _html_text(summary)
        teaser = len(summary_text.split()) < TEASER_MAX_WORDS or bool(_CUT.search(summary_text))
        if teaser:
            text = _CUT_WORDS.sub("", text).rstrip()
    else:
        text, teaser = title or "", True
    # ``in`` first: feedparser maps a missing "updated" to "published" with a warning
    stamp = entry["updated"] if "updated" in entry else None
    published = entry.get("published") or stamp or None
    updated = stamp if entry.get("published") else None
    author = entry.get("author") or None
    return Record(
        text=text,
        path=path,
        title=title,
        standfirst=standfirst if not teaser else None,
        published=published,
        updated=updated,
        source=source,
        url=entry.get("link") or None,
        author=author,
        language=language,
        teaser=teaser,
        line=line,
        crawled=crawled,
    )


__all__ = ["TEASER_MAX_WORDS", "read", "root_element", "sniff"]
