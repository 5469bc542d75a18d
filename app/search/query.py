"""Question clean-up before search: drops news-quiz phrasing that carries no topic.

Questions written as quizzes ("Which of the following ... this week?") carry words that
match nothing useful in a news paragraph: relative dates ("this week" is in about half
of the RealTimeQA questions and in few evidence paragraphs) and templates ("which of
the following", "what is the name of"). Removing them helps BM25, which would otherwise
reward paragraphs that happen to say "week", and moves the question's embedding toward
its topic. Measured in ``benchmarks/eval_retrieval.py`` (see the README).

Does not rewrite or expand the question, and never removes every word: if clean-up
would leave nothing, the question is returned unchanged.
"""

from __future__ import annotations

import re

# Each pattern is a phrase a news quiz adds that a news paragraph does not echo; all are
# matched case-insensitively on word boundaries. Relative dates only for week/weekend/
# month: "this year" or "last year" often is the topic ("last year's floods").
_QUIZ_PHRASES = (
    r"(?:earlier |later )?(?:this|last|past|this past|the past) (?:week|weekend|month)(?:'s)?",
    r"(?<=which )of (?:the following|these)",
    r"what (?:is|was) the name of",
    r"according to (?:a |the )?(?:new |recent |latest )?(?:reports?|media reports)",
    r"it was reported that",
    r"reportedly",
)
_PATTERN = re.compile(r"\b(?:" + "|".join(_QUIZ_PHRASES) + r")\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_DANGLING = re.compile(r"\s+([,.?!;:])")


def drop_quiz_phrasing(question: str) -> str:
    """The question without quiz phrasing, whitespace folded.

    Example:
        >>> drop_quiz_phrasing("Which country this week announced a new capital?")
        'Which country announced a new capital?'
    """
    cleaned = _DANGLING.sub(r"\1", _SPACES.sub(" ", _PATTERN.sub(" ", question))).strip(" ,")
    return cleaned if re.search(r"\w", cleaned) else question.strip()
