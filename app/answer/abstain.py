"""When the articles do not answer: the calibrated rule, and what an answer then says.

Answer only if ``max cosine + ABSTAIN_LEXICAL * coverage`` reaches ``ABSTAIN_BELOW``
over the passages read, where *coverage* is the share of the question's subject terms
(stemmed as the keyword index stems them) found in those passages or their headlines.
Cosine alone misses short questions about a name ("what did Khamenei say?"), which
embed far from any paragraph; coverage alone is fooled by common words. Both constants
were chosen on RealTimeQA questions with and without their evidence in the corpus, by
``benchmarks/calibrate_abstention.py``; docs/retrieval.md gives the measured rates.
Does not judge whether a passage states the answer, only whether it is about it.
"""

from __future__ import annotations

import numpy as np

from app.text.bangla import question_language
from app.text.terms import keyword_terms
from app.text.words import content_words
from app.types import Hit

NOT_FOUND = "I could not find this in the articles."
NOT_FOUND_BN = "প্রতিবেদনগুলোতে এর উত্তর পাওয়া যায়নি।"  # the same, for a question asked in Bangla


def not_found(question: str) -> str:
    """What an abstaining answer says, in the question's language."""
    return NOT_FOUND_BN if question_language(question) == "bn" else NOT_FOUND
ABSTAIN_LEXICAL = 0.5
ABSTAIN_BELOW = 0.81


def question_terms(question: str) -> set[str]:
    """The question's subject terms, stemmed as the keyword index stems them."""
    return set(keyword_terms([" ".join(content_words(question))])[0])


def coverage(terms: set[str], passages: list[str]) -> float:
    """Share of the question's terms found in any of the passages (0 for no terms)."""
    if not terms:
        return 0.0
    found = set().union(*(keyword_terms([p])[0] for p in passages)) if passages else set()
    return len(terms & found) / len(terms)


def answerable(question: str, hits: tuple[Hit, ...], cosines: np.ndarray) -> bool:
    """Whether the passages answer the question, by the calibrated rule above.

    Example:
        >>> answerable("what did Khamenei say about US troops", hits, cosines)
        True
    """
    texts = [h.text for h in hits] + list({h.citation.title for h in hits})  # headlines count too
    signal = float(cosines.max()) + ABSTAIN_LEXICAL * coverage(question_terms(question), texts)
    return signal >= ABSTAIN_BELOW
