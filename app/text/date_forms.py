"""How date strings are read: the placeholders, the strptime formats, Bangla digits,
month names and times of day put in English, wire routing codes cut, relative dates
("7 hours ago", "৭ ঘণ্টা আগে") and dates without a year counted from the crawl time,
and dateparser as the last resort. ``app.text.dates.parse_date`` runs them in order;
this module holds the rules and tables it uses, each constant explained.
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timedelta, timezone, tzinfo

from app.text.words import nfc

DHAKA = timezone(timedelta(hours=6), "Asia/Dhaka")

# Values scrapers write when they have no date. Compared lower-cased, after stripping.
PLACEHOLDERS = frozenset(
    ["unknown", "n/a", "na", "none", "null", "nil", "undefined", "nan", "0", "-", "--", "—", "tbd"]
    + ["tba", "no date", "date unknown", "not available", "অজানা", "0000-00-00", "0000-00-00 00:00:00"]
)
# A date before this year, or more than a year past the crawl (or 2100), is no real
# news date: it comes from a placeholder, a bad epoch or a misread value.
EARLIEST_YEAR = 1800
LATEST_YEAR = 2100
# Epoch values: 9 to 11 digits are seconds (1973 to 5138), 12 to 14 milliseconds.
EPOCH_SECONDS_DIGITS = range(9, 12)
EPOCH_MILLIS_DIGITS = range(12, 15)

# Formats tried with strptime, after normalising (English month names, no label,
# "12: 47" closed up). strptime matches month names in any case ("FEB").
FORMATS = (
    "%d %B %Y, %I:%M %p",  # bdnews24: 30 April 2023, 02:07 AM
    "%d %b %Y, %I:%M %p",
    "%d %B %Y %I:%M %p",  # 21 January 2020 02:49 AM
    "%d %b %Y %I:%M %p",
    "%d %b %Y, %H:%M",  # Prothom Alo English: 18 Aug 2025, 12:47
    "%d %B %Y, %H:%M",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
    "%d %B, %Y, %H:%M",  # 12 May, 2025, 10:30
    "%d %b, %Y, %H:%M",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y, %I:%M %p",
    "%B %d, %Y",
    "%b %d, %Y",
    "%Y/%m/%d",  # Jugantor, RealTimeQA
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d/%H:%M",  # RealTimeQA search_time
    "%Y.%m.%d",
    "%d-%b-%Y %H:%M:%S.%f",  # Reuters-21578: 26-FEB-1987 15:01:01.79
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y",
    "%Y%m%d",
)


# The zone given to naive dates while reading with ``tz=None``; taken off again after.
STAND_IN = timezone(timedelta(0), "naive")


class DateError(ValueError):
    """A date value was given but cannot be read; the message says which and why."""


# Gregorian month names as the Bangladeshi press spells them (with common variants).
BANGLA_MONTHS = {
    nfc(name): english
    for english, names in {
        "January": "জানুয়ারি জানুয়ারী",
        "February": "ফেব্রুয়ারি ফেব্রুয়ারী",
        "March": "মার্চ",
        "April": "এপ্রিল",
        "May": "মে",
        "June": "জুন",
        "July": "জুলাই",
        "August": "আগস্ট আগষ্ট অগাস্ট",
        "September": "সেপ্টেম্বর",
        "October": "অক্টোবর",
        "November": "নভেম্বর",
        "December": "ডিসেম্বর",
    }.items()
    for name in names.split()
}
BANGLA_WEEKDAYS = [nfc(w) for w in "শনিবার রবিবার রোববার সোমবার মঙ্গলবার বুধবার বৃহস্পতিবার শুক্রবার".split()]
# Times of day before a clock time: whether it is AM or PM (রাত before 6 is after midnight).
_BANGLA_DAYPARTS = {
    nfc(k): v
    for k, v in {
        "ভোর": "AM",
        "সকাল": "AM",
        "দুপুর": "noon",
        "বিকাল": "PM",
        "বিকেল": "PM",
        "সন্ধ্যা": "PM",
        "রাত": "night",
    }.items()
}
_BANGLA_WORD = re.compile(r"[\u0980-\u09FF\u200c\u200d]+")

_LABEL = re.compile(
    r"^\s*(?:(?:first\s+)?published|last\s+updated|updated?|posted|modified|date[ds]?|on|"
    r"প্রকাশিত|প্রকাশ|আপডেট|হালনাগাদ|সর্বশেষ)\b\s*(?:on\b)?\s*[:：\-–]?\s*",
    re.I,
)
_CLOCK_GAP = re.compile(r"(\d{1,2})\s*:\s*(\d{2})")
_SPACES = re.compile(r"\s+")
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
# Letters after a wire timestamp ("27-MAR-1987 00:02:59.13RM", "...09.22C G T M") are
# routing codes, and "# ..." an editor's comment: dropped.
_TRAILING_CODE = re.compile(
    r"^(\d{1,2}-[A-Za-z]{3}-\d{4} \d{1,2}:\d{2}:\d{2}(?:\.\d{1,6})?)(?:\s*[A-Z](?:\s?[A-Z]){0,7}|\s+#.*)$"
)

_UNITS = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
_BANGLA_UNITS = {
    nfc(k): v
    for k, v in {
        "সেকেন্ড": "second",
        "মিনিট": "minute",
        "ঘণ্টা": "hour",
        "ঘন্টা": "hour",
        "দিন": "day",
        "সপ্তাহ": "week",
        "মাস": "month",
        "বছর": "year",
    }.items()
}
_RELATIVE_EN = re.compile(
    r"^(?:about\s+)?(\d+|an?|one)\s+(second|minute|hour|day|week|month|year)s?\s+ago$", re.I
)
_RELATIVE_BN = re.compile(r"^(\d+)\s*(" + "|".join(map(re.escape, _BANGLA_UNITS)) + r")\s*(?:আগে|পূর্বে)$")
_RELATIVE_WORDS = {
    "just now": timedelta(0),
    "today": timedelta(0),
    "yesterday": timedelta(days=1),
    nfc("এইমাত্র"): timedelta(0),
    nfc("আজ"): timedelta(0),
    nfc("গতকাল"): timedelta(days=1),
}
_NO_YEAR = re.compile(
    r"^(?:(?P<t1>\d{1,2}:\d{2})\s*,?\s*)?(?P<month>[A-Za-z]+)\s+(?P<day>\d{1,2})(?:\s*,?\s*(?P<t2>\d{1,2}:\d{2}))?$"
    r"|^(?:(?P<t3>\d{1,2}:\d{2})\s*,?\s*)?(?P<day2>\d{1,2})\s+(?P<month2>[A-Za-z]+)(?:\s*,?\s*(?P<t4>\d{1,2}:\d{2}))?$"
)
_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        "January February March April May June July August September October November December".split(), 1
    )
}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9


def epoch(number: int | float, raw: object) -> datetime | None:
    if number == 0:
        return None
    digits = len(str(int(abs(number))))
    if digits == 8 and isinstance(number, int):  # 20240812 is a day, not 1970-08-23
        try:
            return datetime.strptime(str(number), "%Y%m%d").replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    if digits in EPOCH_MILLIS_DIGITS:
        number = number / 1000
    elif digits not in EPOCH_SECONDS_DIGITS:
        raise DateError(f"unreadable date {raw!r}: a number, but not epoch seconds or milliseconds")
    return datetime.fromtimestamp(number, tz=timezone.utc)


def parse_text(text: str, raw: str, crawled: datetime | None, tz: tzinfo) -> datetime | None:
    text = _normalise(text)
    if not text or text.lower() in PLACEHOLDERS:
        return None
    try:
        when = datetime.fromisoformat(text)
        return when if when.tzinfo else when.replace(tzinfo=tz)
    except ValueError:
        pass
    if _RFC822.match(text):
        try:
            when = email.utils.parsedate_to_datetime(text)
            return when if when.tzinfo else when.replace(tzinfo=tz)
        except (TypeError, ValueError):
            pass
    for fmt in FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    if (relative := _relative(text)) is not None:
        if crawled is None:
            raise DateError(f"relative date {raw!r} and no crawl time to count from")
        return crawled - relative
    if m := _NO_YEAR.match(text):
        return _without_year(m, raw, crawled, tz)
    return _dateparser(text, raw, crawled, tz)


def _normalise(text: str) -> str:
    """Label cut, Bangla words in English, clock closed up, spaces folded."""
    text = _LABEL.sub("", text, count=1)
    if _BANGLA_WORD.search(text):
        text = _bangla_to_english(text)
    text = _CLOCK_GAP.sub(r"\1:\2", text)
    text = re.sub(r"\s+,", ",", text)
    text = re.sub(r"\bSept\b", "Sep", text, flags=re.I)
    text = _TRAILING_CODE.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip(" ,|")


def _bangla_to_english(text: str) -> str:
    for weekday in BANGLA_WEEKDAYS:
        text = text.replace(weekday, " ")
    part = None
    for word, meaning in _BANGLA_DAYPARTS.items():
        if word in text:
            part, text = meaning, text.replace(word, " ")
    for name, english in sorted(BANGLA_MONTHS.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"{re.escape(name)}(?![\u0980-\u09FF])", english, text)
    text = text.replace(nfc("টা"), ":00") if re.search(r"\d" + nfc("টা"), text) else text
    text = re.sub(nfc("(সাল|খ্রিস্টাব্দ|ইং)"), " ", text)
    if part:
        text = _apply_daypart(text, part)
    return text


def _apply_daypart(text: str, part: str) -> str:
    """Turn "রাত 10:30" (night 10:30) into a 24-hour clock."""

    def fix(m: re.Match[str]) -> str:
        hour, minute = int(m.group(1)), m.group(2)
        if part == "PM" and hour < 12:
            hour += 12
        elif part == "noon" and hour < 6:  # দুপুর ১টা: 1 PM; দুপুর ১২টা: noon
            hour += 12
        elif part == "night" and 6 <= hour < 12:
            hour += 12
        elif part == "night" and hour == 12:
            hour = 0
        return f"{hour:02d}:{minute}"

    return _CLOCK_GAP.sub(fix, text, count=1)


def _relative(text: str) -> timedelta | None:
    lowered = text.lower()
    if lowered in _RELATIVE_WORDS:
        return _RELATIVE_WORDS[lowered]
    if m := _RELATIVE_EN.match(lowered):
        count = 1 if m.group(1) in ("a", "an", "one") else int(m.group(1))
        return count * _UNITS[m.group(2)]
    if m := _RELATIVE_BN.match(text):
        return int(m.group(1)) * _UNITS[_BANGLA_UNITS[m.group(2)]]
    return None


def _without_year(m: re.Match[str], raw: str, crawled: datetime | None, tz: tzinfo) -> datetime | None:
    month_name = (m.group("month") or m.group("month2") or "").lower()
    month = _MONTHS.get(month_name)
    if month is None:
        return None
    if crawled is None:
        raise DateError(f"date {raw!r} has no year and there is no crawl time to take it from")
    day = int(m.group("day") or m.group("day2"))
    clock = m.group("t1") or m.group("t2") or m.group("t3") or m.group("t4") or "00:00"
    hour, minute = (int(x) for x in clock.split(":"))
    local = crawled.astimezone(tz)
    try:
        when = datetime(local.year, month, day, hour, minute, tzinfo=tz)
        if when > crawled + timedelta(days=1):  # "December 31" crawled on 2 January
            when = when.replace(year=local.year - 1)
    except ValueError:
        raise DateError(f"unreadable date {raw!r}") from None
    return when


# dateparser's base for relative phrases when there is no crawl time: a date no real
# article has, so a relative reading is caught instead of being dated "now".
_NO_BASE = datetime(1801, 1, 1)


def _dateparser(text: str, raw: str, crawled: datetime | None, tz: tzinfo) -> datetime | None:
    if not re.search(r"\d", text):
        return None  # a date needs a number; this keeps dateparser off plain words
    import dateparser  # slow to import; only the odd value gets here

    base = crawled.astimezone(tz).replace(tzinfo=None) if crawled else _NO_BASE
    settings = {
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    try:
        when = dateparser.parse(text, languages=["en", "bn"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    if when is None:
        return None
    if crawled is None and when.year <= _NO_BASE.year:
        raise DateError(f"relative date {raw!r} and no crawl time to count from")
    return when.replace(tzinfo=tz)
