"""The one place dates are read and written.

* ``parse_date``: a date as articles, feeds, exports and scrapes write it -> an aware
  ``datetime``, or None when no date is given (a blank or a placeholder such as
  "Unknown", "N/A", "0"); ``DateError`` when one is given but cannot be read. Read, in
  order: a ``datetime``; epoch seconds or milliseconds; ISO 8601 with or without a zone;
  RFC 822 (feeds); the news forms of ``FORMATS`` ("21 January 2020 02:49 AM",
  "2024/08/12", "Published: 18 Aug 2025, 12: 47", "26-FEB-1987 15:01:01.79"), with
  Bangla digits, month names and times of day put in English; a month and day without a
  year, and relative dates ("7 hours ago", "৭ ঘণ্টা আগে", "গতকাল"), against the crawl
  time; then dateparser in English and Bangla (``app.text.date_forms`` holds the rules);
* ``parse_bound``: a user's filter bound (``YYYY-MM-DD``, an ISO timestamp, a Unix
  time) -> ``date`` or aware ``datetime``;
* ``to_iso`` / ``from_iso``: how dates are stored (ISO 8601 strings);
* ``short_date`` / ``day`` / ``long_date``: how dates are shown.

A naive time is taken to be in ``tz`` (UTC unless the reader knows better: bdnews24
and Prothom Alo print Dhaka time, ``DHAKA``). Does not guess the order of
``01/02/2024`` beyond what dateparser does, does not read Bengali-calendar dates
("৫ ফাল্গুন ১৪৩২"), and never uses the clock of the machine it runs on: relative dates
in questions are ``app.text.when``'s.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone, tzinfo

from app.text.date_forms import (
    BANGLA_MONTHS,
    DHAKA,
    EARLIEST_YEAR,
    FORMATS,
    LATEST_YEAR,
    NUMBER,
    PLACEHOLDERS,
    STAND_IN,
    DateError,
    epoch,
    parse_text,
)
from app.text.words import BANGLA_DIGITS, nfc

__all__ = [
    "DHAKA",
    "FORMATS",
    "PLACEHOLDERS",
    "DateError",
    "dateline",
    "day",
    "from_iso",
    "is_placeholder",
    "long_date",
    "long_date_bn",
    "parse_bound",
    "parse_date",
    "short_date",
    "to_iso",
]


def is_placeholder(value: object) -> bool:
    """True for "no date" values: None, blank, or a placeholder such as "N/A", "Unknown", 0."""
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value == 0
    if isinstance(value, str):
        return value.strip().lower() in PLACEHOLDERS or not value.strip()
    return False


def parse_date(
    value: object, *, crawled: datetime | None = None, tz: tzinfo | None = timezone.utc
) -> datetime | None:
    """Read a date the way news archives write it.

    Args:
        value: the raw value (a string, an epoch number, a datetime, or None).
        crawled: when the record was fetched: the base for relative dates, and the year
            of a date written without one.
        tz: the zone of a date written without one; None leaves such a date naive
            (for a crawl time whose zone the caller decides later).

    Returns:
        An aware datetime, or None when no date is given (None, blank or a placeholder;
        see ``is_placeholder``).

    Raises:
        DateError: the value is there but cannot be read, or is relative with no crawl
            time; the message quotes the value.

    Example:
        >>> parse_date("Published : 30 April 2023, 02:07 AM", tz=DHAKA).isoformat()
        '2023-04-30T02:07:00+06:00'
    """
    if is_placeholder(value):
        return None
    if tz is None:  # read in a stand-in zone, then made naive again
        when = parse_date(value, crawled=crawled, tz=STAND_IN)
        return when.replace(tzinfo=None) if when is not None and when.tzinfo is STAND_IN else when
    if crawled is not None and crawled.tzinfo is None:
        crawled = crawled.replace(tzinfo=tz)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise DateError(f"unreadable date {value!r}: not a string or a number")
    if isinstance(value, (int, float)):
        return epoch(value, str(value))
    raw = value
    text = nfc(value).translate(BANGLA_DIGITS).strip()
    if NUMBER.match(text):
        return epoch(float(text) if "." in text else int(text), raw)
    when = None
    for line in text.splitlines():  # "12 May, 2025\nUpdate: 13 May, 2025": the first that reads
        if line.strip():
            when = parse_text(line, raw, crawled, tz)
            if when is not None:
                break
    if when is None:
        raise DateError(f"unreadable date {raw!r}")
    if not EARLIEST_YEAR <= when.year <= _latest_year(crawled):
        raise DateError(f"implausible date {raw!r} (read as {when.date().isoformat()})")
    return when


def _latest_year(crawled: datetime | None) -> int:
    return crawled.year + 1 if crawled is not None else LATEST_YEAR


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# A wire dateline opening a story: "WASHINGTON, March 3, 2023 (Reuters) -".
_DATELINE = re.compile(
    rf"^[A-Z][A-Za-z .,'/-]{{1,40}}?,?\s+(?:\([^)]{{2,30}}\)\s*)?"
    rf"(?P<value>{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}})"
)


def dateline(paragraph: str) -> str | None:
    """The date of a wire dateline opening a paragraph ("LONDON, May 3, 2023 (Reuters) -"
    gives "May 3, 2023"), or None; ``parse_date`` reads it."""
    m = _DATELINE.match(paragraph)
    return m.group("value") if m else None


def parse_bound(value, name: str) -> datetime | date | None:
    """A filter's bound from user input: ``YYYY-MM-DD`` (a calendar date), an ISO
    timestamp (an instant; UTC if it names no zone), a Unix time (as Gradio's DateTime
    gives), a ``date`` or ``datetime``; empty is None. Raises ValueError naming ``name``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a date; use YYYY-MM-DD") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def to_iso(value: datetime | None) -> str | None:
    """A datetime as stored (ISO 8601), None as None."""
    return value.isoformat() if value is not None else None


def from_iso(value: str | None) -> datetime | None:
    """A stored ISO 8601 string back to a datetime; empty or None is None."""
    return datetime.fromisoformat(value) if value else None


def short_date(when: datetime | None) -> str:
    """ "30 Apr 2023", or "undated"."""
    return when.strftime("%d %b %Y") if when else "undated"


def day(when: datetime | None) -> str:
    """ "2023-04-30" (the article's own calendar day), or "undated"."""
    return when.date().isoformat() if when else "undated"


def long_date(when: datetime) -> str:
    """ "30 April 2023, 02:07 (UTC+06:00)": the date and time with its zone."""
    return f"{when.day} {when:%B %Y}, {when:%H:%M} ({_zone(when)})"


def long_date_bn(when: datetime) -> tuple[str, str]:
    """``long_date`` in Bangla, as (day, time): ("৩০ এপ্রিল ২০২৩", "০২:০৭, UTC+06:00")."""
    day = f"{when.day} {_BANGLA_MONTH_NAMES[when.month - 1]} {when.year}".translate(_TO_BANGLA_DIGITS)
    return day, f"{when:%H:%M}".translate(_TO_BANGLA_DIGITS) + f", {_zone(when)}"


def _zone(when: datetime) -> str:
    offset = when.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


_TO_BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def _first_spellings() -> list[str]:
    """Each month's first spelling in date_forms' table (the usual one), January first."""
    names: dict[str, str] = {}
    for name, english in BANGLA_MONTHS.items():
        names.setdefault(english, name)
    return list(names.values())


_BANGLA_MONTH_NAMES = _first_spellings()
