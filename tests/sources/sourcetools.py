"""What the source-reading tests share: the fixtures folder, the seed, and the offsets
oracle.

``FIXTURES`` holds hand-written files shaped like real outlets' pages, feeds and exports
(no publisher's text). ``check_offsets`` is the oracle every reader test applies: each
paragraph and sentence of a body, found by offsets, is exactly the text at those offsets.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from app.text.sentences import sentence_spans
from app.types import Article

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = Path(__file__).resolve().parents[2]
SEED_TEXT = PROJECT / "seeds" / "000_e044aac75ced5648.txt"
SEED_TITLE = "Even one American in Iraq is too many, Iran leader tells Iraqi president"
# Where the real data lives for the data tests (skipped when absent): $NEWSDESK_DATA,
# else ../shared/data beside the project.
SHARED_DATA = Path(os.environ.get("NEWSDESK_DATA") or PROJECT.parent / "shared" / "data")

_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u200e\u200f\x00-\x08\x0b-\x1f\x7f-\x9f]")


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of a body (paragraphs are separated by "\\n\\n")."""
    spans, start = [], 0
    for para in body.split("\n\n"):
        spans.append((start, start + len(para)))
        start += len(para) + 2
    return spans


def check_offsets(article: Article) -> list[str]:
    """The body is clean and every paragraph and sentence span slices back exactly.

    Returns the sentences, so a test can look for one."""
    body = article.body
    assert body and body == body.strip()
    assert "\n\n\n" not in body and "\r" not in body
    assert unicodedata.normalize("NFC", body) == body
    assert not _INVISIBLE.search(body), repr(_INVISIBLE.search(body))
    sentences = []
    for start, end in paragraph_spans(body):
        para = body[start:end]
        assert para and para == para.strip() and "\n" not in para, repr(para)
        assert "  " not in para
        for a, b in sentence_spans(para):
            sentence = para[a:b]
            assert body[start + a : start + b] == sentence
            sentences.append(sentence)
    return sentences
