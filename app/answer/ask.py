"""Question -> Answer: the orchestration of an answer, quoted and cited from the articles.

1. check the question and resolve it against the conversation (``followup``); a time
   it names ("in April 2023", "last week") becomes a date filter (``app.text.when``);
2. questions about an article's date or outlet are answered from its header
   (``metadata``);
3. retrieve passages (``app.search``), newest first for "latest"/"now", the previous
   answer's articles first for a follow-up;
4. choose and cite the sentences (``compose``), or abstain (``abstain``).

Does not call a language model, and never writes the index.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from app.answer.abstain import not_found
from app.answer.cache import AnswerCache
from app.answer.compose import RETRIEVE_K, compose
from app.answer.followup import previous_questions, resolve
from app.answer.metadata import metadata_answer
from app.search.filters import Filters, make_filters
from app.search.retriever import get_retriever
from app.text.when import time_scope
from app.text.words import nfc, norm
from app.types import Answer, Hit

# "Latest", "now", "still": among passages within this much of the best hybrid score
# (standardised units), newer articles come first.
RECENT_MARGIN = 1.0
# Previous answers a follow-up leans on, by conversation, index generation and filters:
# every follow-up would otherwise answer the question before it again.
_PREVIOUS: AnswerCache[Answer | None] = AnswerCache()


def ask(
    question: str,
    history: Any = None,
    *,
    index_dir: str | os.PathLike[str] | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    outlets: list[str] | None = None,
    languages: list[str] | None = None,
    as_of: datetime | None = None,
) -> Answer:
    """Answer ``question`` from the indexed articles, quoting and citing them.

    Args:
        question: what the reader asks.
        history: the earlier questions of the conversation (strings or ``Answer``s),
            used to resolve follow-ups such as "what else did he say?".
        index_dir: an index folder; default the project's ``embeddings/``.
        since, until, outlets, languages: restrict to articles published in a date
            range, by these outlets, in these languages ("bn", "en"). Without
            ``since``/``until``, a time in the question ("in April 2023", "last week")
            restricts it, read relative to ``as_of`` (default: the newest article's date).

    Example:
        >>> answer = ask("what did Khamenei say about US troops")
        >>> answer.text[:60], [c.paragraph for c in answer.citations]
        ('The United States is an unreliable friend, and Iraq should n', [1, 3, 5])
    """
    question = check_question(question)
    retriever = get_retriever(index_dir)
    turn = resolve(question, history)
    asked_filters = make_filters(since, until, outlets, languages)
    previous = _previous_answer(history, index_dir, asked_filters) if turn.followup else None
    scope = time_scope(question, as_of or retriever.index.newest or datetime.now().astimezone())
    if since is None and until is None and scope.phrase:
        # the time becomes a filter, and leaves the words searched for
        since, until = scope.since, scope.until
        turn = replace(turn, query=turn.query.replace(scope.phrase, " ").strip())
    filters = make_filters(since, until, outlets, languages)
    if turn.intent != "content":
        return metadata_answer(turn, retriever, previous, filters)
    hits = tuple(retriever.search(turn.query, RETRIEVE_K, filters=filters))
    if not hits and filters != asked_filters:  # nothing in the question's period: say so,
        related = tuple(retriever.search(turn.query, RETRIEVE_K, filters=asked_filters))  # the closest
        return Answer(question, not_found(question), (), related, True, turn.query)
    if scope.recent:
        hits = _newest_first(hits)
        turn = replace(turn, recent=True)
    if previous is not None and not previous.abstained:
        hits = _prefer_articles(hits, {c.article_id for c in previous.citations})
    skip = {norm(c.quote) for c in previous.citations} if previous is not None and turn.wants_more else set()
    return compose(question, hits, retriever, turn=turn, skip=skip)


def check_question(question: str) -> str:
    """Strip control characters and surrounding space; refuse an empty question."""
    if not isinstance(question, str):
        raise ValueError("the question must be text")
    question = nfc(re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", question)).strip()
    if not question:
        raise ValueError("the question is empty")
    return question


def _newest_first(hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
    """Among the hits close to the best, the newest articles first."""
    if not hits:
        return hits
    best = hits[0].score

    def key(h: Hit):
        close = h.score >= best - RECENT_MARGIN
        return (not close, -(h.citation.published.timestamp() if h.citation.published else 0.0), -h.score)

    return tuple(sorted(hits, key=key))


def _prefer_articles(hits: tuple[Hit, ...], articles: set[str]) -> tuple[Hit, ...]:
    """A follow-up stays with the articles the previous answer cited, when they match."""
    return tuple(sorted(hits, key=lambda h: h.citation.article_id not in articles))


def _previous_answer(history: Any, index_dir, filters: Filters) -> Answer | None:
    """The answer to the previous question, recomputed once and cached (answers are
    deterministic, so the history need only hold the questions)."""
    earlier = previous_questions(history)
    if not earlier:
        return None
    stamp = get_retriever(index_dir).index.manifest.get("generation")

    def compute() -> Answer | None:
        try:
            return ask(
                earlier[-1],
                earlier[:-1],
                index_dir=index_dir,
                since=filters.since,
                until=filters.until,
                outlets=sorted(filters.outlets),
                languages=sorted(filters.languages),
            )
        except ValueError:
            return None

    return _PREVIOUS.get((tuple(earlier), str(index_dir), stamp, filters), compute)
