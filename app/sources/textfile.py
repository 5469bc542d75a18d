"""Readers for one-article text files (``.txt``, ``.md``): the bdnews24 saved-page text
(the seed's format) and plain articles. Both give one Record; ``read`` picks by sniffing.

bdnews24 text, top to bottom::

    date 2023-04-30     বাংলা                    <- date line with a language link
    Title
    Standfirst
    Reuters                                       <- the agency or byline
    Published : 30 April 2023, 02:07 AM           <- Dhaka local time, UTC+6
    Updated : 30 April 2023, 02:07 AM
    body paragraphs, separated by blank lines
    RELATED STORIES ... / Opinion ...             <- page furniture, not the article

The byline line is both the record's ``source`` (as the seed reader has it) and its
``author``. Only the body is text: the furniture blocks are cut off.

Plain text: the first line is the title (markdown heading marks dropped) when it reads
as one (at most ``MAX_TITLE_CHARS``, no final full stop); a date line under it
("Published: 3 May 2023") or a wire dateline opening the body ("LONDON, May 3, 2023
(Reuters) -") gives the date. Otherwise all of it is body, untitled. Does not read front
matter or render markdown.
"""

from __future__ import annotations

import re

from app.sources.base import Record, SourceError
from app.text.dates import DHAKA, dateline
from app.types import Kind, Problem

# A title is one line of at most this many characters; a longer first line is prose.
MAX_TITLE_CHARS = 200
# Headings that start the page furniture after a bdnews24 body.
BDNEWS24_FURNITURE = ("RELATED STORIES", "Opinion", "MORE STORIES", "Also Read")
_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b")
_STAMP = re.compile(r"^\s*(Published|Updated)\s*:\s*(.+?)\s*$")
_BLANK = re.compile(r"\n[ \t]*\n")
# "Published: 3 May 2023", "Updated 2023-04-30", or a line that is a date (short).
_DATE_ONLY = re.compile(
    r"^(?:(?:published|updated|posted|date|dated)\b\s*:?\s*)?(?P<value>[\w ,.:/+-]{6,60})$", re.I
)


def sniff_bdnews24(text: str) -> bool:
    """True if the text looks like a saved bdnews24 page."""
    head = text.lstrip()[:2000]
    return bool(_DATE_LINE.match(head)) and re.search(r"^\s*Published\s*:", head, re.M) is not None


def read(text: str, *, path: str) -> Record:
    """The one Record of a text file (bdnews24 page or plain article)."""
    if not text.strip():
        raise SourceError("empty file")
    return read_bdnews24(text, path=path) if sniff_bdnews24(text) else read_plain(text, path=path)


def read_bdnews24(text: str, *, path: str) -> Record:
    lines = text.split("\n")
    stamps: dict[str, str] = {}
    header: list[str] = []
    i = 0
    while i < len(lines):
        if m := _STAMP.match(lines[i]):
            stamps[m.group(1).lower()] = m.group(2)
        elif stamps:
            break  # the first line after the Published/Updated block
        elif lines[i].strip():
            header.append(lines[i].strip())
        i += 1
    rest = header[1:]  # header[0] is the date line; the Published stamp is more precise
    if "published" not in stamps or not rest:
        raise SourceError("bdnews24 page without a title and Published line")
    body: list[str] = []
    furniture = None
    for line in lines[i:]:
        if line.strip() in BDNEWS24_FURNITURE:
            furniture = line.strip()
            break
        body.append(line)
    text_body = "\n".join(body).strip()
    problems = ()
    if not text_body and furniture:
        problems = (
            Problem(Kind.BOILERPLATE_ONLY, f"no article body: only page furniture ({furniture} ...)"),
        )
    byline = rest[-1] if len(rest) >= 2 else None
    return Record(
        text=text_body,
        path=path,
        title=rest[0],
        standfirst=" ".join(rest[1:-1]) or None,
        published=stamps["published"],
        updated=stamps.get("updated"),
        source=byline,
        author=byline,
        tz=DHAKA,
        problems=problems,
    )


def read_plain(text: str, *, path: str) -> Record:
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    title = first.lstrip("#").strip()
    if not _is_title(title):
        return Record(text=stripped, path=path)
    rest = rest.strip()
    blocks = [b.strip() for b in (_BLANK.split(rest) if _BLANK.search(rest) else rest.split("\n"))]
    blocks = [b for b in blocks if b]
    published = None
    if (
        blocks
        and len(blocks[0]) <= 60
        and (m := _DATE_ONLY.match(blocks[0]))
        and _full_date(m.group("value"))
    ):
        published, blocks = m.group("value"), blocks[1:]
    elif blocks and (found := dateline(blocks[0])):
        published = found
    return Record(text="\n\n".join(blocks), path=path, title=title, published=published)


def _is_title(line: str) -> bool:
    return 0 < len(line) <= MAX_TITLE_CHARS and not line.endswith(".")


def _full_date(value: str) -> bool:
    """A date line holds a day, a month and a year (a short first paragraph that merely
    contains a number is body)."""
    from app.text.dates import DateError, parse_date

    if not re.search(r"\d{4}", value):
        return False
    try:
        return parse_date(value) is not None
    except DateError:
        return False


__all__ = ["MAX_TITLE_CHARS", "BDNEWS24_FURNITURE", "read", "read_bdnews24", "read_plain", "sniff_bdnews24"]
