"""Reader for saved web pages (``.html``, ``.htm``) from any outlet: one Record a page.

The main text comes from trafilatura (``favor_precision=True``, no comments, no tables,
no images, no links), which leaves out navigation, related stories, opinion teasers,
comments, cookie and newsletter banners. Its text is taken element by element from the
extracted tree, so each paragraph, heading, list item and quote is a paragraph of the
body; a heading that repeats the title and a paragraph that repeats the description at
the top are dropped (they are the title and the standfirst).

Metadata: title, author, outlet name (``og:site_name``) and canonical URL from
trafilatura; the publication date and time from the page's own meta tags
(``article:published_time``, JSON-LD ``datePublished``, ``<time datetime>``), else from
htmldate (original date, no guessing from the text), else a short labelled line of the
page ("প্রকাশ: ২১ ফেব্রুয়ারি ২০২৬, ১০:৩০"); language from ``<html lang>`` or
``og:locale``. A wire agency byline (``WIRE_AGENCIES``: Reuters, AFP, AP, UNB, BSS ...)
is the article's ``source``, as in the bdnews24 text format; otherwise the outlet is.
A page saved by a browser keeps its URL in ``<!-- saved from url=(n)URL -->``; a page
saved by ``newsdesk add`` may carry ``<meta name="newsdesk:url">`` and
``<meta name="newsdesk:fetched">`` (the crawl time, for relative dates).

Does not run scripts (a page whose text is built by JavaScript has no text here), read
paywalled text, or follow pagination.
"""

from __future__ import annotations

import json
import re
import unicodedata

from app.sources.base import Record, SourceError
from app.sources.files import MAX_ARTICLE_BYTES
from app.types import Kind, Problem

# A saved page is larger than its article (scripts, styles, inline images): up to
# this many times the article limit is read.
MAX_PAGE_BYTES = 10 * MAX_ARTICLE_BYTES
WIRE_AGENCIES = frozenset(
    """reuters afp ap apa upi unb bss pti ians ani xinhua bloomberg dpa anadolu bernama kyodo yonhap
    efe ansa tass""".split()
    + [
        "associated press",
        "agence france-presse",
        "agence france presse",
        "press trust of india",
        "united news of bangladesh",
        "bangladesh sangbad sangstha",
        "anadolu agency",
    ]
)
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "sailthru.date",
    "parsely-pub-date",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "dateModified", "last-modified")
_AGENCY_WORDS = re.compile(r"[^\w\s-]")


def sniff(head: bytes) -> bool:
    """True if a file's first bytes look like an HTML page."""
    sample = head[:4096].lstrip().lower()
    return sample.startswith((b"<!doctype html", b"<html")) or b"<html" in sample or b"<body" in sample


def read(data: bytes, *, path: str) -> Record:
    """The Record of one saved page."""
    if len(data) > MAX_PAGE_BYTES:
        raise SourceError(f"page over {MAX_PAGE_BYTES / 1e6:.0f} MB", kind=Kind.TOO_LARGE)
    import trafilatura  # heavy; imported when the first page is read
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        raise SourceError("not an HTML page (could not be parsed)")
    meta = _meta(tree)
    doc = trafilatura.bare_extraction(
        data,
        with_metadata=True,
        include_comments=False,
        favor_precision=True,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
    )
    problems: list[Problem] = []
    if doc is None or doc.body is None or not "".join(doc.body.itertext()).strip():
        # Precision found no article: read what recall finds (a homepage's headlines),
        # so classify can say what the page is instead of "no body".
        recall = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, favor_recall=True, include_tables=False
        )
        if recall is not None and recall.body is not None:
            doc = recall
    title = (doc.title if doc else None) or _first(tree, "//title/text()")
    description = (doc.description if doc else None) or meta.get("description") or meta.get("og:description")
    paras = _paragraphs(doc.body) if doc is not None and doc.body is not None else []
    paras = _drop_top_repeats(paras, title, description)
    standfirst = description if description and (not paras or description not in paras[0]) else None
    author = meta.get("author") or _mend_author(doc.author if doc else None, tree)
    site = (doc.sitename if doc else None) or meta.get("og:site_name") or (doc.hostname if doc else None)
    source = author if author and _is_agency(author) else site
    url = meta.get("newsdesk:url") or (doc.url if doc else None) or _saved_from(data)
    published = _published(tree, meta)
    if published is None:
        published = _htmldate(tree) or _labelled_date(tree)
        if published is None:
            problems.append(Problem(Kind.UNDATED, "no publication date found on the page"))
    language = _first(tree, "/html/@lang") or meta.get("og:locale") or meta.get("content-language")
    return Record(
        text="\n\n".join(paras),
        path=path,
        title=title,
        standfirst=standfirst,
        published=published,
        updated=next((meta[k] for k in _MODIFIED_META if meta.get(k)), None),
        source=source,
        url=url,
        author=author,
        language=language,
        crawled=_crawled(meta.get("newsdesk:fetched")),
        problems=tuple(problems),
    )


