"""Words: tokenising, normalising, stopwords and stemming, one implementation of each.

* ``tokens``: lower-cased ``\\w+`` runs, for comparing texts (near-duplicates,
  shingles, "the same quote");
* ``norm``: a text as its tokens joined by single spaces;
* ``words`` / ``names``: the letter words of a question as written (with case), for
  reading who and what it names;
* ``content_words``: the lower-cased words that carry a subject (not ``STOPWORDS``,
  ``ANAPHORS`` or ``META_WORDS``);
* ``script_words``: words of any script, Indic ones whole: ``\\w`` alone misses the
  vowel signs and the virama of Bangla ("কর্ণফুলী" is one word here, five pieces to
  ``\\w+``); ``nfc`` and ``BANGLA_DIGITS`` for the forms Bangla text comes in.

``words``, stemming and the stopword lists are English. Does not split compounds or
handle hyphenation.
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"\w+")
# Word characters of any script: ``\w`` plus the combining signs of the Indic blocks
# (U+0900-U+0DFF: vowel signs, virama) and the joiners ZWNJ/ZWJ that Bangla words hold.
WORD_CHARS = r"\w\u0900-\u0DFF\u200c\u200d"
_SCRIPT_WORD = re.compile(rf"[^\W\d_][{WORD_CHARS}'’-]*")
BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]")

# Pronouns and demonstratives that point back in a conversation ("what else did he say?").
ANAPHORS = frozenset(
    "he she him her his hers they them their theirs it its that this those these there then".split()
)
# Words that carry no subject in a question: function words, question words and the
# vocabulary of asking ("say", "tell"). Not bm25s's list: that one is for indexing.
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
# Words that ask about an article (when it was published, by whom) rather than the news.
META_WORDS = frozenset(
    """publish published publishing posted post release released report reported reporting
    write wrote written writer author outlet agency source sources newspaper paper site
    website carried carry article story piece news date day time come came""".split()
)
# Words that open a question and are capitalised for that reason only.
QUESTION_WORDS = frozenset(
    """what what's whats who who's whom whose when where why how which did does do is was
    were are can could would will should has have had tell and so but or please any anything
    according give show list""".split()
)


def nfc(text: str) -> str:
    """Unicode NFC: the one form text is compared in (Bangla "য়" may come as one code
    point or two)."""
    return unicodedata.normalize("NFC", text)


def script_words(text: str) -> list[str]:
    """Words of any script, as written: a letter, then letters, digits, Indic signs,
    joiners, apostrophes and hyphens."""
    return _SCRIPT_WORD.findall(text)


def tokens(text: str) -> list[str]:
    """Lower-cased ``\\w+`` runs: ``tokens("U.S. troops")`` is ``['u', 's', 'troops']``."""
    return _TOKEN.findall(text.lower())


def norm(text: str) -> str:
    """The text's tokens joined by spaces: punctuation, case and spacing do not count."""
    return " ".join(tokens(text))


def words(text: str) -> list[str]:
    """Letter words as written: "Khamenei's", "U.S", "al-Sudani"."""
    return _WORD.findall(text)


def content_words(text: str) -> list[str]:
    """Lower-cased words that carry a subject (not stopwords, anaphors or metadata words).

    Example:
        >>> content_words("What did Khamenei say about US troops?")
        ['khamenei', 'us', 'troops']
    """
    return [w.lower() for w in words(text) if is_content(w.lower())]


def is_content(word: str) -> bool:
    """Whether a lower-cased word carries a subject."""
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
