"""Reading a question in the light of the conversation, without a language model.

Two things are decided here, by rules a reader can predict:

* **Intent.** "When was it published?", "who reported this?", "which outlet?" ask about
  an article's metadata, not its text; they are answered from the article's header.
* **Follow-ups.** A question with no name of its own that leans on the previous turn
  ("what else did he say?", "when was that?", "and the troops?") is resolved against
  the previous question: its names are added to the search, its cited articles are
  preferred, and for "else"/"more" the sentences already quoted are not quoted again.

Bangla questions are read by the same rules with Bangla words: "তিনি আর কী বলেছেন?"
(he/she-else-what-said: a follow-up wanting more of the same speaker), "এটা কবে প্রকাশিত
হয়েছে?" (published), "কোন পত্রিকা?", "কে প্রকাশ করেছে?" (source), "X কী বলেছেন?" (a
speaker question), "কে বলেছেন ‘…’?" / "‘…’ কে বলেছেন?" (who said). Bangla has no capitals,
so a Bangla question has its own subject when it has two content words, or names a speaker.

What does not work: pronouns that point further back than the previous question, a
follow-up that names a new subject and also leans on the old one ("did Rashid agree with
him?" searches for Rashid only), and anything that needs real coreference. In Bangla,
"X Y নিয়ে কী বলেছেন?" takes the one word before নিয়ে as the topic (Y) and the rest as the
speaker, so a two-word topic leaves a word in the speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from app.news.bangla_words import is_break, is_pronoun, is_title
from app.news.speakers_bn import speaker_before
from app.text.words import (
    ANAPHORS,
    BANGLA_ANAPHORS,
    BANGLA_STOPWORDS,
    META_WORDS,
    STOPWORDS,
    bangla_words,
    content_words,
    is_content,
    names,
    nfc,
    words,
)

Intent = Literal["content", "published", "source"]

MORE_WORDS = frozenset("else more other another also further again additionally".split())
BANGLA_MORE_WORDS = frozenset(
    nfc(w)
    for w in """আর আরও আরো অন্য অন্যান্য অন্যরা আরেকটু আরেকটি আরেক বাকি বাকিটা বিস্তারিত এছাড়া তারপর
    এরপর পরে আবার""".split()
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


# Bangla: the verbs of saying a question asks with, and the patterns of the English ones.
_BN_SAY = (
    r"(?:বলেছেন|বলেন|বলেছিলেন|বললেন|বলছেন|বলেছে|জানিয়েছেন|জানান|জানিয়েছে|মন্তব্য করেছেন|মন্তব্য করেন|"
    r"লিখেছেন|দাবি করেছেন|উল্লেখ করেছেন)"
)
_BN_PUBLISHED = re.compile(r"(?:কবে|কখন|কোন তারিখে|কত তারিখে|কোন দিন)\s*(?:\S+\s+){0,2}?(?:প্রকাশিত|প্রকাশ|ছাপা)")
_BN_SOURCE = re.compile(
    r"(?:কোন|কোনো|কারা|কে|কার)\s*(?:\S+\s+){0,2}?(?:পত্রিকা|সংবাদপত্র|সংবাদমাধ্যম|গণমাধ্যম|সূত্র|উৎস|সাইট|"
    r"ওয়েবসাইট|প্রতিবেদক|লেখক|লিখেছেন|প্রকাশ করেছে|প্রকাশ করে|ছেপেছে)"
    r"|(?:পত্রিকা|সংবাদপত্র|সংবাদমাধ্যম|সূত্র|উৎস)\s*(?:কোনটি|কী|কি|কোনটা)"
)
_BN_SPEAKER_QUESTION = re.compile(
    rf"^\s*(?:আর\s+)?(?P<who>.+?)\s+(?:আর\s+|আরও\s+)?(?:কী|কি)\s+(?:\S+\s+){{0,2}}?{_BN_SAY}"
)
_BN_WHO_SAID = re.compile(
    rf"^\s*(?:[‘“\"](?P<q1>.+?)[’”\"]\s*[,—–-]*\s*(?:(?:এ|এই)?\s*কথা(?:টি)?\s+)?কে\s+{_BN_SAY}"
    rf"|কে\s+{_BN_SAY}\s*[,:]?\s*[‘“\"]?(?P<q2>.+?)[’”\"]?)\s*[?।]?\s*$"
)
_BANGLA = re.compile("[\u0980-\u09ff]")


def speaker_in(question: str) -> str | None:
    """The person a "what did X say (about Y)?" / "X কী বলেছেন?" question asks about,
    else None (also for a pronoun: "what did he say?", "তিনি কী বলেছেন?")."""
    m = _SPEAKER_QUESTION.match(question)
    if m:
        who = m.group("who").strip(" ,")
        return None if who.lower() in ANAPHORS or who.lower() in STOPWORDS else who
    m = _BN_SPEAKER_QUESTION.match(nfc(question)) if _BANGLA.search(question) else None
    return _bangla_speaker(m.group("who")) if m else None


def _bangla_speaker(phrase: str) -> str | None:
    """The speaker in the words before "কী বলেছেন": without a topic ("বন্যা নিয়ে"), a
    time ("গত সপ্তাহে") or a pronoun."""
    phrase = re.sub(r"^(?:এ|এই|ওই)\s+(?:বিষয়ে|ব্যাপারে|নিয়ে|প্রসঙ্গে)\s+", "", phrase.strip(" ,"))
    words = phrase.split()
    breaks = [i for i, w in enumerate(words) if is_break(w)]
    if breaks and breaks[-1] == len(words) - 1:  # "X Y নিয়ে": Y is the topic, X the speaker
        words = words[: max(breaks[-1] - 1, 0)]
    who = speaker_before(" ".join(words)) if words else ""
    if not who or all(is_pronoun(w) or w in BANGLA_ANAPHORS or w in BANGLA_STOPWORDS for w in who.split()):
        return None
    return who


def quoted_in(question: str) -> str | None:
    """The words of a "who said '...'?" / "কে বলেছেন ‘…’?" question, else None."""
    m = _WHO_SAID.match(question)
    if m:
        return m.group("quote").strip("\"'“”‘’ ")
    m = _BN_WHO_SAID.match(nfc(question)) if _BANGLA.search(question) else None
    quote = (m.group("q1") or m.group("q2") or "").strip("\"'“”‘’ ?।") if m else ""
    return quote if bangla_words(quote) or words(quote) else None


def same_person(asked: str, name: str) -> bool:
    """ "Khamenei" asks about "Ayatollah Ali Khamenei"; "Ali Khamenei" too; "Iran" not.
    In Bangla, "জাহিদ" asks about "জাহিদ হাসান", and "শিক্ষামন্ত্রী নাসির উদ্দিন" about
    "নাসির উদ্দিন" (titles are left out when the name alone matches)."""
    if _BANGLA.search(asked):
        asked_words = {w for w in bangla_words(asked) if w not in BANGLA_STOPWORDS} | {
            w.lower() for w in words(asked) if w.lower() not in STOPWORDS
        }
        name_words = set(bangla_words(name)) | {w.lower() for w in words(name)}
        personal = {w for w in asked_words if not is_title(w)}
        return bool(asked_words) and (asked_words <= name_words or bool(personal) and personal <= name_words)
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
    if _SOURCE.search(lower) or _BN_SOURCE.search(nfc(question)):
        return "source"
    if _PUBLISHED.search(lower) and not content_words(question):
        return "published"
    if _PUBLISHED.search(lower) and any(w in META_WORDS for w in lower.split()):
        return "published"
    if _BN_PUBLISHED.search(nfc(question)):
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
    lower_words = [w.lower() for w in words(question)] + bangla_words(question)
    speaker = speaker_in(question)
    own_subject = bool(names(question)) or len(content_words(question)) > 2
    if _BANGLA.search(question):  # no capitals: two content words, or a named speaker
        own_subject = own_subject or len(content_words(question)) >= 2 or speaker is not None
    leans = any(
        w in ANAPHORS or w in MORE_WORDS or w in BANGLA_ANAPHORS or w in BANGLA_MORE_WORDS
        for w in lower_words
    )
    # A short question leans on the conversation, and so does a question about an article's
    # date or outlet that names no subject of its own ("which newspaper published it?",
    # "কোন পত্রিকা প্রকাশ করেছে?"): it can only be about the article just discussed.
    leans = leans or len(lower_words) <= 3 or intent != "content"
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
        wants_more=any(w in MORE_WORDS or w in BANGLA_MORE_WORDS for w in lower_words),
        previous=previous,
        subject_words=tuple(content_words(query)),
        speaker=speaker or speaker_in(previous),
    )


def _subject(question: str) -> list[str]:
    """Names first, then the other content words (English, then Bangla), each once, in order."""
    seen: list[str] = []
    bangla = [w for w in bangla_words(question) if is_content(w)]
    for word in names(question) + [w for w in words(question) if is_content(w.lower())] + bangla:
        if word.lower() not in {s.lower() for s in seen}:
            seen.append(word)
    return seen
