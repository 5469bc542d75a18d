"""Where an answer's articles sit in time, and how much the archive covered a question.

* ``timeline(answer)``: one point per article the answer cites or offers as related
  (and per other outlet that carried the same story): headline, outlet, date as
  published, and the anchor of the sources panel entry that shows it (``source-n``
  for a cited article, ``related-n`` for a related one).
* ``coverage(question)``: how many matching articles were published each day (or each
  week, over a longer span) across the whole archive.

An article *matches* a question when one of its passages is among the
``COVERAGE_PASSAGES`` the hybrid search ranks first and that passage or its headline
holds at least ``MATCH_SHARE`` of the question's subject terms (stemmed, as the
abstention rule counts them). Related articles are the retrieved ones that match but
are not cited. Undated articles have no place on a time axis: they are counted apart.
Does not draw anything: the page turns these into plots (``app.ui.charts``).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from app.answer.abstain import coverage as term_share
from app.answer.abstain import question_terms
from app.answer.ask import check_question
from app.search.filters import make_filters
from app.search.retriever import get_retriever
from app.text.when import time_scope
from app.types import Answer, Hit

# Passages searched for a coverage count: deep enough to count a busy story's articles
# over months, while one count stays a single search (~10 ms at 100k passages).
COVERAGE_PASSAGES = 200
# Share of the question's subject terms a passage (or its headline) must hold to match:
# "Khamenei ... US troops" matches a story naming Khamenei and the troops, not every
# story that says "said".
MATCH_SHARE = 0.5
# Related articles shown under an answer, besides the cited ones.
MAX_RELATED = 5
# Counts go by day up to this many days between the first and the last match, by week beyond.
DAILY_SPAN_DAYS = 92


@dataclass(frozen=True)
class TimelinePoint:
    """One article on the timeline: ``label`` is its citation markers ("[1] [3]"),
    "related", or "also carried" for another outlet's copy of a cited story."""

    title: str
    outlet: str
    published: datetime
    cited: bool
    anchor: str
    label: str


@dataclass(frozen=True)
class Timeline:
    points: tuple[TimelinePoint, ...]
    undated: int = 0  # articles of the answer that have no date


@dataclass(frozen=True)
class Coverage:
    """Matching articles per period (``unit``), oldest first; periods start on their
    day (a week on its Monday). ``articles`` counts the dated ones, ``undated`` the rest."""

    question: str
    unit: Literal["day", "week"]
    counts: tuple[tuple[date, int], ...]
    articles: int
    undated: int = 0


def matches(terms: set[str], hit: Hit) -> bool:
    """Whether a retrieved passage (or its headline) is about the question's terms."""
    return bool(terms) and term_share(terms, [hit.text, hit.citation.title]) >= MATCH_SHARE


def related_hits(answer: Answer) -> list[Hit]:
    """The further reading under an answer: the closest three passages when it abstained;
    otherwise the matching retrieved articles it does not cite, best first, one each."""
    if answer.abstained:
        return list(answer.hits[:3])
    terms = question_terms(answer.resolved or answer.question)
    seen = {c.article_id for c in answer.citations}
    related = []
    for hit in answer.hits:
        if hit.citation.article_id not in seen and matches(terms, hit):
            seen.add(hit.citation.article_id)
            related.append(hit)
    return related[:MAX_RELATED]


def timeline(answer: Answer) -> Timeline:
    """The answer's cited and related articles, each once, in the order of the panel."""
    points: list[TimelinePoint] = []
    undated = 0
    markers: dict[str, list[int]] = {}
    for quote in answer.citations:
        markers.setdefault(quote.article_id, []).append(quote.n)
    hits = {h.citation.article_id: h for h in reversed(answer.hits)}  # the best hit of each
    for article_id, numbers in markers.items():
        quote = next(q for q in answer.citations if q.article_id == article_id)
        label = " ".join(f"[{n}]" for n in numbers)
        copies = hits[article_id].citation.carried_by if article_id in hits else ()
        entries = [(quote.source, quote.title, quote.published, label, True)]
        entries += [(o.source, o.title, o.published, f"also carried {label}", True) for o in copies]
        for outlet, title, published, text, cited in entries:
            if published is None:
                undated += 1
                continue
            outlet = outlet or "unknown outlet"
            points.append(TimelinePoint(title, outlet, published, cited, f"source-{numbers[0]}", text))
    prefix = "source" if answer.abstained else "related"
    for n, hit in enumerate(related_hits(answer), start=1):
        c = hit.citation
        if c.published is None:
            undated += 1
            continue
        outlet = c.source or "unknown outlet"
        points.append(TimelinePoint(c.title, outlet, c.published, False, f"{prefix}-{n}", "related"))
    return Timeline(tuple(points), undated)


def coverage(
    question: str,
    *,
    index_dir: str | os.PathLike[str] | None = None,
    outlets: list[str] | None = None,
    languages: list[str] | None = None,
) -> Coverage:
    """How many matching articles each day or week, across the whole archive (a time
    named in the question is left out of the search: coverage shows every period).

    Example:
        >>> c = coverage("what did Khamenei say about US troops")
        >>> c.unit, c.counts
        ('day', ((datetime.date(2023, 4, 30), 1),))
    """
    question = check_question(question)
    retriever = get_retriever(index_dir)
    scope = time_scope(question, retriever.index.newest or datetime.now().astimezone())
    query = question.replace(scope.phrase, " ").strip() if scope.phrase else question
    terms = question_terms(query)
    if not terms:
        return Coverage(query, "day", (), 0)
    filters = make_filters(None, None, outlets, languages)
    seen: set[tuple[str, str]] = set()
    days: list[date] = []
    undated = 0
    for hit in retriever.search(query or question, COVERAGE_PASSAGES, filters=filters):
        if not matches(terms, hit):
            continue
        c = hit.citation
        for path, title, published in [(c.path, c.title, c.published)] + [
            (o.path, o.title, o.published) for o in c.carried_by
        ]:
            if (path, title) in seen:
                continue
            seen.add((path, title))
            if published is None:
                undated += 1
            else:
                days.append(published.date())
    if not days:
        return Coverage(query, "day", (), 0, undated)
    unit: Literal["day", "week"] = "day" if (max(days) - min(days)).days <= DAILY_SPAN_DAYS else "week"
    periods = Counter(d if unit == "day" else d - timedelta(days=d.weekday()) for d in days)
    return Coverage(query, unit, tuple(sorted(periods.items())), len(days), undated)
