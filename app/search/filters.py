"""Restricting a search to a date range, some outlets and some languages.

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
from datetime import date, datetime

from app.text.dates import parse_bound
from app.text.language import declared_language
from app.types import Article

# How many passages to fetch before filtering, as a multiple of those wanted: filters
# are applied to the ranked candidates, so a narrow filter needs a deeper list.
OVERFETCH = 12


@dataclass(frozen=True)
class Filters:
    since: datetime | date | None = None
    until: datetime | date | None = None
    outlets: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()  # ISO 639-1 codes; empty: every language

    @property
    def active(self) -> bool:
        return self.since is not None or self.until is not None or bool(self.outlets) or bool(self.languages)

    def allows(self, article: Article) -> bool:
        if self.outlets and (article.source or "").casefold() not in self.outlets:
            return False
        if self.languages and article.language not in self.languages:
            return False
        if self.since is None and self.until is None:
            return True
        when = article.published
        if when is None:
            return False
        if self.since is not None and _before(when, self.since):
            return False
        return self.until is None or not _before(self.until, when)


def _before(a: datetime | date, b: datetime | date) -> bool:
    """a < b, comparing a date with a datetime by the datetime's own calendar date."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a < b
    return (a.date() if isinstance(a, datetime) else a) < (b.date() if isinstance(b, datetime) else b)


def make_filters(since=None, until=None, outlets=None, languages=None) -> Filters:
    """Build Filters from user input (``app.text.dates.parse_bound`` reads the dates;
    languages are codes or names: "bn", "Bangla", "english"); raises ValueError naming
    the bad value."""
    return Filters(
        since=parse_bound(since, "since"),
        until=parse_bound(until, "until"),
        outlets=frozenset(o.casefold() for o in outlets or () if o),
        languages=frozenset(_language(x) for x in languages or () if x),
    )


def _language(value: str) -> str:
    code = declared_language(value)
    if code is None:
        raise ValueError(f"language: {value!r} is not a language; use a code such as bn or en")
    return code
