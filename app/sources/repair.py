"""Text repair before an article body is fixed: what scrapers and exports break.

``repair_body`` turns a raw text into clean paragraphs, in this order:

1. line endings: ``\\r\\n`` and a lone ``\\r`` become ``\\n`` (a lone ``\\r`` is how
   some exports mark paragraphs);
2. HTML in a text field: scripts and styles dropped, block tags (``<p>``, ``<br>``,
   ``<div>``, ``<li>`` ...) made paragraph breaks, other known tags removed, entities
   decoded (twice if they were escaped twice). Only the names of ``HTML_TAGS`` count as
   tags, so Reuters' ``<AMERICAN EXPRESS CO>`` and "a < b" stay text;
3. mojibake fixed with ftfy (only when the text has the marks of UTF-8 read as
   Windows-1252, since ftfy is slow on long Bangla texts); quotes stay curly;
4. Unicode NFC; zero-width, bidi and control characters removed, except ZWJ/ZWNJ
   (U+200D/U+200C) between two letters of a script that uses them (Bangla, Devanagari,
   Arabic ...); odd spaces (no-break, thin) become plain spaces;
5. paragraphs recovered from a one-line body with clear marks: bullets, or two or more
   spaces after a sentence's end, each seen at least ``RECOVER_MIN_MARKS`` times;
6. sentences glued by a missing space ("The Daily Star.He added") split, but not in
   abbreviations, initials ("U.S.", "J.R.R."), decimals, URLs, e-mail addresses or
   domain names ("bdnews24.com", "Prothomalo.Com"); a Bangla dari (।) glued to the
   next word is always an end;
7. a paragraph or a sentence repeated within the article kept once, and a first
   paragraph that only repeats the headline dropped.

Every step that changed something adds a ``Problem`` saying what and how often.
Does not: translate, spell-correct, re-case ALL-CAPS wire copy, guess paragraphs in a
one-line body without marks, or remove page furniture (``classify`` does that).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from app.sources.glued import split_glued
from app.text.sentences import sentence_spans
from app.types import Kind, Problem

# A sentence or paragraph shorter than this may repeat for real ("He declined to
# comment."); longer repeats are a scraper's doing.
MIN_REPEAT_SENTENCE_CHARS = 40
MIN_REPEAT_PARAGRAPH_CHARS = 40
# A one-line body needs at least this many paragraph marks before it is split at them,
# so one stray double space never cuts a paragraph.
RECOVER_MIN_MARKS = 2
# ... and at least this many characters (a short one-liner is one paragraph anyway).
RECOVER_MIN_CHARS = 150

HTML_TAGS = frozenset(
    """a abbr article aside b big blockquote body br caption center cite code dd del details div dl dt
    em figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins
    label li link main mark meta nav noscript ol p picture pre q s section small source span strike
    strong sub summary sup table tbody td tfoot th thead time title tr tt u ul video""".split()
)
_BLOCK_TAGS = "p|div|li|ul|ol|h[1-6]|blockquote|section|article|figure|figcaption|table|tr|header|footer|pre"
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b(?:\s[^<>]*)?/?>")
_DROP_ELEMENTS = re.compile(r"<(script|style|noscript|iframe)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_BLOCK = re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^<>]*>", re.I)
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")

# The marks of UTF-8 decoded as Windows-1252 or Latin-1: a lead byte (Â..ô) followed by
# a continuation byte's character. Only then is ftfy run.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_ZERO_WIDTH = (
    "\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u180e"
)
_JOINERS = "\u200c\u200d"
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_ZERO_WIDTH}]")
_ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SPACES = re.compile(r"\s+")

_BULLET = re.compile(r"\s+(?=[•●▪■◆►]\s)")
_DOUBLE_SPACE = re.compile(r"(?<=[.!?।\"”’)])[ ]{2,}(?=\S)")


@dataclass(frozen=True)
class Repaired:
    """The repaired paragraphs of a text (none of them empty) and what was done."""

    paragraphs: tuple[str, ...]
    problems: tuple[Problem, ...] = ()


def repair_body(text: str, *, title: str | None = None) -> Repaired:
    """Repair a raw article text and split it into paragraphs.

    Paragraphs are separated by blank lines; a text with no blank line is split at
    single newlines (the JSONL/CSV convention). Whitespace inside a paragraph is folded.

    Example:
        >>> repair_body("Prices rose.He said &ldquo;no&rdquo;.").paragraphs
        ('Prices rose. He said “no”.',)
    """
    problems: list[Problem] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _clean(text, problems)
    text = _recover_paragraphs(text, problems)
    blocks = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    paras = [folded for block in blocks if (folded := _SPACES.sub(" ", block).strip())]
    glued = 0
    for i, para in enumerate(paras):
        paras[i], n = split_glued(para)
        glued += n
    if glued:
        problems.append(
            Problem(Kind.REPAIRED, f"{glued} glued sentence(s) split (a missing space after a stop)")
        )
    paras = _drop_repeats(paras, title, problems)
    return Repaired(tuple(paras), tuple(problems))


def repair_line(text: str | None) -> str | None:
    """Repair a one-line field (title, standfirst, author): tags, entities, mojibake,
    invisible characters, folded spaces. None or blank gives None."""
    if text is None:
        return None
    text = _SPACES.sub(" ", _clean(text, [])).strip()
    return text or None


def _clean(text: str, problems: list[Problem]) -> str:
    if "<" in text and _has_tags(text):
        text = strip_tags(text)
        problems.append(Problem(Kind.REPAIRED, "HTML tags removed from the text"))
    if "&" in text and _ENTITY.search(text):
        for _ in range(2):  # "&amp;rsquo;" was escaped twice
            text = html.unescape(text)
            if not _ENTITY.search(text):
                break
        if "<" in text and _has_tags(text):
            text = strip_tags(text)
        problems.append(Problem(Kind.REPAIRED, "HTML entities decoded"))
    if _MOJIBAKE.search(text):
        import ftfy  # slow to import; most texts never need it

        fixed = ftfy.fix_text(
            text,
            unescape_html=False,
            uncurl_quotes=False,
            fix_latin_ligatures=False,
            fix_character_width=False,
            fix_line_breaks=False,
            normalization=None,
        )
        if fixed != text:
            text = fixed
            problems.append(
                Problem(Kind.REPAIRED, "mojibake fixed (UTF-8 that had been read as Windows-1252)")
            )
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    if "\u200c" in text or "\u200d" in text:
        text = _strip_joiners(text)
    return _ODD_SPACES.sub(" ", text)


def _has_tags(text: str) -> bool:
    """True if the text holds HTML for sure: a closing tag, a tag with attributes, or a
    lower-case ``<p>``/``<br>``/``<li>``/``<div>``. A lone ``<I>`` or ``<HR>`` is how
    Reuters writes stock tickers, not markup."""
    for m in _TAG.finditer(text):
        name = m.group(1)
        if name.lower() not in HTML_TAGS:
            continue
        tag = m.group(0)
        if tag.startswith("</") or "=" in tag or name in ("p", "br", "li", "div"):
            return True
    return False


def strip_tags(text: str) -> str:
    """Remove HTML from a text field: scripts, styles and comments with their content;
    block tags become paragraph breaks and ``<br>`` a line break; other known tags go.
    Unknown "tags" (``<AMERICAN EXPRESS CO>``) are kept as text."""
    text = _COMMENT.sub("", _DROP_ELEMENTS.sub("", text))
    text = _BREAK.sub("\n", text)
    text = _BLOCK.sub("\n\n", text)
    return _TAG.sub(lambda m: "" if m.group(1).lower() in HTML_TAGS else m.group(0), text)


def _strip_joiners(text: str) -> str:
    """Keep ZWJ/ZWNJ only between two letters (or marks) of a script other than Latin:
    they change how Bangla conjuncts and Persian words are drawn; elsewhere they are
    invisible debris."""
    out = []
    for i, ch in enumerate(text):
        if ch in _JOINERS:
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if not (_script_letter(before) and _script_letter(after)):
                continue
        out.append(ch)
    return "".join(out)


def _script_letter(ch: str) -> bool:
    return bool(ch) and ord(ch) > 0x024F and unicodedata.category(ch)[0] in "LM"


def _recover_paragraphs(text: str, problems: list[Problem]) -> str:
    stripped = text.strip()
    if "\n" in stripped or len(stripped) < RECOVER_MIN_CHARS:
        return text
    for mark, name in ((_BULLET, "bullets"), (_DOUBLE_SPACE, "double spaces")):
        if len(mark.findall(stripped)) >= RECOVER_MIN_MARKS:
            pieces = mark.split(stripped)
            problems.append(
                Problem(Kind.REPAIRED, f"{len(pieces)} paragraphs recovered from a one-line body at {name}")
            )
            return "\n\n".join(pieces)
    return text


def _key(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def _drop_repeats(paras: list[str], title: str | None, problems: list[Problem]) -> list[str]:
    if title and paras and _key(paras[0]).rstrip(".") == _key(title).rstrip(".") and len(paras) > 1:
        paras = paras[1:]
        problems.append(Problem(Kind.REPEATED, "the headline repeated as the first paragraph; removed"))
    seen_paras: set[str] = set()
    seen_sentences: set[str] = set()
    kept: list[str] = []
    dropped_paras = dropped_sentences = 0
    for para in paras:
        key = _key(para)
        if len(key) >= MIN_REPEAT_PARAGRAPH_CHARS and key in seen_paras:
            dropped_paras += 1
            continue
        seen_paras.add(key)
        pieces = []
        spans = sentence_spans(para)
        for a, b in spans:
            sentence = para[a:b]
            skey = _key(sentence)
            if len(skey) >= MIN_REPEAT_SENTENCE_CHARS and skey in seen_sentences:
                dropped_sentences += 1
                continue
            seen_sentences.add(skey)
            pieces.append(sentence.strip())
        if pieces:
            kept.append(" ".join(pieces) if len(pieces) < len(spans) else para)
    if dropped_paras or dropped_sentences:
        parts = []
        if dropped_paras:
            parts.append(f"{dropped_paras} repeated paragraph(s)")
        if dropped_sentences:
            parts.append(f"{dropped_sentences} repeated sentence(s)")
        problems.append(Problem(Kind.REPEATED, " and ".join(parts) + " kept once"))
    return kept


__all__ = ["Repaired", "repair_body", "repair_line", "strip_tags"]
