"""Article -> Passages: one passage a body paragraph, with exact offsets and stable ids.

A paragraph shorter than ``MIN_CHARS`` is merged with the next one (or the previous,
at the end of the article): a one-line paragraph such as "He declined to comment."
carries too little meaning to embed alone. A paragraph longer than ``MAX_CHARS`` is cut
at sentence boundaries into pieces of at most that size, because all-MiniLM-L6-v2 reads
only its first 256 word pieces (~1,000 characters of English) and ignores the rest.

Passage ids are ``<article_id>-<n>``: the article id is a hash of its content, so an
unchanged article always yields the same ids and a changed one yields new ones.
"""

from __future__ import annotations

import re

from app.text.sentences import sentence_spans
from app.types import Article, Passage

MIN_CHARS = 60  # a paragraph this short is merged with a neighbour
MAX_CHARS = 900  # ~200 word pieces: kept under the model's 256-piece window

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]*)*")


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of a body (paragraphs are separated by blank lines)."""
    spans = []
    for m in _PARAGRAPH.finditer(body):
        text = m.group()
        if text.strip():
            lead = len(text) - len(text.lstrip())
            spans.append((m.start() + lead, m.start() + len(text.rstrip())))
    return spans


def split_passages(article: Article) -> list[Passage]:
    """Cut an article body into passages.

    Example:
        >>> [p.paragraph for p in split_passages(article)]
        [1, 2, 3, 4, 5, 6, 7]
    """
    units: list[tuple[int, int, int]] = []  # (paragraph ordinal, start, end)
    for ordinal, (start, end) in enumerate(paragraph_spans(article.body), start=1):
        units.extend((ordinal, s, e) for s, e in _split_long(article.body, start, end))
    merged = _merge_short(units)
    return [
        Passage(
            passage_id=f"{article.article_id}-{n}",
            article_id=article.article_id,
            paragraph=ordinal,
            start=start,
            end=end,
            text=article.body[start:end],
        )
        for n, (ordinal, start, end) in enumerate(merged)
    ]


def _split_long(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Pack a paragraph's sentences greedily into pieces of at most MAX_CHARS; a single
    sentence longer than that is cut at the last space before the limit."""
    if end - start <= MAX_CHARS:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    piece_start = piece_end = None
    for s, e in sentence_spans(body[start:end], offset=start):
        while e - s > MAX_CHARS:  # one huge "sentence" (a list, a URL dump)
            cut = body.rfind(" ", s, s + MAX_CHARS)
            cut = cut if cut > s else s + MAX_CHARS
            if piece_start is not None:
                pieces.append((piece_start, piece_end))
                piece_start = None
            pieces.append((s, cut))
            s = cut + 1 if body[cut : cut + 1] == " " else cut
        if piece_start is not None and e - piece_start <= MAX_CHARS:
            piece_end = e
        else:
            if piece_start is not None:
                pieces.append((piece_start, piece_end))
            piece_start, piece_end = s, e
    if piece_start is not None:
        pieces.append((piece_start, piece_end))
    return pieces


def _merge_short(units: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Merge each unit shorter than MIN_CHARS into the following one (the last into the
    one before), unless that would pass MAX_CHARS."""
    merged: list[tuple[int, int, int]] = []
    pending: tuple[int, int, int] | None = None
    for unit in units:
        if pending is not None:
            if unit[2] - pending[1] <= MAX_CHARS:
                unit = (pending[0], pending[1], unit[2])
            else:
                merged.append(pending)
            pending = None
        if unit[2] - unit[1] < MIN_CHARS:
            pending = unit
        else:
            merged.append(unit)
    if pending is not None:
        if merged and pending[2] - merged[-1][1] <= MAX_CHARS:
            last = merged.pop()
            merged.append((last[0], last[1], pending[2]))
        else:
            merged.append(pending)
    return merged
