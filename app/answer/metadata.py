"""Questions about an article rather than its text: "when was it published?", "who
reported it?". Answered from the article's header, citing the sentence the conversation
was about (or the article's first sentence). Does not answer questions about an
article's author or length.
"""

from __future__ import annotations

from dataclasses import replace

from app.answer.abstain import NOT_FOUND
from app.answer.compose import RETRIEVE_K
from app.answer.followup import Turn
from app.search.filters import Filters
from app.search.retriever import Retriever
from app.text.dates import long_date
from app.text.sentences import sentence_spans
from app.types import Answer, Hit, Quote


def metadata_answer(turn: Turn, retriever: Retriever, previous: Answer | None, filters: Filters) -> Answer:
    """'When was it published?' / 'Who reported it?': from the article's header, citing
    the sentence the conversation was about (or the article's first sentence)."""
    question = turn.question
    hits: tuple[Hit, ...] = ()
    quote: Quote | None = None
    if previous is not None and previous.citations:
        quote, hits = previous.citations[0], previous.hits
    elif turn.subject_words or len(retriever.index.articles) > 1:
        if not turn.subject_words:
            return Answer(question, "Which article do you mean? Ask about its subject first.", (), (), True)
        hits = tuple(retriever.search(" ".join(turn.subject_words), RETRIEVE_K, filters=filters))
        if hits:
            quote = _lede_quote(hits[0])
    elif retriever.index.articles:
        hits = tuple(retriever.search(question, 1, filters=filters))
        quote = _lede_quote(hits[0]) if hits else None
    if quote is None:
        return Answer(question, NOT_FOUND, (), hits, True)
    when = long_date(quote.published) if quote.published else "an unknown date"
    outlet = quote.source or "an unnamed outlet"
    if turn.intent == "source":
        text = f'"{quote.title}" was reported by {outlet} on {when}. [1]'
    else:
        text = f'"{quote.title}" was published on {when} by {outlet}. [1]'
    return Answer(question, text, (replace(quote, n=1),), hits, False, turn.query)


def _lede_quote(hit: Hit) -> Quote:
    c = hit.citation
    s, e = sentence_spans(hit.text, offset=c.start)[0]
    text = hit.text[s - c.start : e - c.start]
    return Quote.of(1, c, text, s, e)
