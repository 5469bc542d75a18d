"""Time in questions: "in April 2023", "on 30 April", "last week", "yesterday", "this
year", "since May", "before 2022" become a date range; "latest", "now", "still" ask for
the newest articles.

Dates are found and read by ``dateparser`` (deterministic, English only), relative to
an "as of" date: by default the newest article date in the index, so "last week" means
the week before the newest story, not before today. The range is the whole period the
phrase names (``dateparser`` reports day, week, month or year); "since"/"after" and
"before"/"until" open it on one side. Does not understand events as times ("before the
election", "after the war"), and a date that names a topic rather than a time ("the 2003
invasion", "the 2022 World Cup": no preposition governs it) is not a range.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from app.text.words import tokens

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
    recent = bool(RECENT_WORDS & set(tokens(question)))
    base = as_of if isinstance(as_of, datetime) else datetime.combine(as_of, datetime.min.time())
    found = _search(question, base.replace(tzinfo=None))
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
def _parser(base: datetime):
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"})


def _period(day: date, period: str) -> tuple[date, date]:
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    if period == "month":
        return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    return day, day
