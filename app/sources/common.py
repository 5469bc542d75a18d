"""Helpers every reader shares: decoding bytes, splitting paragraphs, article ids, the
date at the top of an article, the size limits, and the rules for a missing title and a
body that is only furniture. Dates themselves are read by ``app.text.dates``.

Readers turn one file into Articles; they never raise for a bad file's content but
raise (or yield) ``SourceError`` with a message, which ``load_articles`` records as a
Problem and skips; a ``Note`` is a remark about an article that is still indexed (read
as Windows-1252, titled from its first sentence). Does not guess encodings beyond
UTF-8 / UTF-16 with a BOM / Windows-1252, and does not parse HTML.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from app.text.dates import parse_full_date
from app.text.sentences import sentence_spans
from app.types import Article

# One news article is at most a few tens of KB (the longest in the BBC corpus is 25 KB);
# 2 MB is far beyond any article and still embeds in minutes. Bigger article files are
# refused before they are read, so a stray log or dump never exhausts memory or the
# build's time. JSONL archives are read a line at a time and have no total limit; each
# of their records has this same limit.
MAX_ARTICLE_BYTES = 2_000_000

# A title is one line of at most this many characters; a longer first line is prose.
MAX_TITLE_CHARS = 200
# A title made from the first sentence is cut at a word boundary near this length.
DERIVED_TITLE_CHARS = 120
# A paragraph of at least this many words counts as prose even with no final stop (a
# truncated paragraph, a caption, a one-paragraph record such as "Auckland will be
# locked down for a week and the rest of the country for three days"); fewer, and it
# needs a sentence-final stop. A listing of longer headlines is caught by the rule below.
PROSE_WORDS = 12
# A body whose paragraphs are mostly headline-like lines (short, no final stop) is a
# listing of teasers when there are at least this many of them.
LISTING_MIN_LINES = 4
HEADLINE_MAX_WORDS = 15
# ... unless one paragraph has this many words: a story with a long list (a tennis
# draw, a list of award winners) has real paragraphs; a listing's teasers never do.
STORY_WORDS = 40


class SourceError(ValueError):
    """A file (or one record of it) that cannot become an article."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Note:
    """A remark about an article that is indexed all the same (reported as a Problem)."""

    message: str
    line: int | None = None


