"""Keyword terms, the same for passages and questions, in English and Bangla.

English (and any text without Bangla): bm25s's tokens (``\\w\\w+``, lower-cased), its
English stopword list removed, each stemmed by Snowball (PyStemmer): exactly what the
English evaluation measures, computed here (the same terms as ``bm25s.tokenize``,
tests/test_text.py) because importing bm25s imports scipy.sparse, ~0.6 s of an update
in a fresh process. Bangla words and numbers: ``app.text.bangla.bangla_terms``
(words whole, question words out, digits as ASCII), and the rest of a mixed text by the
English rules. Does not detect languages other than by script.
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.text.bangla import bangla_terms

_BANGLA = re.compile("[\u0980-\u09ff]")
# bm25s.tokenize's defaults: scikit-learn's token pattern and bm25s's English stopwords
# (NLTK's short list), removed before stemming.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: the Snowball stemmers, in C

    return Stemmer.Stemmer("english")


def _english(texts: list[str]) -> list[list[str]]:
    """``bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False)``."""
    docs = [[t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS] for text in texts]
    unique = list(dict.fromkeys(t for doc in docs for t in doc))
    stems = dict(zip(unique, _stemmer().stemWords(unique), strict=True))
    return [[stems[t] for t in doc] for doc in docs]


def keyword_terms(texts: list[str]) -> list[list[str]]:
    """Each text's index terms.

    Example:
        >>> keyword_terms(["Troops left Iraq", "ঢাকায় ২০২৩ সালে বন্যা হয়"])
        [['troop', 'left', 'iraq'], ['ঢাকায়', '2023', 'সালে', 'বন্যা', 'হয়']]
    """
    texts = list(texts)
    out: list[list[str] | None] = [None] * len(texts)
    english_rows, english_texts = [], []
    for i, text in enumerate(texts):
        if _BANGLA.search(text):
            terms, rest = bangla_terms(text)
            out[i] = terms
            if rest.strip():
                english_rows.append(i)
                english_texts.append(rest)
        else:
            english_rows.append(i)
            english_texts.append(text)
    if english_texts:
        for i, terms in zip(english_rows, _english(english_texts), strict=True):
            out[i] = (out[i] or []) + list(terms)
    return [terms or [] for terms in out]
