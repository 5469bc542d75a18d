"""Hits -> Answer: a few sentences quoted verbatim from the passages, each cited.

No language model writes anything: every sentence of an answer is a span of an article
body, and its citation carries the offsets (``body[start:end] == quote``). The steps:

1. retrieve passages for the question (resolved against the conversation, see
   ``followup``); questions about an article's date or outlet are answered from its
   header instead;
2. **abstain** when the best passage is too far from the question (``ABSTAIN_BELOW``,
   calibrated on real questions, see benchmarks/calibrate_abstention.py and the README);
3. score every sentence of the top passages by its own similarity to the question,
   with its passage's similarity as context and a small bonus for the question's words;
4. keep the best sentence and those close to it (at most ``MAX_SENTENCES``), merging
   near-duplicates (the same quote in two paragraphs or two articles is quoted once and
   cites both);
5. order them for reading: older articles first, then the order of the text.

Does not paraphrase, summarise, or join half-sentences.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np

from app.filters import Filters, make_filters
from app.followup import Turn, content_words, quoted_in, resolve, same_person
from app.keyword import tokenize
from app.quotes import VERBS
from app.retriever import Retriever, get_retriever
from app.syndication import near_duplicate
from app.text import sentence_spans
from app.types import Answer, Hit, Quote
from app.when import time_scope

NOT_FOUND = "I could not find this in the articles."
MAX_SENTENCES = 4  # an answer, not an article
PASSAGES_READ = 6  # sentences are drawn from this many of the top passages
RETRIEVE_K = 8  # passages retrieved; the rest are shown as further reading
# Sentence score = SENTENCE_WEIGHT * cos(question, sentence)
#                + (1 - SENTENCE_WEIGHT) * cos(question, its passage)
#                + LEXICAL_WEIGHT * share of the question's subject words in the sentence.
# The passage term keeps a sentence's context ("he said" after a quote); the lexical
# term breaks ties for names the small model embeds weakly.
SENTENCE_WEIGHT = 0.7
LEXICAL_WEIGHT = 0.1
RELATIVE_KEEP = 0.85  # keep sentences scoring at least this share of the best one
MIN_SENTENCE_CHARS = 25  # shorter "sentences" are datelines or fragments
# "What did X say?": a sentence quoting X gains this much, so X's quotes rank first
# (a sentence's score is ~0.3-0.8); "who said '...'?": the sentence holding the words.
SPEAKER_BONUS = 0.3
# "Latest", "now", "still": among passages within this much of the best hybrid score
# (standardised units), newer articles come first.
RECENT_MARGIN = 1.0
# Answer only if max cosine + ABSTAIN_LEXICAL * coverage reaches ABSTAIN_BELOW, over
# the passages read (coverage: share of the question's subject terms, stemmed, found in
# them). Cosine alone misses short questions about a name ("what did Khamenei say?"),
# which embed far from any paragraph; coverage alone is fooled by common words. Both
# chosen on RealTimeQA questions with and without their evidence in the corpus, by
# benchmarks/calibrate_abstention.py; the README gives the measured rates.
ABSTAIN_LEXICAL = 0.5
ABSTAIN_BELOW = 0.81


class _SentenceCache:
    """Sentence vectors by (model, text), least recently used dropped first. The same
    sentences come back across questions about one story; embedding them is most of an
    answer's cost, so they are embedded once (``CACHE_SENTENCES`` of them: ~30 MB)."""

    def __init__(self, size: int):
        self.size = size
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, embedder, texts: list[str]) -> np.ndarray:
        keys = [(embedder.name, t) for t in texts]
        with self._lock:
            missing = list(dict.fromkeys(k[1] for k in keys if k not in self._vectors))
        fresh = dict(zip(missing, embedder.encode(missing), strict=True)) if missing else {}
        out = []
        with self._lock:
            for key in keys:
                vector = fresh.get(key[1])
                if vector is None:
                    vector = self._vectors.get(key)
                    if vector is None:  # dropped meanwhile by another thread
                        vector = embedder.encode([key[1]])[0]
                self._vectors[key] = vector
                self._vectors.move_to_end(key)
                out.append(vector)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return np.stack(out) if out else np.zeros((0, embedder.dim), np.float32)


