"""Bytes to text for every reader: encodings, binary files, size limits.

Whole files (``decode``): UTF-8 with or without a BOM, UTF-16 with a BOM, else
Windows-1252 with a Problem naming the first bad byte. Streams (``open_text``, for JSONL,
CSV and SGML read a record at a time): UTF-8 with undecodable bytes kept as surrogate
escapes, so one bad byte never stops a file; ``mend`` turns a field holding such bytes
back into text (as Windows-1252, the encoding of such stray bytes in practice) and says
so. Known binary signatures and NUL bytes mean a binary file. Line endings become
``\\n``; a BOM never reaches the text. Does not guess other encodings (Shift-JIS,
KOI8-R, the legacy Bangla font encodings such as Bijoy).
"""

from __future__ import annotations

import io
import re
from typing import BinaryIO

from app.sources.base import SourceError
from app.types import Kind

# One article is at most a few tens of KB (the longest BBC story is 25 KB); 2 MB is far
# beyond any article. A single-article file (.txt, .html) or one record (a JSONL line,
# a CSV row's text) over this is refused, never read whole.
MAX_ARTICLE_BYTES = 2_000_000
# A JSON file (list or object) is parsed whole: up to this size. Bigger exports should
# be JSONL (read a line at a time, no total limit).
MAX_JSON_BYTES = 200_000_000
# A feed or an SGML file is parsed whole too.
MAX_FEED_BYTES = 50_000_000

# File signatures of the binary formats most often dropped into a news folder.
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"RIFF", "RIFF media (WebP, WAV, AVI)"),
    (b"PK\x03\x04", "zip archive (or .docx/.xlsx/.epub)"),
    (b"PK\x05\x06", "zip archive"),
    (b"%PDF-", "PDF document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "Microsoft Office document"),
    (b"{\\rtf", "RTF document"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SURROGATE = re.compile("[\udc80-\udcff]")


def binary_kind(head: bytes) -> str | None:
    """What binary format a file's first bytes show, or None if it may be text."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if not head.startswith(_UTF16_BOMS) and b"\x00" in head[:8192]:
        return "binary data (NUL bytes)"
    return None


def decode(data: bytes) -> tuple[str, str | None]:
    """Bytes -> (text, warning or None). Raises SourceError for a binary file."""
    kind = binary_kind(data)
    if kind:
        raise SourceError(f"binary file ({kind}), not an article", kind=Kind.UNSUPPORTED)
    if data.startswith(_UTF16_BOMS):
        try:
            return newlines(data.decode("utf-16")), None
        except UnicodeDecodeError:
            raise SourceError("broken UTF-16 text", kind=Kind.ENCODING) from None
    try:
        return newlines(data.decode("utf-8-sig")), None
    except UnicodeDecodeError as err:
        try:
            text, used = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            text, used = data.decode("latin-1"), "Latin-1"
        return newlines(text), f"not valid UTF-8 (byte {err.start}); read as {used}"


def newlines(text: str) -> str:
    return text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")


def open_text(handle: BinaryIO) -> io.TextIOWrapper:
    """A text stream over a binary file: UTF-8, BOM dropped, bad bytes kept as surrogate
    escapes (see ``mend``), newlines left as they are (the csv module wants that)."""
    head = handle.peek(3)[:3] if hasattr(handle, "peek") else b""
    encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    return io.TextIOWrapper(handle, encoding=encoding, errors="surrogateescape", newline="")


def mend(text: str) -> tuple[str, bool]:
    """Turn bytes that were not UTF-8 (surrogate escapes) into Windows-1252 characters.
    Returns the text and whether anything was mended."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text, False
    return _SURROGATE.sub(lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", "replace"), text), True


__all__ = [
    "MAX_ARTICLE_BYTES",
    "MAX_JSON_BYTES",
    "MAX_FEED_BYTES",
    "binary_kind",
    "decode",
    "mend",
    "open_text",
]
