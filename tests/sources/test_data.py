"""The real archives under ../shared/data (skipped when absent): nothing lost for its
metadata, every BBC article passes the listing rule, relative Bangla dates resolved,
Reuters read from SGML. Oracles are counts from the data's own README."""

from __future__ import annotations

from collections import Counter

import pytest
from sourcetools import SHARED_DATA, check_offsets

from app.sources.reading import ReadOptions
from app.sources.reading import read_all as load
from app.text.dates import DHAKA
from app.types import Kind

pytestmark = [
    pytest.mark.data,
    pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="the real archives are in ../shared/data"),
    pytest.mark.usefixtures("no_network"),  # every test here runs offline
]

def accounted(loaded) -> None:
    """Every record is an article or has a note saying why it is not one."""
    kept = {(a.path, a.line) for a in loaded.articles}
    for note in loaded.problems:
        if note.kind == Kind.UNDATED:
            assert (note.path, note.line) in kept or any(
                m.path == note.path and m.line == note.line and m.dropped for m in loaded.problems
            ), f"lost for its date: {note}"
    dropped = sum(
        1 for n in loaded.problems if n.dropped and (n.line is not None or n.kind == Kind.DUPLICATE)
    )
    assert len(loaded.articles) + dropped >= loaded.records


def test_clir_one_object_per_file_all_load_with_their_dates():
    loaded = load(SHARED_DATA / "bangla" / "clir_prothomalo_bn_en_2025", ReadOptions(tz=DHAKA))
    assert loaded.records == 622 + 410  # every JSON file read
    accounted(loaded)
    assert all(a.published is not None for a in loaded.articles)  # "৭ ঘণ্টা আগে" against crawled_at
    assert Counter(a.language for a in loaded.articles) == {"bn": 546, "en": 410}
    kinds = loaded.counts()
    assert kinds[Kind.DUPLICATE] >= 23  # the README's 23 duplicate URLs, plus same bodies
    assert kinds[Kind.DOCUMENTATION] == 1  # data/metadata.csv
    for article in loaded.articles[:50]:
        check_offsets(article)


def test_ittefaq_and_prothom_alo_csv_with_bom_and_na_date():
    loaded = load(SHARED_DATA / "bangla" / "news_palo_ittefaq_2026", ReadOptions(tz=DHAKA))
    assert loaded.records == 412
    accounted(loaded)
    assert len(loaded.articles) == 411
    (block,) = [n for n in loaded.problems if n.kind == Kind.BLOCK]  # the "N/A" row is a 502 error page
    assert "bad gateway" in block.message


def test_bbc_every_article_passes_the_listing_rule():
    loaded = load(SHARED_DATA / "bbc")
    kinds = loaded.counts()
    assert not {Kind.LISTING, Kind.SPAM, Kind.BLOCK, Kind.BOILERPLATE_ONLY, Kind.NO_BODY} & set(kinds)
    assert kinds[Kind.DOCUMENTATION] == 1  # bbc/README.TXT
    assert len(loaded.articles) + kinds[Kind.DUPLICATE] == 2225


def test_reuters_from_sgml():
    loaded = load(SHARED_DATA / "reuters21578" / "17.sgm")
    assert loaded.records == 1000
    accounted(loaded)
    assert [n.kind for n in loaded.problems if n.kind == Kind.ENCODING] == [Kind.ENCODING]  # the one bad byte
    assert all(a.source == "Reuters" and a.language == "en" for a in loaded.articles)
    assert sum(1 for a in loaded.articles if a.published is None) == 1  # "31-MAR-1987 605:12:19.12"
