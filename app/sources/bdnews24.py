"""Reader for news pages saved as text from bdnews24.com (the seed article's format).

The layout, top to bottom::

    date 2023-04-30     বাংলা                    <- date line with a language link
    Title
    Standfirst
    Reuters                                       <- the agency or byline
    Published : 30 April 2023, 02:07 AM           <- Dhaka local time, UTC+6
    Updated : 30 April 2023, 02:07 AM
    body paragraphs, separated by blank lines
    RELATED STORIES ... / Opinion ...             <- page furniture, not the article

Only the body becomes article text: the furniture blocks are dropped, so they can never
be indexed or cited. Does not handle the site's HTML; save the page as text first.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from app.sources.common import SourceError, fold, make_article
from app.text.dates import parse_date
from app.types import Article

DHAKA = timezone(timedelta(hours=6), "Asia/Dhaka")
_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b")
_STAMP = re.compile(r"^\s*(Published|Updated)\s*:\s*(.+?)\s*$")
# Headings that start the page furniture after the body.
FURNITURE = ("RELATED STORIES", "Opinion", "MORE STORIES", "Also Read")


def sniff(text: str) -> bool:
    """True if the text looks like a saved bdnews24 page."""
    head = text.lstrip()[:2000]
    return bool(_DATE_LINE.match(head)) and re.search(r"^\s*Published\s*:", head, re.M) is not None


def _stamp(value: str, line_no: int) -> datetime:
    try:
        return parse_date(value, tz=DHAKA)  # "30 April 2023, 02:07 AM", Dhaka time
    except ValueError:
        raise SourceError(f"unreadable timestamp {value!r}", line=line_no) from None


def read(text: str, *, path: str) -> list[Article]:
    lines = text.split("\n")
    stamps: dict[str, datetime] = {}
    header: list[str] = []
    i = 0
    while i < len(lines):
        if m := _STAMP.match(lines[i]):
            stamps[m.group(1).lower()] = _stamp(m.group(2), i + 1)
        elif stamps:
            break  # first line after the Published/Updated block
        elif lines[i].strip():
            header.append(lines[i].strip())
        i += 1
    if "published" not in stamps or not header:
        raise SourceError("bdnews24 page without a header and Published line")
    rest = header[1:]  # header[0] is the date line; the Published stamp is more precise
    if not rest:
        raise SourceError("bdnews24 page without a title", line=1)
    title = rest[0]
    source = rest[-1] if len(rest) >= 2 else None
    standfirst = " ".join(rest[1:-1]) or None

    paras: list[str] = []
    block: list[str] = []
    furniture = None
    for line in lines[i:]:
        if line.strip() in FURNITURE:
            furniture = line.strip()
            break
        if line.strip():
            block.append(line)
        elif block:
            paras.append(fold(" ".join(block)))
            block = []
    else:
        if block:
            paras.append(fold(" ".join(block)))
    paras = [p for p in paras if p]
    if not paras and furniture:
        raise SourceError(f"no article body: only page furniture ({furniture} ...) after the header")
    return [
        make_article(
            title,
            paras,
            path=path,
            source=source,
            published=stamps["published"],
            updated=stamps.get("updated"),
            standfirst=standfirst,
        )
    ]
