"""Helpers every reader shares: decoding bytes, splitting paragraphs, article ids, dates.

Readers turn one file into Articles; they never raise for a bad file's content but
raise ``SourceError`` with a message, which ``load_articles`` records as a Problem.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

from app.types import Article


class SourceError(ValueError):
    """A file (or one record of it) that cannot become an article."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_SPACES = re.compile(r"\s+")


def decode(data: bytes) -> tuple[str, str | None]:
    """Bytes -> (text, warning). UTF-8 (with or without BOM), else Windows-1252.

    A NUL byte means a binary file (an image, a zip): ``SourceError``. Line endings
    become ``\\n``. A file that is not UTF-8 is still read, with a warning that says
    where the first bad byte is, so the user can fix the file.
    """
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
    return text.replace("\r\n", "\n").replace("\r", "\n"), warning


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs at blank lines; a text with no blank line splits at
    single newlines (the JSONL convention). Whitespace inside a paragraph is folded."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
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


def make_article(title: str, paras: list[str], *, path: str, **meta) -> Article:
    """Build an Article from a title and body paragraphs; raises if there is no body."""
    if not paras:
        raise SourceError("no article body found", line=meta.get("line"))
    body = "\n\n".join(paras)
    title = fold(title) or fold(paras[0])[:120]
    return Article(article_id=article_id(title, body), title=title, body=body, path=path, **meta)


_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y")


def parse_date(value: str, *, tz: timezone = timezone.utc) -> datetime:
    """ISO 8601 or a few common news date forms -> aware datetime (``tz`` if none given).

    Raises ``ValueError`` with the value when it matches none of them.
    """
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"unrecognised date {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
