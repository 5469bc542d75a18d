"""Sentences glued by a missing space ("The Daily Star.He added"), split again.

A stop (``.``, ``?``, ``!``) followed at once by a capital or a non-Latin letter is a
glued sentence end, except in abbreviations (``GLUE_ABBREVIATIONS``), initials
("U.S.Army", "J.R.R.Tolkien"), decimals, digits unless year-like ("in 2023.The"), URLs,
e-mail addresses and domain names ("bdnews24.com", "Prothomalo.Com"), variants of a name
("Zafi.D") and dotted names ("Halo.Bungie.Org"). A Bangla dari (``।``) glued to the next
word is always an end. Heuristic: "One.Tel," (a company) is split.
"""

from __future__ import annotations

import re

from app.text.sentences import ABBREVIATIONS

# Words after which a stop glued to the next word is an abbreviation, not a sentence
# end: the sentence splitter's list, plus those that are abbreviations only when glued
# ("No.5", "Tk.500", "Md.Yunus", "Govt.order"): before a space, "no." usually ends a
# sentence, so the splitter does not list them.
GLUE_ABBREVIATIONS = ABBREVIATIONS | frozenset(
    "md mohd no nos vol ed eds op pp ch art sec govt tk rs".split()
)
# What follows a dot in a domain name written with a capital ("Prothomalo.Com").
TOP_LEVEL_DOMAINS = frozenset("com net org gov edu info io bd uk in co us au ca de fr news tv me ly".split())
_GLUE = re.compile(r"[.!?]+|।")
_GLUE_CANDIDATE = re.compile(r"(?:[.!?]|।)[”’)\]\"'“‘(]*[^\W\d_]")
# URLs, e-mail addresses and domain names, inside which a stop is never an end. Hosts
# are taken to be lower-case, so "info@x.gov.bd.Officials" ends at "bd".
_URL = re.compile(
    r"(?:https?://|www\.)[^\s]+?(?=[.,;:!?)\]]*(?:\s|$))|[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}\b"
)
_CLOSERS = "”’)]"


def _word_before(text: str, end: int) -> str:
    """The run of letters and digits that ends at ``text[end]``, by a backwards scan (a
    regex anchored at the end would rescan the whole text for every stop)."""
    start = end
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    return text[start:end]


def split_glued(para: str) -> tuple[str, int]:
    """Insert the missing space between two sentences glued at a stop. Returns the
    paragraph and the number of spaces inserted.

    Example:
        >>> split_glued("said The Daily Star.He added, citing U.S. data from bdnews24.com.")
        ('said The Daily Star. He added, citing U.S. data from bdnews24.com.', 1)
    """
    if not _GLUE_CANDIDATE.search(para):
        return para, 0  # no stop is followed by a letter or quote: nothing glued
    protected = [m.span() for m in _URL.finditer(para)]
    cuts: list[int] = []
    for m in _GLUE.finditer(para):
        stop_start, end = m.start(), m.end()
        if any(a <= stop_start < b for a, b in protected):
            continue
        # closing quotes and brackets stay with the sentence they close
        while end < len(para) and para[end] in _CLOSERS:
            end += 1
        if end < len(para) and para[end] == '"' and para[:end].count('"') % 2 == 1:
            end += 1
        if end >= len(para) or para[end].isspace():
            continue
        nxt = end + 1 if para[end] in "“‘\"'(" and end + 1 < len(para) else end
        if m.group() == "।":
            if para[nxt].isalpha():
                cuts.append(end)
            continue
        if _glued_here(para, stop_start, nxt):
            cuts.append(end)
    if not cuts:
        return para, 0
    pieces, last = [], 0
    for cut in cuts:
        pieces.append(para[last:cut])
        last = cut
    pieces.append(para[last:])
    return " ".join(pieces), len(cuts)


def _glued_here(para: str, stop: int, nxt: int) -> bool:
    follower = para[nxt]
    if not follower.isalpha():
        return False
    latin_next = follower.isascii()
    if latin_next and not follower.isupper():
        return False  # "bdnews24.com", "e.g.the": a lower-case letter never starts a sentence here
    before = para[stop - 1] if stop else ""
    if not (before.isalnum() or before in _CLOSERS):
        return False  # "wait...Then", ".5"
    if before in _CLOSERS:
        return True  # "(Reuters).He", "said.”He"
    letters = _word_before(para, stop)
    if letters.lower() in GLUE_ABBREVIATIONS:
        return False
    if letters.isdigit():
        return len(letters) >= 2  # "in 2023.The" yes; "Article 5.A" no
    if len(letters) < 2:
        return False  # an initial: "A.Rahman", "U.S.Army", "J.R.R.Tolkien", "e.g.The"
    token = re.match(r"[^\W\d_]+", para[nxt:]).group()
    after = para[nxt + len(token)] if nxt + len(token) < len(para) else ""
    if latin_next and token.isupper() and len(token) <= 3 and token not in ("A", "I"):
        if len(token) == 1 or not after or after in ",;:)]" or letters[:1].isupper():
            return False  # a variant of a name: "Zafi.D", "Bagle.AT and", "Bagle.BB,"
    if after == "." and para[nxt + len(token) + 1 : nxt + len(token) + 2].isalpha():
        return False  # a dotted name: "Halo.Bungie.Org"
    tld = re.match(r"[A-Za-z]+", para[nxt:])
    if (
        latin_next
        and tld
        and tld.group().lower() in TOP_LEVEL_DOMAINS
        and (nxt + tld.end() >= len(para) or not para[nxt + tld.end()].isalpha())
    ):
        return False  # "Prothomalo.Com"
    return True
