"""Time in questions: "in April 2023", "on 30 April", "last week", "yesterday", "this
year", "since May", "before 2022" become a date range; "latest", "now", "still" ask for
the newest articles. Bangla questions too: "৩০ এপ্রিল ২০২৩", "গত সপ্তাহে", "গতকাল", "২০২৪
সালে", "গত শুক্রবার", with থেকে (since), পরে (after), আগে (before), পর্যন্ত (until) after
the date, and সর্বশেষ, সাম্প্রতিক, এখন, বর্তমানে for the newest.

Dates are found and read by ``dateparser`` (deterministic; English, or Bangla for a
question in Bangla script), relative to an "as of" date: by default the newest article
date in the index, so "last week" means the week before the newest story, not before
today. The range is the whole period the phrase names (``dateparser`` reports day, week,
month or year); "since"/"after" and "before"/"until" open it on one side. dateparser's
Bangla reads digits, গতকাল, আজ, "৩ দিন আগে" and bare গত সপ্তাহ/মাস/বছর, but not the
inflected forms questions use (locative "গত সপ্তাহে", "২০২৪ সালে", "২০২৪ সালের আগস্টে",
"চলতি মাসে", "গত শুক্রবার", number words "দুই দিন আগে"): ``bangla_time_words`` rewrites
those first, and the phrase returned is the one the question wrote.

Does not understand events as times ("before the election", "after the war"), and a date
that names a topic rather than a time ("the 2003 invasion", "the 2022 World Cup": no
preposition governs it; "২০২৪ সালের নির্বাচন": a genitive year before a noun) is not a
range. Bengali-calendar dates ("৫ ফাল্গুন") are not read.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from app.text.bangla import is_bangla
from app.text.date_forms import BANGLA_MONTHS, BANGLA_WEEKDAYS
from app.text.words import BANGLA_DIGITS, bangla_words, nfc, tokens

RECENT_WORDS = frozenset("latest now still currently current recent recently newest lately".split())
MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
# A date phrase must contain one of these; dateparser alone also reads "may", "second"
# or "march" (the verb) as dates.
_DATEISH = re.compile(
    r"\d|\b((?i:yesterday|today|tonight|week|month|year|ago|decade|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)|" + "|".join(m.capitalize() for m in MONTHS) + r")\b"
)
_LEADING = re.compile(r"^(in|on|during|from|of|at|for|since|after|before|until|till|by)\s+", re.I)


@dataclass(frozen=True)
class TimeScope:
    """What a question says about time."""

    since: date | None = None
    until: date | None = None
    phrase: str | None = None  # the words that named the period
    recent: bool = False  # "latest", "now", "still": prefer the newest articles


def time_scope(question: str, as_of: datetime | date) -> TimeScope:
    """Read the period a question names, relative to ``as_of``.

    Example:
        >>> scope = time_scope("what did he say in April 2023?", date(2023, 5, 9))
        >>> scope.since, scope.until, scope.phrase
        (datetime.date(2023, 4, 1), datetime.date(2023, 4, 30), 'in April 2023')
    """
    recent = bool(RECENT_WORDS & set(tokens(question)) or BANGLA_RECENT_WORDS & set(bangla_words(question)))
    base = as_of if isinstance(as_of, datetime) else datetime.combine(as_of, datetime.min.time())
    search = _search_bangla if is_bangla(question) else _search
    found = search(question, base.replace(tzinfo=None))
    if not found:
        return TimeScope(recent=recent)
    phrase, when, period, word = found
    start, end = _period(when.date(), period)
    if word in ("since", "after"):
        start, end = (start if word == "since" else end + timedelta(days=1)), None
    elif word in ("before", "until", "till", "by"):
        start, end = None, (start - timedelta(days=1) if word == "before" else end)
    return TimeScope(start, end, phrase, recent)


def _search(question: str, base: datetime) -> tuple[str, datetime, str, str] | None:
    """(phrase, date, period, the preposition that governs it) of the first date phrase."""
    from dateparser.search import search_dates

    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    for phrase, when in search_dates(question, languages=["en"], settings=settings) or ():
        if not _DATEISH.search(phrase):
            continue
        lead = _LEADING.match(phrase)
        before = question[: question.find(phrase)].split()
        word = (lead.group(1) if lead else before[-1] if before else "").lower()
        relative = re.search(r"yesterday|today|tonight|week|month|year|ago|day\b", phrase, re.I)
        if not relative and not _LEADING.match(f"{word} "):
            # A date governed by no preposition is a topic, not a time: "the March on
            # Washington", "the 2003 invasion", "the 2022 World Cup".
            continue
        data = _parser(base).get_date_data(_LEADING.sub("", phrase))
        return phrase, when, data.period or "day", word
    return None


@lru_cache(maxsize=8)
def _parser(base: datetime, language: str = "en"):
    from dateparser.date import DateDataParser

    return DateDataParser(languages=[language], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"})


# ------------------------------------------------------------------------------- Bangla

BANGLA_RECENT_WORDS = frozenset(
    nfc(w) for w in "সর্বশেষ সাম্প্রতিক সম্প্রতি এখন বর্তমানে এখনো এখনও হালনাগাদ সদ্য".split()
)
_BN_MONTH = "(?:" + "|".join(sorted(BANGLA_MONTHS, key=len, reverse=True)) + ")"
_BN_WEEKDAY = "(?:" + "|".join(BANGLA_WEEKDAYS) + ")"
_BN_NUMBERS = {nfc(w): str(i) for i, w in enumerate("শূন্য এক দুই তিন চার পাঁচ ছয় সাত আট নয় দশ".split())}
_BN_NUMBERS[nfc("দুটি")] = "2"
_BN_END = r"(?=\s|$|[?,।!])"
# Rewrites into forms dateparser reads, in order, on NFC text with ASCII digits.
_BN_REWRITES = [
    (  # number words before a time noun: দুই দিন আগে
        re.compile(rf"(?<!\S)({'|'.join(_BN_NUMBERS)})(?=\s+(?:সপ্তাহ|মাস|বছর|দিন|ঘণ্টা|ঘন্টা))"),
        lambda m: _BN_NUMBERS[m.group(1)],
    ),
    (re.compile(rf"(\d{{4}})\s*সালের\s+({_BN_MONTH})(?:ে|ের|এ|তে|য়|র)?"), r"\2 \1"),  # ২০২৪ সালের আগস্টে
    (re.compile(rf"({_BN_MONTH})(?:তে|ে|ের|এ|য়|র){_BN_END}"), r"\1"),  # আগস্টে, ফেব্রুয়ারিতে
    (re.compile(rf"(\d{{4}})\s*(?:সালে|সাল){_BN_END}"), r"\1"),  # ২০২৪ সালে ("সালের" stays: a topic)
    (re.compile(rf"(সপ্তাহ|মাস|বছর)(?:ে|ের|েও|টিতে|টায়){_BN_END}"), r"\1"),  # গত সপ্তাহে
    (re.compile(r"চলতি\s+"), "এই "),
    (re.compile(rf"(?:গত|বিগত|আগের)\s+({_BN_WEEKDAY})ে?"), r"\1"),  # গত শুক্রবার
    (re.compile(rf"({_BN_WEEKDAY})ে{_BN_END}"), r"\1"),
    (re.compile(r"বিগত\s+"), "গত "),
]
# What a Bangla date phrase must contain (dateparser also reads stray words as dates).
_BN_DATEISH = re.compile(rf"\d|গত|আজ|কাল|সপ্তাহ|মাস|বছর|আগে|বার|{_BN_MONTH}")
# After the date: its direction, as the English preposition that means the same.
_BN_DIRECTION = {"পর থেকে": "since", "থেকে": "since", "পরে": "after", "পর": "after", "আগে": "before",
                 "পূর্বে": "before", "পর্যন্ত": "until"}  # fmt: skip
_BN_POSTPOSITION = re.compile(rf"^\s*(?:(?:সালের|এর)\s+)?({'|'.join(_BN_DIRECTION)}){_BN_END}")
# Words of the date phrase as written that dateparser's phrase leaves out.
_BN_TAIL = re.compile(
    rf"^\s*(?:(?:সালে|সালের|তারিখে|তারিখের|তারিখ|মাসে|মাসের|এর){_BN_END})?\s*(?:(?:{'|'.join(_BN_DIRECTION)}){_BN_END})?"
)
_BN_HEAD = re.compile(r"(?:গত|বিগত|আগের|চলতি|এই)\s+$")


def bangla_time_words(text: str) -> str:
    """Rewrite inflected Bangla time phrases into forms dateparser reads.

    Example:
        >>> bangla_time_words("গত সপ্তাহে ২০২৪ সালের আগস্টে দুই দিন আগে কী হয়েছিল?")
        'গত সপ্তাহ আগস্ট 2024 2 দিন আগে কী হয়েছিল?'
    """
    text = nfc(text).translate(BANGLA_DIGITS)
    for pattern, replacement in _BN_REWRITES:
        text = pattern.sub(replacement, text)
    return text


def _search_bangla(question: str, base: datetime) -> tuple[str, datetime, str, str] | None:
    """``_search`` for a Bangla question: (the phrase as written, date, period, the
    direction as an English preposition) of the first date phrase."""
    from dateparser.search import search_dates

    question = nfc(question)
    text = bangla_time_words(question)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    for phrase, when in search_dates(text, languages=["bn"], settings=settings) or ():
        if not _BN_DATEISH.search(phrase):
            continue
        rest = text[text.find(phrase) + len(phrase) :]
        genitive_year = re.match(rf"^\s*সালের\s+(?!{_BN_MONTH}|পর|আগে|পূর্বে|থেকে|পর্যন্ত)", rest)
        year_before_noun = re.fullmatch(r"\d{4}", phrase.strip()) and re.match(
            r"^\s*(?!সালের)\S+(?:ের|এর)\s", rest
        )
        if genitive_year or year_before_noun:
            continue  # "২০২৪ সালের নির্বাচন": a topic, not a time
        m = _BN_POSTPOSITION.match(rest)
        word = _BN_DIRECTION[m.group(1)] if m else ""
        if word == "before" and re.search(r"আগে\s*$", phrase):
            word = ""  # "৩ দিন আগে": the আগে is the date's own
        period = _parser(base, "bn").get_date_data(phrase).period or "day"
        return _as_written(question, phrase), when, period, word
    return None


def _as_written(question: str, phrase: str) -> str:
    """The fewest words of ``question`` whose rewrite holds dateparser's ``phrase``, with
    গত / চলতি before them and সালে / তারিখে / মাসে and the direction after them (so the
    whole phrase leaves the words searched for); ``phrase`` itself if none do."""
    words = list(re.finditer(r"\S+", question))
    for size in range(1, len(words) + 1):
        for i in range(len(words) - size + 1):
            start, end = words[i].start(), words[i + size - 1].end()
            if phrase.strip() in bangla_time_words(question[start:end]):
                end = start + len(question[start:end].rstrip("?,।!"))
                end += _BN_TAIL.match(question[end:]).end()
                head = _BN_HEAD.search(question[:start])
                return question[head.start() if head else start : end].strip()
    return phrase


def _period(day: date, period: str) -> tuple[date, date]:
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    if period == "month":
        return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    return day, day