_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_SPACES = re.compile(r"\s+")
# File signatures of the binary formats most often dropped into a news folder by mistake.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "zip archive (or .docx/.xlsx)"),
    (b"PK\x05\x06", "zip archive"),
    (b"%PDF-", "PDF document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0", "Microsoft Office document"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode(data: bytes) -> tuple[str, str | None]:
    """Bytes -> (text, warning). UTF-8 (with or without BOM), UTF-16 with a BOM, else
    Windows-1252.

    A known binary signature (PNG, JPEG, zip, PDF, ...) or a NUL byte means a binary
    file: ``SourceError`` naming the kind. Line endings become ``\\n``; a BOM never
    reaches the text. A file that is not UTF-8 is still read, with a warning that says
    where the first bad byte is, so the user can fix the file.
    """
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise SourceError(f"binary file ({kind}), not an article")
    if data.startswith(_UTF16_BOMS):
        try:
            return _newlines(data.decode("utf-16")), None
        except UnicodeDecodeError:
            raise SourceError("binary file (broken UTF-16), not an article") from None
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (contains NUL bytes), not an article")
    warning = None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        # cp1252 is what "Latin-1" files from Windows newsrooms really are; latin-1 maps
        # every byte, so the fallback never fails.
        try:
            text = data.decode("cp1252")
            used = "Windows-1252"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            used = "Latin-1"
        warning = f"not valid UTF-8 (byte {err.start}); read as {used}"
    return _newlines(text), warning


def _newlines(text: str) -> str:
    return text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs at blank lines; a text with no blank line splits at
    single newlines (the JSONL convention). Whitespace inside a paragraph is folded."""
    text = _newlines(text).strip()
    if not text:
        return []
    blocks = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    return [folded for block in blocks if (folded := fold(block))]


def fold(text: str) -> str:
    """Collapse runs of whitespace (wrapped lines, tabs) into single spaces."""
    return _SPACES.sub(" ", text).strip()


def article_id(title: str, body: str) -> str:
    """A stable id from the article's content: the same story under two names is one."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:16]


def is_title(line: str) -> bool:
    """True if a first line reads as a headline: one line, at most ``MAX_TITLE_CHARS``,
    not ending with a full stop (headlines do not; a story's first sentence does)."""
    line = line.strip()
    return 0 < len(line) <= MAX_TITLE_CHARS and not line.endswith(".")


def title_from(paras: list[str]) -> str:
    """A title for an article that has none: its first sentence, cut at a word boundary."""
    first = paras[0]
    spans = sentence_spans(first)
    sentence = first[spans[0][0] : spans[0][1]] if spans else first
    if len(sentence) <= DERIVED_TITLE_CHARS:
        return sentence
    cut = sentence[:DERIVED_TITLE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


_SENTENCE_END = re.compile(r"""[.!?…]["'”’)\]]*$""")


def _is_prose(para: str) -> bool:
    words = len(para.split())
    return words >= PROSE_WORDS or (words >= 3 and _SENTENCE_END.search(para) is not None)


def furniture_only(paras: list[str]) -> str | None:
    """Why a body is not an article (a homepage listing, a page of links), or None.

    The rule: a body needs at least one paragraph of prose (a sentence of three or more
    words ending in ``.``, ``!``, ``?`` or ``…``, or any paragraph of ``PROSE_WORDS``
    words), and must not be mostly headline-like lines (under ``HEADLINE_MAX_WORDS``
    words, no final stop) when there are ``LISTING_MIN_LINES`` or more of those and no
    paragraph reaches ``STORY_WORDS`` words (a story with a long list has real paragraphs).
    Checked against the 2,225 BBC News articles, none of which it rejects.
    """
    if not paras:
        return "no article body found"
    if not any(_is_prose(p) for p in paras):
        return (
            f"no article body: none of its {len(paras)} line(s) is a sentence (a list of headlines or links?)"
        )
    headlines = sum(1 for p in paras if len(p.split()) < HEADLINE_MAX_WORDS and not _SENTENCE_END.search(p))
    story = any(len(p.split()) >= STORY_WORDS for p in paras)
    if headlines >= LISTING_MIN_LINES and headlines * 2 > len(paras) and not story:
        return (
            f"no article body: {headlines} of {len(paras)} paragraphs are headline-like lines "
            "(a homepage listing of teasers?)"
        )
    return None


def make_article(title: str, paras: list[str], *, path: str, furniture_check: bool = True, **meta) -> Article:
    """Build an Article from a title and body paragraphs.

    Raises ``SourceError`` if there is no body, or the body is only page furniture
    (see ``furniture_only``; ``furniture_check=False`` for records that are articles by
    declaration, such as a JSONL archive's, where a one-line text is still a text). An
    empty title becomes the first sentence of the body.
    """
    why = furniture_only(paras) if furniture_check else (None if paras else "no article body found")
    if why:
        raise SourceError(why, line=meta.get("line"))
    body = "\n\n".join(paras)
    title = fold(title) or title_from(paras)
    return Article(article_id=article_id(title, body), title=title, body=body, path=path, **meta)


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# "Published: 30 April 2023, 02:07 AM", "Updated 2023-04-30", or a line that is a date.
_DATE_LINE = re.compile(
    r"^(?:(?:published|updated|posted|date|dated)\b\s*:?\s*)?(?P<value>[\w ,.:/+-]{6,60})$", re.I
)
# A wire dateline opening the first paragraph: "WASHINGTON, March 3, 2023 (Reuters) -".
_DATELINE = re.compile(
    rf"^[A-Z][A-Za-z .,'/-]{{1,40}}?,?\s+(?:\([^)]{{2,30}}\)\s*)?"
    rf"(?P<value>{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}})"
)


def find_date(paras: list[str]) -> tuple[datetime | None, int]:
    """A publication date from the top of an article: a date line before the body
    (returned count 1: that paragraph is not body), or a wire dateline opening the first
    paragraph (count 0: it stays in the text). Only full dates (day, month, year) count
    (``parse_full_date``)."""
    if not paras:
        return None, 0
    first = paras[0]
    if len(first) <= 60 and (m := _DATE_LINE.match(first)) and (when := parse_full_date(m.group("value"))):
        return when, 1
    if m := _DATELINE.match(first):
        return parse_full_date(m.group("value")), 0
    return None, 0
