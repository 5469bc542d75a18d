"""Reading a question in the light of the conversation, without a language model.

Two things are decided here, by rules a reader can predict:

* **Intent.** "When was it published?", "who reported this?", "which outlet?" ask about
  an article's metadata, not its text; they are answered from the article's header.
* **Follow-ups.** A question with no name of its own that leans on the previous turn
  ("what else did he say?", "when was that?", "and the troops?") is resolved against
  the previous question: its names are added to the search, its cited articles are
  preferred, and for "else"/"more" the sentences already quoted are not quoted again.

What does not work: pronouns that point further back than the previous question, a
follow-up that names a new subject and also leans on the old one ("did Rashid agree with
him?" searches for Rashid only), and anything that needs real coreference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Intent = Literal["content", "published", "source"]

_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]")
ANAPHORS = frozenset(
    "he she him her his hers they them their theirs it its that this those these there then".split()
)
MORE_WORDS = frozenset("else more other another also further again additionally".split())
QUESTION_WORDS = frozenset(
    """what what's whats who who's whom whose when where why how which did does do is was
    were are can could would will should has have had tell and so but or please any anything
    according give show list""".split()
)
# Words that carry no subject: function words, question words, and the vocabulary of
# asking about an article rather than about the news.
STOPWORDS = frozenset(
    """a an the of to in on at for from by with about as into over after before than
    be been being am is are was were do does did doing have has had having say said says
    saying tell told i me my we us our you your what which who whom whose when where why
    how not no nor only own same so too very just can will would should could may might
    must shall any some all both each few most such there here again further then once
    much many will whether
    and or but if because until while up down out off under above below between through
    during against among also else more other another please anything something""".split()
)
META_WORDS = frozenset(
    """publish published publishing posted post release released report reported reporting
    write wrote written writer author outlet agency source sources newspaper paper site
    website carried carry article story piece news date day time come came""".split()
)
_PUBLISHED = re.compile(r"\b(when|what (date|day|time)|how (long ago|old))\b")
_SOURCE = re.compile(
    r"\b(who|which|what)\b.*\b(report\w*|publish\w*|wrote|written|author|outlet|agency|"
    r"source|newspaper|carried|news organi[sz]ation)\b"
)


_SPEAKER_QUESTION = re.compile(
    r"^\s*(?:and\s+)?(?:what|how|why)\s+(?:else\s+)?(?:did|does|do|has|have|had|was|is)\s+(?P<who>.+?)\s+(?:else\s+)?"
    r"(?:say|said|saying|tell|told|think|claim|claimed|argue|argued|warn|warned|mean|add|added|"
    r"respond|reply|replied)\b",
    re.I,
)
_WHO_SAID = re.compile(
    r"^\s*who\s+(?:said|says|told|wrote|warned|claimed)\b\s*[:,]?\s*(?P<quote>.+?)\??\s*$", re.I
)


def speaker_in(question: str) -> str | None:
    """The person a "what did X say (about Y)?" question asks about, else None."""
    m = _SPEAKER_QUESTION.match(question)
    if not m:
        return None
    who = m.group("who").strip(" ,")
    return None if who.lower() in ANAPHORS or who.lower() in STOPWORDS else who


def quoted_in(question: str) -> str | None:
    """The words of a "who said '...'?" question, else None."""
    m = _WHO_SAID.match(question)
    return m.group("quote").strip("\"'“”‘’ ") if m else None


def same_person(asked: str, name: str) -> bool:
    """ "Khamenei" asks about "Ayatollah Ali Khamenei"; "Ali Khamenei" too; "Iran" not."""
    asked_words = {w.lower() for w in words(asked) if w.lower() not in STOPWORDS}
    name_words = {w.lower() for w in words(name)}
    return bool(asked_words) and asked_words <= name_words


@dataclass(frozen=True)
class Turn:
    """How to handle one question."""

    question: str
    query: str  # what to search for
    intent: Intent = "content"
    followup: bool = False
    wants_more: bool = False  # "else"/"more": do not repeat what was quoted
    previous: str | None = None  # the previous question, when this one leans on it
    subject_words: tuple[str, ...] = field(default=())
    speaker: str | None = None  # "what did X say?": X, or the previous question's X
    recent: bool = False  # "latest", "now", "still": the newest articles only


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_words(text: str) -> list[str]:
    """Lower-cased words that carry a subject (not stopwords, anaphors or metadata words)."""
    return [w.lower() for w in words(text) if _is_content(w.lower())]


def _is_content(word: str) -> bool:
    return word not in STOPWORDS and word not in ANAPHORS and word not in META_WORDS and len(word) > 1


def names(text: str) -> list[str]:
    """Capitalised words that are not the question's opening word: "Khamenei", "US"."""
    found = []
    for i, word in enumerate(words(text)):
        acronym = len(word) > 1 and word.isupper() and word != "I"  # "US", "ECB", "UN"
        if acronym or (word[0].isupper() and word.lower() not in STOPWORDS and word.lower() not in ANAPHORS):
            if i == 0 and word.lower() in QUESTION_WORDS:
                continue
            found.append(word)
    return found


def previous_questions(history: Any) -> list[str]:
    """The user's earlier questions from a history in any of the shapes callers use:
    a list of strings, of ``Answer``s, of Gradio message dicts, or of (user, bot) pairs."""
    out: list[str] = []
    for item in history or ():
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            if item.get("role") == "user" and isinstance(item.get("content"), str):
                out.append(item["content"])
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            out.append(item[0])
        elif hasattr(item, "question"):
            out.append(item.question)
    return [q for q in out if q and q.strip()]


def intent_of(question: str) -> Intent:
    lower = question.lower()
    if _SOURCE.search(lower):
        return "source"
    if _PUBLISHED.search(lower) and not content_words(question):
        return "published"
    if _PUBLISHED.search(lower) and any(w in META_WORDS for w in lower.split()):
        return "published"
    return "content"


def resolve(question: str, history: Any = None) -> Turn:
    """Decide the intent and, for a follow-up, the search query.

    Example:
        >>> resolve("what else did he say?", ["what did Khamenei say about US troops"]).query
        'Khamenei US troops what else did he say?'
    """
    intent = intent_of(question)
    earlier = previous_questions(history)
    lower_words = [w.lower() for w in words(question)]
    own_subject = bool(names(question)) or len(content_words(question)) > 2
    leans = any(w in ANAPHORS or w in MORE_WORDS for w in lower_words) or len(lower_words) <= 3
    speaker = speaker_in(question)
    if not earlier or own_subject or not leans:
        return Turn(question, question, intent, subject_words=tuple(content_words(question)), speaker=speaker)
    previous = earlier[-1]
    subject = _subject(previous)
    query = f"{' '.join(subject)} {question}".strip()
    return Turn(
        question,
        query,
        intent,
        followup=True,
        wants_more=any(w in MORE_WORDS for w in lower_words),
        previous=previous,
        subject_words=tuple(content_words(query)),
        speaker=speaker or speaker_in(previous),
    )


def _subject(question: str) -> list[str]:
    """Names first, then the other content words, each once, in order."""
    seen: list[str] = []
    for word in names(question) + [w for w in words(question) if _is_content(w.lower())]:
        if word.lower() not in {s.lower() for s in seen}:
            seen.append(word)
    return seen
