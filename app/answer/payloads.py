"""The JSON a client gets for a question: one function for an answer, one for a search.

``newsdesk ask/search --json``, the REST API (``POST /api/ask``, ``GET /api/search``) and
the page's ``/ask`` endpoint all return what these build, so they cannot drift apart.
They check what a client sends and raise ValueError with one message naming the bad
value (an empty question, ``k`` out of range, an unknown mode; dates and languages are
checked by ``make_filters``); a missing index is ``IndexUnavailable``. Does not
serialise values itself: ``Answer.to_dict`` and ``Hit.to_dict`` are the one serialiser
of each.
"""

from __future__ import annotations

import os
from typing import Any

from app.answer.ask import ask, check_question
from app.search.retriever import MODES, retrieve

# Passages one search returns at most: a page of results, not the archive. The hybrid
# ranks 100 candidates of each retriever (``CANDIDATES``); 50 stays well inside them.
MAX_K = 50


def ask_payload(
    question: str,
    history: Any = None,
    *,
    index_dir: str | os.PathLike[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    outlets: list[str] | None = None,
    languages: list[str] | None = None,
) -> dict[str, Any]:
    """``ask`` as JSON: ``{"question", "answer", "abstained", "citations": [...]}``, each
    citation with its quote, offsets, speaker, title, outlet (``source``), date
    (``published``), URL and language.

    Example:
        >>> ask_payload("what did Khamenei say about US troops")["citations"][0]["source"]
        'Reuters'
    """
    answer = ask(
        question,
        history,
        index_dir=index_dir,
        since=since or None,
        until=until or None,
        outlets=outlets or None,
        languages=languages or None,
    )
    return answer.to_dict()


def search_payload(
    question: str,
    k: int = 5,
    *,
    index_dir: str | os.PathLike[str] | None = None,
    mode: str = "hybrid",
    since: str | None = None,
    until: str | None = None,
    outlets: list[str] | None = None,
    languages: list[str] | None = None,
) -> dict[str, Any]:
    """``retrieve`` as JSON: ``{"question", "hits": [{"rank", "score", "text", "citation"}]}``.

    Example:
        >>> search_payload("what did Khamenei say about US troops", k=1)["hits"][0]["rank"]
        1
    """
    check_k(k)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")
    hits = retrieve(
        check_question(question),
        k,
        index_dir=index_dir,
        mode=mode,  # type: ignore[arg-type]
        since=since or None,
        until=until or None,
        outlets=outlets or None,
        languages=languages or None,
    )
    rows = [{"rank": n, **hit.to_dict()} for n, hit in enumerate(hits, start=1)]
    return {"question": question, "hits": rows}


def check_k(k: Any) -> int:
    """``k`` as asked, if it is a whole number from 1 to ``MAX_K``."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise ValueError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}")
    return k