CACHE_SENTENCES = 20_000
_SENTENCES = _SentenceCache(CACHE_SENTENCES)
# Previous answers a follow-up leans on, by conversation, index generation and filters:
# every follow-up would otherwise answer the question before it again.
CACHE_PREVIOUS = 256
_PREVIOUS: dict = {}
_PREVIOUS_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Candidate:
    hit: Hit
    start: int  # offsets into the article body
    end: int
    text: str
    score: float
    speaker: str | None = None


def ask(
    question: str,
    history: Any = None,
    *,
    index_dir: str | os.PathLike[str] | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    outlets: list[str] | None = None,
    as_of: datetime | None = None,
) -> Answer:
    """Answer ``question`` from the indexed articles, quoting and citing them.

    Args:
        question: what the reader asks.
        history: earlier questions of the conversation (strings, ``Answer``s or Gradio
            messages), used to resolve follow-ups such as "what else did he say?".
        index_dir: an index folder; default the project's ``embeddings/``.
        since, until, outlets: restrict to articles published in a date range or by
            these outlets. Without ``since``/``until``, a time in the question ("in
            April 2023", "last week") restricts it, read relative to ``as_of``
            (default: the newest article's date).

    Example:
        >>> ask("what did Khamenei say about US troops").text
        '"Even the presence of one American in Iraq is too much," Khamenei told ... [2]'
    """
    question = clean_question(question)
    retriever = get_retriever(index_dir)
    turn = resolve(question, history)
    asked_filters = make_filters(since, until, outlets)
    previous = _previous_answer(history, index_dir, asked_filters) if turn.followup else None
    scope = time_scope(question, as_of or retriever.index.newest or datetime.now().astimezone())
    if since is None and until is None and scope.phrase:
        # the time becomes a filter, and leaves the words searched for
        since, until = scope.since, scope.until
        turn = replace(turn, query=turn.query.replace(scope.phrase, " ").strip())
    filters = make_filters(since, until, outlets)
    if turn.intent != "content":
        return _metadata_answer(turn, retriever, previous, filters)
    hits = search(retriever, turn.query, RETRIEVE_K, filters)
    if not hits and filters != asked_filters:  # nothing in the question's period: say so,
        related = search(retriever, turn.query, RETRIEVE_K, asked_filters)  # show the closest
        return Answer(question, NOT_FOUND, (), related, True, turn.query)
    if scope.recent:
        hits = _newest_first(hits)
        turn = replace(turn, recent=True)
    if previous is not None and not previous.abstained:
        hits = _prefer_articles(hits, {c.article_id for c in previous.citations})
    skip = {_norm(c.quote) for c in previous.citations} if previous is not None and turn.wants_more else set()
    return compose(question, hits, retriever, turn=turn, skip=skip)


def clean_question(question: str) -> str:
    """Strip control characters and surrounding space; refuse an empty question."""
    if not isinstance(question, str):
        raise ValueError("the question must be text")
    question = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", question).strip()
    if not question:
        raise ValueError("the question is empty")
    return question


def compose(
    question: str,
    hits: tuple[Hit, ...],
    retriever: Retriever,
    *,
    turn: Turn | None = None,
    skip: set[str] | None = None,
) -> Answer:
    """Choose, deduplicate, order and cite the sentences that answer ``question``."""
    resolved = turn.query if turn is not None and turn.query != question else None
    if not hits:
        return Answer(question, NOT_FOUND, (), hits, True, resolved)
    read = hits[:PASSAGES_READ]
    spans = [
        (hit, s, e)
        for hit in read
        for s, e in sentence_spans(hit.text, offset=hit.citation.start)
        if e - s >= MIN_SENTENCE_CHARS
    ]
    texts = [hit.text[s - hit.citation.start : e - hit.citation.start] for hit, s, e in spans]
    query = turn.query if turn is not None else question
    q = _SENTENCES.encode(retriever.embedder, [query])[0]  # cached: follow-ups ask it again
    index = retriever.index
    passages = np.stack([index.vector(index.row_of(h.citation.passage_id)) for h in read])
    sentences = _SENTENCES.encode(retriever.embedder, texts)
    passage_cos = passages @ q
    if not answerable(query, read, passage_cos):
        return Answer(question, NOT_FOUND, (), hits, True, resolved)
    subject = set(turn.subject_words if turn is not None else content_words(question))
    by_passage = {id(h): float(c) for h, c in zip(read, passage_cos, strict=True)}
    asked = turn.speaker if turn is not None else None
    words = quoted_in(question)
    candidates = []
    for (hit, s, e), text, sv in zip(spans, texts, sentences, strict=True):
        if _norm(text) in (skip or set()):
            continue
        score = _score(float(sv @ q), by_passage[id(hit)], text, subject)
        speakers = _speakers(index.articles[hit.citation.article_id], s, e)
        if asked and any(same_person(asked, n) or same_person(asked, w) for n, w in speakers):
            score += SPEAKER_BONUS
        elif asked and _reports(asked, text):  # indirect speech: "X told Y that ..."
            score += SPEAKER_BONUS / 2
        elif asked and turn is not None and turn.wants_more:
            continue  # "what else did X say?": only X's words, or nothing
        if words and _norm(words) in _norm(text):
            score += SPEAKER_BONUS
        candidates.append(_Candidate(hit, s, e, text, score, speakers[0][0] if speakers else None))
    if turn is not None and turn.recent and candidates:
        # "latest", "now", "still": quote the newest article that answers, not history
        newest = hits[0].citation.published
        candidates = [c for c in candidates if c.hit.citation.published == newest] or candidates
    chosen = _choose(candidates)
    if not chosen:
        return Answer(question, NOT_FOUND, (), hits, True, resolved)
    return _cite(question, chosen, hits, resolved)


