"""What is not an article, and why; headlines that do not belong to their body.

``judge`` says why a repaired body is not an article (the first rule that fits, in
this order), or None:

- documentation: a data folder's README, LICENSE, CHANGELOG ... (by file name,
  ``DOC_NAMES``), or a text that reads like one (``DOC_SIGNALS``, at least
  ``DOC_MIN_SIGNALS`` of them, or a licence text);
- block page: a bot wall, captcha or server error saved instead of the page ("Sorry,
  you have been blocked", "Just a moment...", "Enable JavaScript and cookies", "Bad
  gateway Error code 502") in a short page;
- spam: a link farm (``LINK_FARM_MIN_URLS`` links making ``LINK_FARM_MIN_SHARE`` of
  the text), gambling/pharma vocabulary (``SPAM_MIN_HITS`` words and
  ``SPAM_MIN_SHARE`` of all words), or one phrase stuffed (``STUFFED_MIN_COUNT`` times
  and ``STUFFED_MIN_SHARE`` of all words);
- boilerplate only: nothing left once the furniture lines are removed;
- listing page: no sentence at all, or mostly headline-like lines (the rule of
  first rule newsdesk had, which passes every BBC article, extended to Bangla's
  sentence mark ``।``).

``headline_mismatch`` tells a headline that shares no word with its body. Page
furniture inside an article is ``app.sources.furniture``'s.

Does not judge truth, quality or topic; does not remove furniture in the middle of a
sentence; thresholds are set so that none of the BBC, Bangla CSV/JSON or Reuters
articles in the benchmark is rejected as spam, block page or documentation.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePath

from app.text.words import BANGLA_DIGITS, STOPWORDS, WORD_CHARS, nfc, script_words
from app.types import Kind, Problem

# ---------------------------------------------------------------- documentation

DOC_NAMES = frozenset(
    """readme read_me license licence copying copyright changelog changes history notice authors
    contributors contributing citation code_of_conduct security origins install todo manifest""".split()
)
# Metadata files of datasets: documentation unless they hold article texts.
METADATA_NAMES = frozenset(
    """dataset_info dataset_infos dataset_dict state metadata datapackage croissant codemeta
    .zenodo package schema features dataset_card""".split()
)
DOC_SIGNALS = (
    re.compile(r"^#{1,3} \S", re.M),  # markdown headings
    re.compile(r"^```", re.M),
    re.compile(r"\b(?:pip|conda|npm|apt-get) install\b|\bgit clone\b"),
    re.compile(
        r"^#{1,3} (?:installation|usage|licen[cs]e|citation|dataset|requirements|getting started|"
        r"how to use|structure|contributing|acknowledg(?:e)?ments)\b",
        re.I | re.M,
    ),
    re.compile(r"@(?:inproceedings|article|misc|book)\{"),
    re.compile(r"^\|.*\|\s*$\n^\|[\s:|-]+\|\s*$", re.M),  # a markdown table
    re.compile(r"\b(?:this|the) (?:dataset|repository|corpus)\b", re.I),
    re.compile(r"\bplease cite\b|\bif you use (?:this|the) (?:dataset|data|code)\b", re.I),
)
DOC_MIN_SIGNALS = 3
_LICENCE = re.compile(
    r"permission is hereby granted, free of charge|the software is provided \"as is\"|"
    r"apache license,? version 2\.0|gnu general public license|creative commons attribution",
    re.I,
)


def documentation_name(path: str | None) -> bool:
    """True if a file's name says it documents a folder (README.md, LICENSE, CHANGELOG)."""
    if not path:
        return False
    stem = PurePath(path).name.lower().split(".")[0].replace("-", "_")
    return stem in DOC_NAMES


def metadata_name(path: str | None) -> bool:
    """True if a file's name is a dataset's metadata (dataset_info.json, metadata.csv)."""
    if not path:
        return False
    name = PurePath(path).name.lower()
    return name.rsplit(".", 1)[0] in METADATA_NAMES or name.endswith((".schema.json", "-metadata.json"))


def _reads_like_documentation(text: str) -> str | None:
    if _LICENCE.search(text):
        return "a licence text"
    hits = sum(1 for signal in DOC_SIGNALS if signal.search(text))
    return (
        f"reads like documentation ({hits} signs: headings, install steps, citation)"
        if (hits >= DOC_MIN_SIGNALS)
        else None
    )


# ---------------------------------------------------------------- block pages

