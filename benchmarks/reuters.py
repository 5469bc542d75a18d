"""Reuters-21578 (SGML) as newsdesk JSONL, written to a cache folder outside the repository.

Each ``<REUTERS>`` element with a ``<BODY>`` becomes one record: title, date, body
paragraphs (the wire copy indents each paragraph's first line; lines are re-joined and
paragraphs separated by blank lines, which is how the project's JSONL reader splits
them). About 19k stories and ~100k passages. ``17.sgm`` has one non-UTF-8 byte, so the
files are read as Latin-1. The texts are Reuters' copyright: never copy them into the repo.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path

_STORY = re.compile(r"<REUTERS[^>]*>(.*?)</REUTERS>", re.S)
_FIELD = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("DATE", "TITLE", "BODY")}
_PARAGRAPH = re.compile(r"\n {2,}")
_SPACES = re.compile(r"\s+")


def stories(data: Path) -> list[dict]:
    """Every story with a body, in file and story order."""
    records = []
    for path in sorted(Path(data).glob("*.sgm"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0):
        for element in _STORY.findall(path.read_text(encoding="latin-1")):
            body = _FIELD["BODY"].search(element)
            if not body:
                continue
            text = html.unescape(body.group(1)).replace("\x03", "").replace("\r", "")
            text = re.sub(r"\s*Reuter\s*$", "", text.strip())
            paras = [_SPACES.sub(" ", p).strip() for p in _PARAGRAPH.split(text)]
            paras = [p for p in paras if p]
            if not paras:
                continue
            title = _FIELD["TITLE"].search(element)
            record = {
                "title": html.unescape(title.group(1)).strip() if title else "",
                "text": "\n\n".join(paras),
            }
            date = _FIELD["DATE"].search(element)
            if date:
                try:
                    stamp = datetime.strptime(date.group(1).strip()[:20], "%d-%b-%Y %H:%M:%S")
                    record["published"] = stamp.isoformat() + "+00:00"
                except ValueError:
                    pass
            record["source"] = "Reuters"
            records.append(record)
    return records


def write_jsonl(data: Path, folder: Path, *, limit: int | None = None, name: str = "reuters.jsonl") -> Path:
    """Write the first ``limit`` stories (all by default) to ``folder/name``; rewritten
    only when the content changes, so an index build over it sees an unchanged file."""
    records = stories(data)[:limit]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / name
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out
