"""Reader for plain ``.txt`` / ``.md`` articles: the first line is the title, then
paragraphs separated by blank lines. Markdown heading marks on the title are dropped;
other markdown is kept as written (it is shown as text, never rendered as HTML).

A file whose first line does not read as a headline (longer than 200 characters, or
ending with a full stop) has no title line: all of it is body, the title is its first
sentence, and a ``Note`` says so. A date line under the title ("Published: 3 May
2023") or a wire dateline opening the body ("LONDON, May 3, 2023 (Reuters) -") gives
the publication date. Does not read front matter or HTML.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.sources.common import Note, SourceError, find_date, is_title, make_article, paragraphs
from app.types import Article


def read(text: str, *, path: str) -> Iterator[Article | Note]:
    stripped = text.strip()
    if not stripped:
        raise SourceError("empty file")
    first, _, rest = stripped.partition("\n")
    title = first.lstrip("#").strip()
    if is_title(title):
        paras = paragraphs(rest)
        published, date_lines = find_date(paras)
        yield make_article(title, paras[date_lines:], path=path, published=published)
        return
    article = make_article("", paragraphs(stripped), path=path)
    yield Note(f"no title line; titled from its first sentence: {article.title!r}")
    yield article
