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

``words``, ``names`` and stemming are English; ``content_words`` reads Bangla words too
(whole, over ``BANGLA_WORD``), against Bangla lists of the same kinds (``BANGLA_STOPWORDS``,
``BANGLA_ANAPHORS``, ``BANGLA_META_WORDS``, ``BANGLA_QUESTION_WORDS``): Bangla has no
capitals, so whether a Bangla question names its own subject is told by these. Does not
split compounds, strip Bangla case endings, or handle hyphenation.
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


# A Bangla word: U+0980-U+09E3 (signs, vowels, consonants, vowel signs, virama, khanda
# ta, au mark, nukta letters), U+09F0-U+09F1, plus ZWJ/ZWNJ. Digits, ৳ and the danda are
# not word characters.
BANGLA_WORD = r"[\u0980-\u09E3\u09F0\u09F1\u09FC\u09FE\u200c\u200d]+"
_BANGLA_CHAR = re.compile("[\u0980-\u09ff]")
_WORD_OR_BANGLA = re.compile(rf"{BANGLA_WORD}|{_WORD.pattern}")


def _nfc_words(text: str) -> frozenset[str]:
    return frozenset(unicodedata.normalize("NFC", w) for w in text.split())


# Bangla question words (all cases); also the words keyword search drops (app.text.bangla).
BANGLA_QUESTION_WORDS = _nfc_words(
    """কে কী কি কোন কোনো কোথায় কোথা কবে কত কতো কেন কীভাবে কিভাবে কারা কাকে কার কাদের
    কোনটি কয়টি কয়জন কতজন কতটি কতটা কততম কোনটা কিসের কীসের কিসে কোথাকার"""
)
# Pronouns and demonstratives that point back (honorific and plain forms, all cases), and
# nouns with the demonstrative ending (ঘটনাটি "the incident", বিষয়টি "the matter").
BANGLA_ANAPHORS = _nfc_words(
    """তিনি তিনিও তাঁর তার তাঁকে তাকে তাঁদের তাদের তাঁরা তারা তাঁরাও তারাও উনি ওনার উনার ওনাকে সে তাহার
    এটা এটি এটাই এটির এটার এর এই এ ওই ওটা ওটি ওটার সেটা সেটি সেটার সেই সেখানে এখানে এদের ওদের এরা ওরা
    এগুলো এগুলোর সেগুলো সেগুলোর ঘটনাটি ঘটনাটা বিষয়টি বিষয়টা খবরটি খবরটা প্রতিবেদনটি লেখাটি নিবন্ধটি
    সংবাদটি মামলাটি সিদ্ধান্তটি চুক্তিটি"""
)
# Function words, more question words, "else/more" words and the vocabulary of asking:
# not content (for reading questions, not for indexing: see app.text.bangla).
BANGLA_STOPWORDS = _nfc_words(
    """ও এবং বা আর আরও আরো কিন্তু যে যা যিনি না নয় হয় হয়েছে হয়েছিল হবে ছিল ছিলেন আছে থেকে জন্য সঙ্গে
    নিয়ে সম্পর্কে ব্যাপারে বিষয়ে প্রসঙ্গে বলেছেন বলেন বলেছিলেন বললেন বলে বলা বলছেন জানিয়েছেন জানান
    মন্তব্য করেছেন করেন করা হলো হল দিয়েছেন দেন ঘটেছে ঘটেছিল হচ্ছে বলুন জানাও বলো দেখাও দাও একটু প্লিজ
    কখন কেমন নাকি অন্য অন্যান্য অন্যরা আরেকটু আরেকটি আরেক বাকি বাকিটা বিস্তারিত এছাড়া তারপর এরপর পরে
    আবার"""
)
# Words that ask about an article (when it was published, by whom) rather than the news.
BANGLA_META_WORDS = _nfc_words(
    """প্রকাশিত প্রকাশ প্রকাশের পত্রিকা পত্রিকায় পত্রিকার সংবাদপত্র সংবাদপত্রে সংবাদমাধ্যম গণমাধ্যম
    সূত্র সূত্রে উৎস লিখেছেন লেখক প্রতিবেদক প্রতিবেদন শিরোনাম লিংক লিঙ্ক ইউআরএল সাইট ওয়েবসাইট খবর
    সংবাদ তারিখ তারিখে দিন সময় ছাপা ছাপানো ছেপেছে"""
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
    """Lower-cased words that carry a subject (not stopwords, anaphors or metadata words),
    English and Bangla (NFC) in text order.

    Example:
        >>> content_words("What did Khamenei say about US troops?")  # "us" is a stopword
        ['khamenei', 'troops']
        >>> content_words("এটা কবে প্রকাশিত হয়েছে?"), content_words("বন্যায় কতজন মারা গেছেন?")
        ([], ['বন্যায়', 'মারা', 'গেছেন'])
    """
    if not _BANGLA_CHAR.search(text):
        return [w.lower() for w in words(text) if is_content(w.lower())]
    found = (nfc(w).lower() for w in _WORD_OR_BANGLA.findall(text))
    return [w for w in found if is_content(w)]


def bangla_words(text: str) -> list[str]:
    """The Bangla words of ``text``, whole and NFC: "কর্ণফুলী" is one word."""
    return [nfc(w) for w in re.findall(BANGLA_WORD, text)]


def is_content(word: str) -> bool:
    """Whether a lower-cased (English) or NFC (Bangla) word carries a subject."""
    if _BANGLA_CHAR.match(word):
        return not (word in BANGLA_STOPWORDS or word in BANGLA_QUESTION_WORDS or word in BANGLA_ANAPHORS
                    or word in BANGLA_META_WORDS or len(word) < 2)  # fmt: skip
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
