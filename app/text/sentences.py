"""Sentence boundaries with exact character offsets, for English and Bangla news prose.

Rule-based and deterministic: a sentence ends at ``.``, ``!`` or ``?`` (optionally
followed by closing quotes or brackets) before whitespace and an upper-case letter,
digit, Bangla letter or opening quote, or at Bangla's dari ``।`` before whitespace,
unless the word before the stop is a known abbreviation
("Mr.", "U.S.", "Jan.") or a single initial ("Abdul L. Rashid"), or the stop is inside
an open quotation: a quote of several sentences and its attribution ("A. B," he said.)
stay one sentence, so a quoted sentence never loses its speaker. Does not handle
sentences without a final stop inside a paragraph, or lower-case sentence starts.

``last_sentence_start``, ``stop_after`` and ``clause_end`` are the quick forms of the
same boundary (a stop before space), without the abbreviation and open-quote rules:
quote attribution (``app.news.quotes``) scans a few words either side of a quotation
mark, where those rules would hide the attribution it looks for.
"""

from __future__ import annotations

import re

from app.text.bangla import bangla_sentence_spans, is_bangla

# Words that end with a full stop without ending a sentence. Lower-case, no dot.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep rev hon pres
    jan feb mar apr jun jul aug sep sept oct nov dec vs etc inc ltd co corp bros
    approx dept est fig al e.g i.e u.s u.k u.n u.s.a d.c a.m p.m""".split()
)

# A candidate boundary: terminal punctuation, optional closers, whitespace, then
# something that can start a sentence (Bangla has no capitals: any Bangla letter can);
# or the dari (and double dari) before whitespace, which always ends a Bangla sentence.
_BOUNDARY = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9\u0980-\u09FF])|[।॥]+["'”’)\]]*(?=\s+\S)""")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
# A quotation longer than this is taken to be unbalanced (a stray quote mark) and
# sentences split inside it as usual; real multi-sentence news quotes are shorter.
MAX_QUOTE_CHARS = 600


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each sentence in ``text``, shifted by ``offset``.

    Spans exclude surrounding whitespace, so ``text[s - offset:e - offset]`` is the
    sentence exactly. Every non-space character of ``text`` lies in one span.

    A text that is mostly Bangla (``app.text.bangla.is_bangla``) takes the Bangla rules.

    Example:
        >>> sentence_spans("Mr. Smith left. He said no.")
        [(0, 15), (16, 27)]
    """
    if is_bangla(text):
        return bangla_sentence_spans(text, offset, ABBREVIATIONS)
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if text[m.start()] == "." and _is_abbreviation(text[start : m.start() + 1]):
            continue
        if _inside_quote(text[start:end]) and end - start < MAX_QUOTE_CHARS:
            continue
        _add(text, start, end, offset, spans)
        start = end
    _add(text, start, len(text), offset, spans)
    return spans


def _is_abbreviation(chunk: str) -> bool:
    m = _WORD_BEFORE.search(chunk)
    if not m:
        return False
    word = m.group(1).lower()
    return word in ABBREVIATIONS or len(word) == 1


def _inside_quote(chunk: str) -> bool:
    """True if a quotation opened in ``chunk`` is still open at its end."""
    if chunk.count("“") > chunk.count("”"):
        return True
    return chunk.count('"') % 2 == 1


def _add(text: str, start: int, end: int, offset: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((offset + start + lead, offset + start + lead + len(stripped)))


# Quick boundaries around a quotation: a stop, an optional closing mark, then space.
_STOP_BEFORE_SPACE = re.compile(r"[.!?](?=[\"”]?(?:\s|$))")
_BOUNDARY_BEFORE_START = re.compile(r"[.!?][\"”]?\s+(?=[\"“A-Z])")
_CLAUSE_END = re.compile(r"[.!?](?:\s|$)|\n|[\"“]")


def last_sentence_start(text: str) -> int:
    """Where the last sentence of ``text`` starts: after the last stop (and closing
    mark) followed by space and a capital or an opening quote; 0 if there is none."""
    return max((m.end() for m in _BOUNDARY_BEFORE_START.finditer(text)), default=0)


def stop_after(text: str, start: int = 0) -> int | None:
    """The index of the first stop at or after ``start`` that ends a sentence (followed,
    after an optional closing quote, by space or the end), or None."""
    m = _STOP_BEFORE_SPACE.search(text, start)
    return m.start() if m else None


def clause_end(text: str) -> int:
    """Where the words after a closing quotation mark stop being its attribution: at the
    sentence's stop, a line break or the next quotation mark (``len(text)`` if none)."""
    m = _CLAUSE_END.search(text)
    return m.start() if m else len(text)