def _speakers(article: dict, start: int, end: int) -> list[tuple[str, str]]:
    """(name, as written) of each quote that overlaps body[start:end], stored at build."""
    quotes = article.get("quotes", ())
    return [(name, written) for s, e, written, name, _ in quotes if s < end and e > start]


def _reports(asked: str, text: str) -> bool:
    """Whether ``text`` reports the asked person speaking without quotation marks."""
    surname = re.escape(asked.split()[-1])
    after = rf"\b{surname}\b(?:\s+\w+){{0,2}}\s+(?:{VERBS})\b"
    before = rf"\b(?:{VERBS})\s+(?:\w+\s+){{0,3}}{surname}\b"
    return bool(re.search(after, text) or re.search(before, text))


def _newest_first(hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
    """Among the hits close to the best, the newest articles first."""
    if not hits:
        return hits
    best = hits[0].score

    def key(h: Hit):
        close = h.score >= best - RECENT_MARGIN
        return (not close, -(h.citation.published.timestamp() if h.citation.published else 0.0), -h.score)

    return tuple(sorted(hits, key=key))


def question_terms(question: str) -> set[str]:
    """The question's subject terms, stemmed as the keyword index stems them."""
    return set(tokenize([" ".join(content_words(question))])[0])


def coverage(terms: set[str], passages: list[str]) -> float:
    """Share of the question's terms found in any of the passages (0 for no terms)."""
    if not terms:
        return 0.0
    found = set().union(*(tokenize([p])[0] for p in passages)) if passages else set()
    return len(terms & found) / len(terms)


def answerable(question: str, hits: tuple[Hit, ...], cosines: np.ndarray) -> bool:
    """Whether the passages answer the question, by the calibrated rule above."""
    texts = [h.text for h in hits] + list({h.citation.title for h in hits})  # headlines count too
    signal = float(cosines.max()) + ABSTAIN_LEXICAL * coverage(question_terms(question), texts)
    return signal >= ABSTAIN_BELOW


def _score(sentence_cos: float, passage_cos: float, text: str, subject: set[str]) -> float:
    lexical = len(subject & set(content_words(text))) / len(subject) if subject else 0.0
    return SENTENCE_WEIGHT * sentence_cos + (1 - SENTENCE_WEIGHT) * passage_cos + LEXICAL_WEIGHT * lexical


def _choose(candidates: list[_Candidate]) -> list[list[_Candidate]]:
    """Groups of the same quote, best first: the first of each group is the one shown."""
    groups: list[list[_Candidate]] = []
    ranked = sorted(candidates, key=lambda c: -c.score)
    for cand in ranked:
        for group in groups:
            if _same_quote(group[0].text, cand.text):
                if not any(
                    c.hit.citation.passage_id == cand.hit.citation.passage_id and c.start == cand.start
                    for c in group
                ):
                    group.append(cand)
                break
        else:
            if len(groups) < MAX_SENTENCES and cand.score >= RELATIVE_KEEP * ranked[0].score:
                groups.append([cand])
    return groups


def _cite(question: str, groups: list[list[_Candidate]], hits, resolved) -> Answer:
    def reading_order(group: list[_Candidate]):
        first = group[0]
        published = first.hit.citation.published
        return (
            published.timestamp() if published else float("inf"),
            first.hit.citation.article_id,
            first.start,
        )

    quotes: list[Quote] = []
    parts: list[str] = []
    for group in sorted(groups, key=reading_order):
        markers = ""
        for cand in group:
            c = cand.hit.citation
            n = len(quotes) + 1
            quotes.append(
                Quote(
                    n,
                    c.passage_id,
                    c.article_id,
                    c.title,
                    c.source,
                    c.published,
                    c.paragraph,
                    cand.text,
                    cand.start,
                    cand.end,
                    c.path,
                    c.url,
                    cand.speaker,
                )
            )
            markers += f"[{n}]"
        parts.append(f"{group[0].text} {markers}")
    return Answer(question, " ".join(parts), tuple(quotes), hits, False, resolved)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


_QUOTED = re.compile(r"[\"“]([^\"”]{20,})[\"”]")


def _same_quote(a: str, b: str) -> bool:
    """Two sentences carry the same quote: the same words in quotation marks (outlets
    reword the attribution, not the quote), one is a trimmed copy of the other, or
    their words overlap almost entirely."""
    quoted_a = {_norm(q) for q in _QUOTED.findall(a)}
    if quoted_a & {_norm(q) for q in _QUOTED.findall(b)}:
        return True
    return near_duplicate(a, b)


def _prefer_articles(hits: tuple[Hit, ...], articles: set[str]) -> tuple[Hit, ...]:
    """A follow-up stays with the articles the previous answer cited, when they match."""
    return tuple(sorted(hits, key=lambda h: h.citation.article_id not in articles))


def search(retriever: Retriever, query: str, k: int, filters: Filters) -> tuple[Hit, ...]:
    """The top ``k`` hits that pass ``filters`` (the retriever applies them)."""
    return tuple(
        retriever.search(query, k, since=filters.since, until=filters.until, outlets=sorted(filters.outlets))
    )


def _previous_answer(history: Any, index_dir, filters: Filters) -> Answer | None:
    """The answer to the previous question, recomputed (answers are deterministic, so
    the history need only hold the questions)."""
    from app.followup import previous_questions

    earlier = previous_questions(history)
    if not earlier:
        return None
    stamp = get_retriever(index_dir).index.manifest.get("generation")
    key = (tuple(earlier), str(index_dir), stamp, filters)
    with _PREVIOUS_LOCK:
        if key in _PREVIOUS:
            return _PREVIOUS[key]
    try:
        answer = ask(
            earlier[-1],
            earlier[:-1],
            index_dir=index_dir,
            since=filters.since,
            until=filters.until,
            outlets=sorted(filters.outlets),
        )
    except ValueError:
        return None
    with _PREVIOUS_LOCK:
        _PREVIOUS[key] = answer
        while len(_PREVIOUS) > CACHE_PREVIOUS:
            _PREVIOUS.pop(next(iter(_PREVIOUS)))
    return answer


def _metadata_answer(turn: Turn, retriever: Retriever, previous: Answer | None, filters) -> Answer:
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
        hits = search(retriever, " ".join(turn.subject_words), RETRIEVE_K, filters)
        if hits:
            quote = _lede_quote(hits[0])
    elif retriever.index.articles:
        hits = search(retriever, question, 1, filters)
        quote = _lede_quote(hits[0]) if hits else None
    if quote is None:
        return Answer(question, NOT_FOUND, (), hits, True)
    when = _long_date(quote.published) if quote.published else "an unknown date"
    outlet = quote.source or "an unnamed outlet"
    if turn.intent == "source":
        text = f'"{quote.title}" was reported by {outlet} on {when}. [1]'
    else:
        text = f'"{quote.title}" was published on {when} by {outlet}. [1]'
    return Answer(question, text, (Quote(**{**quote.__dict__, "n": 1}),), hits, False, turn.query)


def _lede_quote(hit: Hit) -> Quote:
    c = hit.citation
    s, e = sentence_spans(hit.text, offset=c.start)[0]
    text = hit.text[s - c.start : e - c.start]
    return Quote(
        1, c.passage_id, c.article_id, c.title, c.source, c.published, c.paragraph, text, s, e, c.path, c.url
    )


def _long_date(when: datetime) -> str:
    offset = when.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    return f"{when.day} {when:%B %Y}, {when:%H:%M} ({zone})"
