"""Restricting a search to a date range and to some outlets.

One code path for the Python API, the CLI and the page's filters: dates are parsed
here and ``allows`` says whether an article's metadata passes. A bare date
(``YYYY-MM-DD``) is compared with the article's date *as published*, in its own time
zone, so "until 29 April" excludes a Dhaka story of 30 April 02:07 (+06:00) even though
that is still 29 April in UTC; both ends are inclusive. A full ISO 8601 timestamp is
compared as an instant. An article without a date is excluded by a date filter (it
cannot be shown to be in range).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

# How many passages to fetch before filtering, as a multiple of those wanted: filters
# are applied to the ranked candidates, so a narrow filter needs a deeper list.
OVERFETCH = 12


@dataclass(frozen=True)
class Filters:
    since: datetime | date | None = None
    until: datetime | date | None = None
    outlets: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return self.since is not None or self.until is not None or bool(self.outlets)

    def allows(self, article: dict[str, Any]) -> bool:
        if self.outlets and (article.get("source") or "").casefold() not in self.outlets:
            return False
        if self.since is None and self.until is None:
            return True
        published = article.get("published")
        if not published:
            return False
        when = datetime.fromisoformat(published) if isinstance(published, str) else published
        if self.since is not None and _before(when, self.since):
            return False
        return self.until is None or not _before(self.until, when)


def _before(a: datetime | date, b: datetime | date) -> bool:
    """a < b, comparing a date with a datetime by the datetime's own calendar date."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a < b
    return (a.date() if isinstance(a, datetime) else a) < (b.date() if isinstance(b, datetime) else b)


def make_filters(since=None, until=None, outlets=None) -> Filters:
    """Build Filters from user input; raises ValueError naming the bad value."""
    return Filters(
        since=_date(since, "since"),
        until=_date(until, "until"),
        outlets=frozenset(o.casefold() for o in outlets or () if o),
    )


def _date(value, name: str) -> datetime | date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)):  # a timestamp, as Gradio's DateTime gives
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