# Phrases of bot walls, captchas, and the server error pages scrapers save instead.
BLOCK_PHRASES = tuple(
    line.strip()
    for line in """
    sorry, you have been blocked
    you have been blocked
    access denied
    access to this page has been denied
    enable javascript and cookies to continue
    please enable javascript
    please enable cookies
    checking your browser before accessing
    checking if the site connection is secure
    just a moment...
    attention required! | cloudflare
    verify you are human
    verifying you are human
    are you a robot
    i'm not a robot
    complete the captcha
    captcha
    unusual traffic from your computer network
    request unsuccessful. incapsula
    403 forbidden
    error 1020
    ray id:
    why have i been blocked
    performance & security by cloudflare
    pardon our interruption
    press & hold to confirm you are
    the requested url was rejected
    your support id is
    this website is using a security service to protect itself
    bad gateway
    error code 502
    502 bad gateway
    503 service unavailable
    504 gateway time-out
    gateway timeout
    404 not found
    page not found
    internal server error
""".strip().splitlines()
)
# A block page is short; a long text that mentions "captcha" is an article about it.
BLOCK_MAX_WORDS = 300
# One phrase is enough on a page this short; a longer one needs two different phrases.
BLOCK_ONE_PHRASE_WORDS = 60

# ---------------------------------------------------------------- spam

SPAM_WORDS = frozenset(
    nfc(
        """casino casinos slot slots gacor togel judi betting bet bets poker jackpot baccarat roulette
    sportsbook bonus deposit jili maxwin rtp scatter viagra cialis payday escort escorts replica
    ক্যাসিনো বেটিং জুয়া স্লট জ্যাকপট বোনাস"""
    ).split()
)
# Gambling/pharma spam: this many hits of at least SPAM_MIN_DISTINCT different words,
# making this share of all words. The most in a real article of the benchmark data is
# 15 hits, 4.1% (a BBC story on the gambling bill).
SPAM_MIN_HITS = 10
SPAM_MIN_DISTINCT = 3
SPAM_MIN_SHARE = 0.06
LINK_FARM_MIN_URLS = 10
LINK_FARM_MIN_SHARE = 0.25
# Keyword stuffing: one phrase of three different words repeated this often, its words
# making this share of the text. Reuters commodity tables reach 8 repeats and 28%
# ("pct sulphur dlrs"); stuffed SEO pages are far above both.
STUFFED_MIN_COUNT = 12
STUFFED_MIN_SHARE = 0.30
_URLS = re.compile(r"(?:https?://|www\.)\S+", re.I)

# ---------------------------------------------------------------- listings

# The listing rule, checked on all 2,225 BBC articles (none is taken for a listing).
PROSE_WORDS = 12
LISTING_MIN_LINES = 4
HEADLINE_MAX_WORDS = 15
STORY_WORDS = 40
_SENTENCE_END = re.compile(r"""[.!?…।]["'”’)\]]*$""")
_DIGIT = re.compile(r"\d")


def judge(
    title: str | None,
    paras: list[str],
    *,
    path: str | None = None,
    removed: int = 0,
    declared: bool = False,
    teaser: bool = False,
) -> Problem | None:
    """Why this is not an article (a Problem of a "not an article" kind), or None.

    ``removed`` is how many furniture paragraphs ``strip_boilerplate`` took out: a body
    left empty by it is "boilerplate only" rather than "no body". ``declared`` (a record
    of an archive) relaxes the listing rule to "no sentence at all"; a ``teaser`` (a
    feed item with only a summary, or only its headline) is never a listing.
    """
    text = "\n\n".join(paras)
    if documentation_name(path):
        return Problem(Kind.DOCUMENTATION, "a folder's documentation file (by its name), not an article")
    if why := _reads_like_documentation(text):
        return Problem(Kind.DOCUMENTATION, f"not an article: {why}")
    if why := block_page(title, text):
        return Problem(Kind.BLOCK, f"a block, captcha or error page ({why}), not an article")
    if not paras:
        if removed:
            return Problem(
                Kind.BOILERPLATE_ONLY, f"only page furniture ({removed} line(s): ads, share, read more)"
            )
        return Problem(Kind.NO_BODY, "no article body")
    if why := spam(text):
        return Problem(Kind.SPAM, f"spam ({why})")
    if not teaser and (why := listing(paras, declared=declared)):
        return Problem(Kind.LISTING, f"a listing of headlines, not an article ({why})")
    return None


def block_page(title: str | None, text: str) -> str | None:
    """The block or captcha phrases found, when the page is short enough to be one."""
    words = len(text.split())
    if words > BLOCK_MAX_WORDS:
        return None
    haystack = f"{title or ''}\n{text}".lower()
    found = [p for p in BLOCK_PHRASES if p in haystack]
    if len(found) >= 2 or (found and words <= BLOCK_ONE_PHRASE_WORDS):
        return ", ".join(repr(p) for p in found[:3])
    return None


