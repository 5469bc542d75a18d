"""Bangla text rules: which texts are Bangla, their keyword terms, and their sentences.

* ``is_bangla``: at least ``BANGLA_SHARE`` of a text's letters are Bangla;
* ``bangla_terms``: keyword terms of a Bangla text: words kept whole over the Bangla
  block (letters, vowel signs, the virama or hasanta, chandrabindu, anusvara, visarga,
  khanda ta, nukta), normalised (NFC, the old ত্+ZWJ as ৎ, joiners dropped inside words,
  Bangla digits as ASCII so "২০২৩" meets "2023"), and only ``QUESTION_WORDS`` dropped: no
  English stemmer or stopwords, and no Bangla stopword list either (stopwords-iso cost
  ~0.025 MRR on both Bangla sets, suffix stripping 0.006: benchmarks/eval_bangla.py);
* ``bangla_sentence_spans``: sentence ends at ``।``, ``॥`` (even with no space after, as
  news text often has "হয়।এ"), ``?``, ``!`` (before a space, a Bangla letter or an
  opening quote) and ``.`` (before a space, not after an abbreviation or an initial such
  as মো., ড., এ. কে.); a quotation, including ``‘…’``, which is how Bangla papers mark
  speech, stays one sentence with its attribution; a line break ends a sentence.

Does not stem (measured: it does not help), transliterate, or split compounds.
"""

from __future__ import annotations

import re
import unicodedata

from app.text.words import BANGLA_DIGITS, BANGLA_QUESTION_WORDS, BANGLA_WORD, nfc

# A text is treated as Bangla when at least this share of its letters are.
BANGLA_SHARE = 0.3
_BANGLA_CHAR = re.compile("[\u0980-\u09ff]")
_BANGLA_RUN = re.compile(BANGLA_WORD)
# Question words (app.text.words): dropped from keyword queries and passages (they are
# rarely what a passage says). The whole stopwords-iso list measured worse (module doc).
QUESTION_WORDS = BANGLA_QUESTION_WORDS


def is_bangla(text: str, threshold: float = BANGLA_SHARE) -> bool:
    """True if at least ``threshold`` of the letters of ``text`` are Bangla."""
    letters = sum(1 for c in text if c.isalpha() or "\u0980" <= c <= "\u09ff")
    return bool(letters) and len(_BANGLA_CHAR.findall(text)) / letters >= threshold


def question_language(question: str) -> str:
    """ "bn" for a question written mostly in Bangla, else "en": which fusion weight and
    which rules a question gets (the script decides; a question is too short for a
    language detector)."""
    return "bn" if is_bangla(question) else "en"


def normalise_for_terms(text: str) -> str:
    """NFC, khanda ta, joiners out, Bangla digits as ASCII: how terms are compared."""
    text = nfc(text).replace("ত্\u200d", "ৎ").replace("\u200d", "").replace("\u200c", "")
    return text.translate(BANGLA_DIGITS)


def bangla_terms(text: str) -> tuple[list[str], str]:
    """The Bangla words of ``text`` as keyword terms, and the rest of the text (what is
    not a Bangla word, digits now ASCII) for the English rules, so a number is one term
    whatever its script.

    Example:
        >>> bangla_terms("২০২৩ সালে Dhaka শহরের মানুষেরা কী বলেছেন?")
        (['সালে', 'শহরের', 'মানুষেরা', 'বলেছেন'], '2023      Dhaka                         ?')
    """
    text = normalise_for_terms(text)
    terms = []
    rest = list(text)
    for m in _BANGLA_RUN.finditer(text):
        if m.group() not in QUESTION_WORDS:
            terms.append(m.group())
        rest[m.start() : m.end()] = " " * (m.end() - m.start())
    return terms, "".join(rest)


# ------------------------------------------------------------------------- sentences

# Words that end with a full stop inside a Bangla sentence: মো. (Mohammad), ড. (Dr),
# ডা. (doctor), মি. (Mr) ... and the letters used as initials (এ. কে. এম.).
BANGLA_ABBREVIATIONS = frozenset(
    nfc(w)
    for w in """মো মোহা মু ড ডা মি মিসেস প্রফ অধ্যাপক এড বি এম এ এস এইচ এল এফ আর জি জে টি ডি পি
    কে কিউ ইউ এন ওয়াই এক্স জেড ভি সি ও আই সং নং লি কো মোস্ত""".split()
)
# Real short words that do end sentences (one base letter, but not initials).
SHORT_WORDS = frozenset(nfc(w) for w in "না নি তা যা সে কি কী হয় নয় দা".split())
_BOUNDARY = re.compile(r"(?:[।॥][।॥?!]*|[?!][?!।]*|\.+)(?P<close>[\"'”’»)\]]*)")
_WORD_BEFORE_DOT = re.compile(r"([\u0980-\u09FFA-Za-z][\u0980-\u09FFA-Za-z.]*)\.$")
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])’(?=[A-Za-z])")
# A quotation longer than this is taken to be unbalanced (a stray mark).
MAX_QUOTE_CHARS = 600


def bangla_sentence_spans(
    text: str, offset: int, english_abbreviations: frozenset[str]
) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of Bangla (or mixed) text, shifted by ``offset``;
    spans exclude surrounding whitespace and every non-space character is in one."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        _line_spans(line.group(), line.start() + offset, spans, english_abbreviations)
    return spans


def _line_spans(text: str, base: int, spans: list[tuple[int, int]], english: frozenset[str]) -> None:
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        stop = text[m.start() : m.start("close")]
        after = text[end : end + 1]
        if stop[0] in "?!":
            if after and not (after.isspace() or "\u0980" <= after <= "\u09ff" or after in "\"“‘'"):
                continue
        elif stop[0] == ".":
            if after and not after.isspace():
                continue
            if stop == "." and _is_abbreviation(text[start : m.start() + 1], english):
                continue
        if _inside_quote(text[start:end]) and end - start < MAX_QUOTE_CHARS:
            continue
        _add(text, start, end, base, spans)
        start = end
    _add(text, start, len(text), base, spans)


def _is_abbreviation(chunk: str, english: frozenset[str]) -> bool:
    m = _WORD_BEFORE_DOT.search(chunk)
    if not m:
        return False
    word = nfc(m.group(1)).lower()
    if word in SHORT_WORDS:
        return False
    if word in BANGLA_ABBREVIATIONS or word in english:
        return True
    # One base letter (a consonant or vowel, whatever signs it carries): an initial.
    letters = [c for c in word if unicodedata.category(c) == "Lo" or c.isascii() and c.isalpha()]
    return len(letters) == 1


def _inside_quote(chunk: str) -> bool:
    """True if a quotation opened in ``chunk`` is still open at its end (“…”, ‘…’ with
    ’ between Latin letters an apostrophe, «…», "...")."""
    if chunk.count("“") > chunk.count("”"):
        return True
    if chunk.count("‘") > len(_APOSTROPHE.sub("", chunk).split("’")) - 1:
        return True
    if chunk.count("«") > chunk.count("»"):
        return True
    return chunk.count('"') % 2 == 1


def _add(text: str, start: int, end: int, base: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((base + start + lead, base + start + lead + len(stripped)))
