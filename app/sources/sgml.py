"""Reader for Reuters-21578 SGML files (``.sgm``), as the archive ships them.

Each ``<REUTERS ... NEWID="n">`` element is one story: ``<DATE>26-FEB-1987
15:01:01.79</DATE>``, and in ``<TEXT>`` a ``<TITLE>``, ``<DATELINE>``, ``<AUTHOR>`` and
``<BODY>``. The body's lines are wrapped; a line that starts indented starts a
paragraph. The dateline opens the first paragraph as on the wire ("SALVADOR, Feb 26 -
Showers continued ..."); the closing "Reuter" sign-off and the ``&#3;`` end mark are
dropped; SGML entities (``&lt;``, ``&amp;``, ``&#5;``) are decoded (control characters
then go in repair). ``TYPE="BRIEF"`` stories are a headline over "Blah blah blah.": no
body. ``TYPE="UNPROC"`` stories have no title: their first line is taken as one.

Each story is decoded on its own: UTF-8, else Windows-1252 with a problem (one byte in
``17.sgm``). Line numbers are those of the ``<REUTERS`` tag. Does not read the topic,
place or people tags, nor other SGML document types.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from app.sources.base import Record, SourceError
from app.sources.files import MAX_FEED_BYTES
from app.types import Kind, Problem

SOURCE = "Reuters"
_STORY = re.compile(rb"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID = re.compile(rb'NEWID="(\d+)"')
_TEXT_TYPE = re.compile(r'<TEXT\b[^>]*TYPE="(\w+)"')
_SIGN_OFF = re.compile(r"\n[ \t]*REUTERS?[ \t]*$", re.I)
_BRIEF_BODY = "Blah blah blah."


def _element(name: str, text: str) -> str | None:
    m = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", text, re.S)
    return m.group(1) if m else None


def sniff(head: bytes) -> bool:
    """True if a file's first bytes look like Reuters-21578 SGML."""
    return b"<REUTERS" in head[:4096]


def read(data: bytes, *, path: str) -> Iterator[Record | Problem]:
    """One Record per ``<REUTERS>`` story of an ``.sgm`` file's bytes."""
    if len(data) > MAX_FEED_BYTES:
        raise SourceError(f"SGML file over {MAX_FEED_BYTES / 1e6:.0f} MB", kind=Kind.TOO_LARGE)
    stories = 0
    line, counted = 1, 0
    for m in _STORY.finditer(data):
        line += data.count(b"\n", counted, m.start())
        counted = m.start()
        stories += 1
        newid = _NEWID.search(m.group(1))
        label = f"NEWID {newid.group(1).decode()}" if newid else "story"
        problems: list[Problem] = []
        try:
            story = m.group(2).decode("utf-8")
        except UnicodeDecodeError as err:
            story = m.group(2).decode("cp1252", errors="replace")
            problems.append(
                Problem(Kind.ENCODING, f"{label}: not valid UTF-8 (byte {err.start}); read as Windows-1252")
            )
        yield _record(story, path=path, line=line, label=label, problems=problems)
    if not stories:
        raise SourceError("no <REUTERS> stories in this SGML file", kind=Kind.UNSUPPORTED)


def _record(story: str, *, path: str, line: int, label: str, problems: list[Problem]) -> Record:
    text_type = _TEXT_TYPE.search(story)
    kind = text_type.group(1).upper() if text_type else "NORMAL"
    title = _clean_line(_element("TITLE", story))
    body = _element("BODY", story)
    dateline = _clean_line(_element("DATELINE", story))
    author = _clean_line(_element("AUTHOR", story))
    if author:
        author = re.sub(r"^by\s+", "", author, flags=re.I)
    if kind == "UNPROC":
        raw = _element("TEXT", story) or ""
        lines = [ln for ln in html.unescape(raw).split("\n") if ln.strip(" \x02\x03")]
        title = lines[0].strip(" \x02") if lines else None
        body_text = _paragraphs("\n".join(lines[1:]))
    elif body is None or kind == "BRIEF" or body.strip() == _BRIEF_BODY:
        problems.append(Problem(Kind.NO_BODY, f"{label}: a headline-only wire brief, no body"))
        body_text = ""
    else:
        body_text = _paragraphs(html.unescape(body))
        if dateline and body_text:
            body_text = f"{dateline.rstrip(' -')} - {body_text}"
    return Record(
        text=body_text,
        path=path,
        title=title,
        published=_clean_line(_element("DATE", story)),
        source=SOURCE,
        author=author,
        language="en",
        line=line,
        declared=True,
        problems=tuple(problems),
    )


def _clean_line(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", html.unescape(value)).strip(" \x02\x03")
    return value or None


def _paragraphs(body: str) -> str:
    """Wrapped lines -> paragraphs separated by blank lines; an indented line starts one."""
    body = _SIGN_OFF.sub("", body.replace("\x03", "").rstrip()).rstrip()
    paras: list[list[str]] = []
    for raw in body.split("\n"):
        if not raw.strip():
            continue
        if not paras or raw[:1] in (" ", "\t"):
            paras.append([])
        paras[-1].append(raw.strip())
    return "\n\n".join(" ".join(p) for p in paras)


__all__ = ["SOURCE", "read", "sniff"]
