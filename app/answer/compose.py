"""Choosing the sentences of an answer: every sentence of the top passages scored,
the best kept, copies of one quote merged, the rest put in reading order and cited.

No language model writes anything: every sentence of an answer is a span of an article
body, and its citation carries the offsets (``body[start:end] == quote``). The steps:

1. score every sentence of the top ``PASSAGES_READ`` passages by its own similarity to
   the question, with its passage's similarity as context and a small bonus for the
   question's words (and, for "what did X say?", for X's own quotes);
2. keep the best sentence and those close to it (at most ``MAX_SENTENCES``), merging
   near-duplicates (the same quote in two paragraphs or two articles is quoted once and
   cites both);
3. order them for reading: older articles first, then the order of the text.

Whether to answer at all is ``app.answer.abstain``'s. Does not paraphrase, summarise,
or join half-sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.answer.abstain import answerable, not_found
from app.answer.cache import SENTENCES
from app.answer.followup import Turn, quoted_in, same_person
from app.news.speakers import VERBS
from app.news.speakers_bn import role_holder
from app.news.syndication import near_duplicate
from app.search.retriever import Retriever
from app.text.bangla import is_bangla
from app.text.sentences import sentence_spans
from app.text.words import content_words, norm
from app.types import Answer, Hit, Quote, StoredArticle

MAX_SENTENCES = 4  # an answer, not an article
PASSAGES_READ = 6  # sentences are drawn from this many of the top passages
RETRIEVE_K = 8  # passages retrieved; the rest are shown as further reading
# Sentence score = SENTENCE_WEIGHT * cos(question, sentence)
#                + (1 - SENTENCE_WEIGHT) * cos(question, its passage)
#                + LEXICAL_WEIGHT * share of the question's subject words in the sentence.
# The passage term keeps a sentence's context ("he said" after a quote); the lexical
# term breaks ties for names the small model embeds weakly. The weights and RELATIVE_KEEP
# were set on MiniLM's cosines; another model's are mapped to that scale first
# (``ModelSpec.on_minilm_scale``: multilingual-e5's crowd in 0.7-0.9).
SENTENCE_WEIGHT = 0.7
LEXICAL_WEIGHT = 0.1
RELATIVE_KEEP = 0.85  # keep sentences scoring at least this share of the best one
MIN_SENTENCE_CHARS = 25  # shorter "sentences" are datelines or fragments
# "What did X say?": a sentence quoting X gains this much, so X's quotes rank first
# (a sentence's score is ~0.3-0.8); "who said '...'?": the sentence holding the words.
SPEAKER_BONUS = 0.3


@dataclass(frozen=True)
class _Candidate:
    hit: Hit
    start: int  # offsets into the article body
    end: int
    text: str
    score: float
    speaker: str | None = None


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
        return Answer(question, not_found(question), (), hits, True, resolved)
    read = hits[:PASSAGES_READ]
    spans = [
        (hit, s, e)
        for hit in read
        for s, e in sentence_spans(hit.text, offset=hit.citation.start)
        if e - s >= MIN_SENTENCE_CHARS
    ]
    texts = [hit.text[s - hit.citation.start : e - hit.citation.start] for hit, s, e in spans]
    query = turn.query if turn is not None else question
    embedder, passages = retriever.reader(query, [h.citation.passage_id for h in read])
    q = SENTENCES.encode(embedder, [query], kind="query")[0]  # cached: follow-ups ask it again
    index = retriever.index
    sentences = SENTENCES.encode(embedder, texts)
    passage_cos = passages @ q
    spec = embedder.spec
    if not answerable(query, read, passage_cos, spec.family):
        return Answer(question, not_found(question), (), hits, True, resolved)
    subject = set(turn.subject_words if turn is not None else content_words(question))
    scaled = spec.on_minilm_scale(passage_cos)  # the weights below were set on MiniLM's cosines
    by_passage = {id(h): float(c) for h, c in zip(read, scaled, strict=True)}
    asked = turn.speaker if turn is not None else None
    words = quoted_in(question)
    holders: dict[str, str | None] = {}  # article id -> who holds the asked role there
    candidates = []
    for (hit, s, e), text, sv in zip(spans, texts, sentences, strict=True):
        if norm(text) in (skip or set()):
            continue
        score = _score(float(spec.on_minilm_scale(sv @ q)), by_passage[id(hit)], text, subject)
        article = index.articles[hit.citation.article_id]
        speakers = _speakers(article, s, e)
        if asked and _said_by(asked, speakers, article, holders):
            score += SPEAKER_BONUS
        elif asked and _reports(asked, text):  # indirect speech: "X told Y that ..."
            score += SPEAKER_BONUS / 2
        elif asked and turn is not None and turn.wants_more:
            continue  # "what else did X say?": only X's words, or nothing
        if words and norm(words) in norm(text):
            score += SPEAKER_BONUS
        candidates.append(_Candidate(hit, s, e, text, score, speakers[0][0] if speakers else None))
    if turn is not None and turn.recent and candidates:
        # "latest", "now", "still": quote the newest article that answers, not history
        newest = hits[0].citation.published
        candidates = [c for c in candidates if c.hit.citation.published == newest] or candidates
    chosen = _choose(candidates)
    if not chosen:
        return Answer(question, not_found(question), (), hits, True, resolved)
    return _cite(question, chosen, hits, resolved)


def _speakers(article: StoredArticle, start: int, end: int) -> list[tuple[str, str]]:
    """(name, as written) of each quote that overlaps body[start:end], stored at build."""
    return [(q.name, q.speaker) for q in article.quotes if q.start < end and q.end > start]


def _said_by(asked: str, speakers: list[tuple[str, str]], article: StoredArticle, holders: dict) -> bool:
    """Whether one of the quotes' speakers (name, as written) is the person asked about;
    a Bangla question that asks by role ("সেনাপ্রধান কী বলেছেন?") means whoever holds the
    role in that article."""
    if any(same_person(asked, n) or same_person(asked, w) for n, w in speakers):
        return True
    if not speakers or not is_bangla(asked):
        return False
    if article.article_id not in holders:
        holders[article.article_id] = role_holder(asked, article.body)
    holder = holders[article.article_id]
    return holder is not None and any(same_person(holder, n) for n, _ in speakers)


def _reports(asked: str, text: str) -> bool:
    """Whether ``text`` reports the asked person speaking without quotation marks."""
    surname = re.escape(asked.split()[-1])
    after = rf"\b{surname}\b(?:\s+\w+){{0,2}}\s+(?:{VERBS})\b"
    before = rf"\b(?:{VERBS})\s+(?:\w+\s+){{0,3}}{surname}\b"
    return bool(re.search(after, text) or re.search(before, text))


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
            quotes.append(Quote.of(n, c, cand.text, cand.start, cand.end, cand.speaker))
            markers += f"[{n}]"
        parts.append(f"{group[0].text} {markers}")
    return Answer(question, " ".join(parts), tuple(quotes), hits, False, resolved)


_QUOTED = re.compile(r"[\"“]([^\"”]{20,})[\"”]")


def _same_quote(a: str, b: str) -> bool:
    """Two sentences carry the same quote: the same words in quotation marks (outlets
    reword the attribution, not the quote), one is a trimmed copy of the other, or
    their words overlap almost entirely."""
    quoted_a = {norm(q) for q in _QUOTED.findall(a)}
    if quoted_a & {norm(q) for q in _QUOTED.findall(b)}:
        return True
    return near_duplicate(a, b)