def _crawled(value: str | None):
    from app.text.dates import DateError, parse_date

    if not value:
        return None
    try:
        return parse_date(value)
    except DateError:
        return None


def _first(tree, xpath: str) -> str | None:
    found = tree.xpath(xpath)
    return str(found[0]).strip() or None if found else None


def _meta(tree) -> dict[str, str]:
    """Every ``<meta>`` name/property/itemprop/http-equiv -> content (first one wins)."""
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content and content.strip():
            out.setdefault(key.strip().lower() if ":" not in key else key.strip(), content.strip())
    return out


def _published(tree, meta: dict[str, str]) -> str | None:
    for key in _PUBLISHED_META:
        value = meta.get(key) or meta.get(key.lower())
        if value:
            return value
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data, *(data.get("@graph") or [])]:
            if isinstance(item, dict) and isinstance(item.get("datePublished"), str):
                return item["datePublished"]
    return _first(tree, "//article//time/@datetime") or _first(tree, "//time/@datetime")


# A short line of the page that labels the publication date ("প্রকাশ: ২১ ফেব্রুয়ারি
# ২০২৬, ১০:৩০", "Published: 13 Jan 2025, 11: 20"), for pages with no date markup.
_DATE_LABEL = re.compile(r"^\s*(?:published|posted|first published|প্রকাশ|প্রকাশিত)\s*:?", re.I)
LABELLED_DATE_MAX_CHARS = 80


def _labelled_date(tree) -> str | None:
    from app.text.dates import DateError, parse_date

    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        text = " ".join("".join(el.itertext()).split())
        if 0 < len(text) <= LABELLED_DATE_MAX_CHARS and _DATE_LABEL.match(unicodedata.normalize("NFC", text)):
            try:
                if parse_date(text) is not None:
                    return text
            except DateError:
                continue
    return None


# Combining marks of the Indic scripts (vowel signs, viramas), which trafilatura's
# author clean-up may cut off the end of a name.
_INDIC_MARKS = "".join(
    ch for ch in map(chr, range(0x0900, 0x0E00)) if unicodedata.category(ch) in ("Mn", "Mc")
)


def _mend_author(author: str | None, tree) -> str | None:
    """trafilatura's author, completed from the page: its clean-up drops a name's final
    Bangla vowel sign ("রাজশাহী" -> "রাজশাহ") and joins names with ";"."""
    if not author:
        return None
    names = [n.strip() for n in author.split(";") if n.strip()]
    page = " ".join("".join(tree.itertext()).split())
    marks = f"[{re.escape(_INDIC_MARKS)}]*"
    pattern = r"\s*[,;]?\s*".join(f"({re.escape(n)}{marks})" for n in names) + r"(?![^\W\d_])"
    m = re.search(pattern, page)
    return ", ".join(m.groups()) if m else ", ".join(names)


def _htmldate(tree) -> str | None:
    from htmldate import find_date

    try:
        return find_date(tree, outputformat="%Y-%m-%dT%H:%M:%S%z", original_date=True, extensive_search=False)
    except (ValueError, TypeError):
        return None


def _saved_from(data: bytes) -> str | None:
    m = _SAVED_FROM.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def _is_agency(author: str) -> bool:
    words = _AGENCY_WORDS.sub(" ", author.lower()).split()
    name = " ".join(words)
    return name in WIRE_AGENCIES or any(w in WIRE_AGENCIES for w in words if len(words) <= 3)


def _paragraphs(body) -> list[str]:
    """One paragraph per block of trafilatura's extracted tree, list items one each.
    A ``<br>`` inside a block stays a newline: ``repair`` folds it into a space when
    the body has paragraphs, and splits at it when the page is one block of lines."""
    for lb in body.iter("lb"):
        lb.tail = "\n" + (lb.tail or "")
    paras: list[str] = []
    for el in body:
        if el.tag == "list":
            blocks = list(el.iter("item"))
        else:
            blocks = [el]
        for block in blocks:
            text = re.sub(r"[ \t\r\f\v]+", " ", "".join(block.itertext())).strip()
            text = re.sub(r" ?\n[\s]*", "\n", text)  # a <br> stays a line break (see below)
            if text:
                paras.append(text)
    return paras


def _same(a: str | None, b: str | None) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"\W+", " ", s).strip().casefold()

    return bool(a and b) and norm(a) == norm(b)


def _drop_top_repeats(paras: list[str], title: str | None, description: str | None) -> list[str]:
    """Drop the headline and the standfirst where the page repeats them above the body."""
    out = list(paras)
    for _ in range(3):
        if out and (_same(out[0], title) or _same(out[0], description)):
            out.pop(0)
    return out


__all__ = ["MAX_PAGE_BYTES", "WIRE_AGENCIES", "read", "sniff"]