def spam(text: str) -> str | None:
    """Why a text is spam (link farm, gambling/pharma words, one stuffed word), or None."""
    urls = _URLS.findall(text)
    if len(urls) >= LINK_FARM_MIN_URLS and sum(map(len, urls)) >= LINK_FARM_MIN_SHARE * len(text):
        return f"a link farm: {len(urls)} links"
    words = [w.lower() for w in script_words(text)]
    if not words:
        return None
    hits = [w for w in words if w in SPAM_WORDS]
    if (
        len(hits) >= SPAM_MIN_HITS
        and len(set(hits)) >= SPAM_MIN_DISTINCT
        and len(hits) >= SPAM_MIN_SHARE * len(words)
    ):
        return f"gambling/pharma keywords: {len(hits)} of {len(words)} words"
    tokens = [w for w in words if len(w) >= 3 and w not in STOPWORDS]
    phrases = Counter(g for g in zip(tokens, tokens[1:], tokens[2:], strict=False) if len(set(g)) == 3)
    if phrases:
        phrase, n = phrases.most_common(1)[0]
        if n >= STUFFED_MIN_COUNT and 3 * n >= STUFFED_MIN_SHARE * len(words):
            return f"keyword stuffing: {' '.join(phrase)!r} {n} times in {len(words)} words"
    return None


def _is_prose(para: str) -> bool:
    words = len(para.split())
    return words >= PROSE_WORDS or (words >= 3 and _SENTENCE_END.search(para) is not None)


def listing(paras: list[str], *, declared: bool = False) -> str | None:
    """Why a body is a listing of headlines or links rather than a story, or None.
    A ``declared`` article (an archive's record) is a listing only when it is a run of at
    least ``LISTING_MIN_LINES`` lines none of which is a sentence: one short line in an
    archive ("Federer said he needed surgery on an injured knee") is a text."""
    if not any(_is_prose(p) for p in paras):
        if declared and len(paras) < LISTING_MIN_LINES:
            return None
        if declared and sum(1 for p in paras if _DIGIT.search(p)) * 2 >= len(paras):
            return None  # a table of figures (a wire's earnings report): data, kept
        return f"none of its {len(paras)} line(s) is a sentence"
    if declared:
        return None  # an archive's record with one sentence is an article by declaration
    headlines = sum(1 for p in paras if len(p.split()) < HEADLINE_MAX_WORDS and not _SENTENCE_END.search(p))
    story = any(len(p.split()) >= STORY_WORDS for p in paras)
    if headlines >= LISTING_MIN_LINES and headlines * 2 > len(paras) and not story:
        return f"{headlines} of {len(paras)} paragraphs are headline-like lines"
    return None


# ---------------------------------------------------------------- headline check

# A headline is checked against its body only when both are long enough to share a
# word by chance of being about the same thing.
HEADLINE_MIN_WORDS = 3
HEADLINE_BODY_MIN_WORDS = 30
# ... and against the start of the body only: a headline shares a word with the lead.
HEADLINE_BODY_CHARS = 20_000
# Words match on their first letters, so inflections meet ("rates"/"rate", Bangla
# case endings "ঢাকার"/"ঢাকায়").
MATCH_PREFIX = 4
# Bangla digits read as ASCII; joiners dropped, so "বই\u200cয়ের" meets "বইয়ের".
_BANGLA_DIGITS = {**BANGLA_DIGITS, 0x200C: None, 0x200D: None}
_TOKEN = re.compile(rf"[^\W_][{WORD_CHARS}'’-]*")


def _tokens(text: str) -> set[str]:
    out = set()
    for token in _TOKEN.findall(text.translate(_BANGLA_DIGITS).lower()):
        token = token.strip("'’-")
        if token in STOPWORDS or (len(token) < 3 and not token.isdigit()):
            continue
        out.add(token[:MATCH_PREFIX] if not token.isdigit() else token)
    return out


_BANGLA_CHAR = re.compile("[\u0980-\u09ff]")
_LATIN_CHAR = re.compile("[A-Za-z]")
# The script of a body is told from its start: a long body costs no more than a short.
SCRIPT_SAMPLE_CHARS = 5000


def _script(text: str) -> str:
    sample = text[:SCRIPT_SAMPLE_CHARS]
    return "bangla" if len(_BANGLA_CHAR.findall(sample)) > len(_LATIN_CHAR.findall(sample)) else "latin"


def headline_mismatch(title: str | None, paras: list[str]) -> bool:
    """True if a headline shares no word with its body (a scraper paired the wrong two).

    Not checked when the headline has fewer than ``HEADLINE_MIN_WORDS`` words, the body
    fewer than ``HEADLINE_BODY_MIN_WORDS`` words, or fewer than half its paragraphs
    prose (a table of figures: "Shr 20 cts vs 15 cts" under "COLECO INDUSTRIES 4TH QTR"), or the two are in
    different scripts (an English headline over a Bangla body is a bilingual site).
    """
    if not title or not paras or sum(1 for p in paras if _is_prose(p)) * 2 < len(paras):
        return False
    body = " ".join(paras)
    if len(title.split()) < HEADLINE_MIN_WORDS or len(script_words(body)) < HEADLINE_BODY_MIN_WORDS:
        return False
    if _script(title) != _script(body):
        return False
    head = _tokens(title)
    return bool(head) and not (head & _tokens(body[:HEADLINE_BODY_CHARS]))


__all__ = [
    "documentation_name",
    "metadata_name",
    "judge",
    "block_page",
    "spam",
    "listing",
    "headline_mismatch",
]
