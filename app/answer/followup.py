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

from app.text.words import ANAPHORS, META_WORDS, STOPWORDS, content_words, is_content, names, words

Intent = Literal["content", "published", "source"]

MORE_WORDS = frozenset("else more other another also further again additionally".split())
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










def previous_questions(history: Any) -> list[str]:
    """The user's earlier questions from a history of strings or ``Answer``s (a chat
    page's own message format is the page's to convert)."""
    out = [item if isinstance(item, str) else getattr(item, "question", None) for item in history or ()]
    return [q for q in out if isinstance(q, str) and q.strip()]


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
    for word in names(question) + [w for w in words(question) if is_content(w.lower())]:
        if word.lower() not in {s.lower() for s in seen}:
            seen.append(word)
    return seen
