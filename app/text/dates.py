"""The one place dates are read and written.

* ``parse_date``: a date as articles and archives write it (ISO 8601 or a few common
  news forms) -> an aware ``datetime``;
* ``parse_full_date``: a free-form date that must name day, month and year (a date line
  or a wire dateline at the top of an article), read by dateparser;
* ``parse_bound``: a user's filter bound (``YYYY-MM-DD``, an ISO timestamp, a Unix
  time) -> ``date`` or aware ``datetime``;
* ``to_iso`` / ``from_iso``: how dates are stored (ISO 8601 strings);
* ``short_date`` / ``day`` / ``long_date``: how dates are shown.

A date without a time zone is taken as UTC unless the caller names the zone. Does not
guess day/month order beyond what the listed formats say, and does not read relative
dates ("yesterday"); ``app.text.when`` reads those in questions.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

# Formats tried, in order, after ISO 8601. "%d %B %Y, %I:%M %p" is the stamp of a saved
# bdnews24.com page ("30 April 2023, 02:07 AM").
DATE_FORMATS = (
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y, %I:%M %p",
)


def parse_date(value: str, *, tz: timezone = timezone.utc) -> datetime:
    """ISO 8601 or one of ``DATE_FORMATS`` -> aware datetime (``tz`` if none given).

    Raises ``ValueError`` with the value when it matches none of them.

    Example:
        >>> parse_date("2023-04-30T02:07:00+06:00").hour
        2
    """
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for fmt in DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"unrecognised date {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def parse_full_date(value: str) -> datetime | None:
    """A date naming day, month and a four-digit year, read by dateparser (English), or
    None. One without a zone is taken as UTC."""
    import dateparser

    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"}
    when = dateparser.parse(value, languages=["en"], settings=settings)
    if when is None or not re.search(r"\d{4}", value):
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


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
    offset = when.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    return f"{when.day} {when:%B %Y}, {when:%H:%M} ({zone})"
