"""The values that flow through newsdesk: Article -> Passage -> Hit (with a Citation)
-> Answer (with Quotes); the index stores each article as a StoredArticle.

Small frozen dataclasses at every module boundary, serialised with ``to_dict`` (and
read back with ``from_dict`` where they are stored). Dates are timezone-aware
``datetime`` objects in memory and ISO 8601 strings on disk (``app.text.dates``).
This module holds data only: no parsing beyond that, no I/O.
"""

from app.types.articles import (
    Answer,
    Article,
    Attribution,
    Citation,
    Hit,
    Outlet,
    Passage,
    Quote,
    StoredArticle,
)
from app.types.reports import BuildReport, FileReport, Kind, Loaded, Problem

__all__ = [
    "Answer",
    "Article",
    "Attribution",
    "BuildReport",
    "Citation",
    "FileReport",
    "Hit",
    "Kind",
    "Loaded",
    "Outlet",
    "Passage",
    "Problem",
    "Quote",
    "StoredArticle",
]
