"""Reader for plain ``.txt`` / ``.md`` articles: the first line is the title, then
paragraphs separated by blank lines. Markdown heading marks on the title are dropped;
other markdown is kept as written (it is shown as text, never rendered as HTML)."""

from __future__ import annotations

from app.sources.common import SourceError, make_article, paragraphs
from app.types import Article


def read(text: str, *, path: str) -> list[Article]:
    stripped = text.strip()
    if not stripped:
        raise SourceError("empty file")
    first, _, rest = stripped.partition("\n")
    title = first.lstrip("#").strip()
    return [make_article(title, paragraphs(rest), path=path)]
