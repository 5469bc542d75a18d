"""Questions about an article rather than its text: "when was it published?", "who
reported it?", "এটা কবে প্রকাশিত হয়েছে?", "কোন পত্রিকা?". Answered from the article's
header, citing the sentence the conversation was about (or the article's first
sentence), in the question's language (Bangla for a question in Bangla script; the
title and the outlet as the article gives them). Does not answer questions about an
article's author or length.
"""

from __future__ import annotations

from dataclasses import replace

from app.answer.abstain import not_found
from app.answer.compose import RETRIEVE_K
from app.answer.followup import Turn
from app.search.filters import Filters
from app.search.retriever import Retriever
from app.text.bangla import is_bangla
from app.text.dates import long_date, long_date_bn
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
            ask_first = "কোন প্রতিবেদনের কথা জানতে চান? আগে তার বিষয়টি জিজ্ঞেস করুন।"
            if not is_bangla(question):
                ask_first = "Which article do you mean? Ask about its subject first."
            return Answer(question, ask_first, (), (), True)
        hits = tuple(retriever.search(" ".join(turn.subject_words), RETRIEVE_K, filters=filters))
        if hits:
            quote = _lede_quote(hits[0])
    elif retriever.index.articles:
        hits = tuple(retriever.search(question, 1, filters=filters))
        quote = _lede_quote(hits[0]) if hits else None
    if quote is None:
        return Answer(question, not_found(question), (), hits, True)
    if is_bangla(question):
        text = _in_bangla(quote, turn.intent)
    else:
        when = long_date(quote.published) if quote.published else "an unknown date"
        outlet = quote.source or "an unnamed outlet"
        if turn.intent == "source":
            text = f'"{quote.title}" was reported by {outlet} on {when}. [1]'
        else:
            text = f'"{quote.title}" was published on {when} by {outlet}. [1]'
    return Answer(question, text, (replace(quote, n=1),), hits, False, turn.query)


def _in_bangla(quote: Quote, intent: str) -> str:
    """ "‘<title>’ প্রকাশিত হয়েছে ৩০ এপ্রিল ২০২৩ তারিখে (০২:০৭, UTC+06:00); প্রকাশ করেছে
    <outlet>। [1]" ("'<title>' was published on ...; published by <outlet>.")."""
    outlet = quote.source or "অজ্ঞাত সংবাদমাধ্যম"  # an unnamed outlet
    when = None
    if quote.published:
        day, clock = long_date_bn(quote.published)
        when = f"{day} তারিখে ({clock})"
    if intent == "source":  # "... reported by <outlet>, on <date>."
        return f"‘{quote.title}’ প্রকাশ করেছে {outlet}{f', {when}' if when else ''}। [1]"
    published = f"প্রকাশিত হয়েছে {when}" if when else "প্রকাশের তারিখ জানা নেই"  # date not known
    return f"‘{quote.title}’ {published}; প্রকাশ করেছে {outlet}। [1]"


def _lede_quote(hit: Hit) -> Quote:
    c = hit.citation
    s, e = sentence_spans(hit.text, offset=c.start)[0]
    text = hit.text[s - c.start : e - c.start]
    return Quote.of(1, c, text, s, e)
