"""Time in Bangla questions (each question written for the test)."""

from datetime import date

import pytest

from app.text.when import bangla_time_words, time_scope

AS_OF = date(2026, 2, 26)  # a Thursday


@pytest.mark.parametrize(
    ("question", "since", "until", "phrase"),
    [
        ("৩০ এপ্রিল ২০২৩ তারিখে কী হয়েছিল?", date(2023, 4, 30), date(2023, 4, 30), "৩০ এপ্রিল ২০২৩ তারিখে"),
        ("গতকাল কী ঘটেছে?", date(2026, 2, 25), date(2026, 2, 25), "গতকাল"),
        ("গত সপ্তাহে মন্ত্রী কী বলেছেন?", date(2026, 2, 16), date(2026, 2, 22), "গত সপ্তাহে"),
        ("এই সপ্তাহে কী হয়েছে?", date(2026, 2, 23), date(2026, 3, 1), "এই সপ্তাহে"),
        ("গত মাসে কী হয়েছে?", date(2026, 1, 1), date(2026, 1, 31), "গত মাসে"),
        ("চলতি মাসে কী হয়েছে?", date(2026, 2, 1), date(2026, 2, 28), "চলতি মাসে"),
        ("গত বছর বন্যা কোথায় হয়েছিল?", date(2025, 1, 1), date(2025, 12, 31), "গত বছর"),
        ("২০২৪ সালে কী হয়েছিল?", date(2024, 1, 1), date(2024, 12, 31), "২০২৪ সালে"),
        ("২০২৪ সালের আগস্টে কী হয়েছিল?", date(2024, 8, 1), date(2024, 8, 31), "২০২৪ সালের আগস্টে"),
        ("মে মাসে কী হয়েছিল?", date(2025, 5, 1), date(2025, 5, 31), "মে মাসে"),
        ("গত শুক্রবার ঢাকায় কী হয়েছিল?", date(2026, 2, 20), date(2026, 2, 20), "গত শুক্রবার"),
        ("দুই দিন আগে কী হয়েছে?", date(2026, 2, 24), date(2026, 2, 24), "দুই দিন আগে"),
        ("৩ দিন আগে কী হয়েছে?", date(2026, 2, 23), date(2026, 2, 23), "৩ দিন আগে"),
        # direction words after the date
        ("২০২৩ সালের পর থেকে কী হয়েছে?", date(2023, 1, 1), None, "২০২৩ সালের পর থেকে"),
        ("১ জানুয়ারি থেকে দাম কত বেড়েছে?", date(2026, 1, 1), None, "১ জানুয়ারি থেকে"),
        ("২০২২ সালের আগে কী হয়েছিল?", None, date(2021, 12, 31), "২০২২ সালের আগে"),
        ("মার্চ ২০২৫ পর্যন্ত বন্যায় কতজন মারা গেছেন?", None, date(2025, 3, 31), "মার্চ ২০২৫ পর্যন্ত"),
        ("জুন ২০২৪ এর পরে কী হয়েছে?", date(2024, 7, 1), None, "জুন ২০২৪ এর পরে"),
    ],
)
def test_bangla_dates_become_ranges(question, since, until, phrase):
    scope = time_scope(question, AS_OF)
    assert (scope.since, scope.until) == (since, until)
    if phrase is not None:
        assert scope.phrase == phrase  # as written: ask() removes it from the words searched
    assert scope.phrase in question


@pytest.mark.parametrize(
    "question",
    [
        "২০২৪ সালের নির্বাচনে কারা জিতেছে?",  # a year that names a topic, not a time
        "বন্যায় কতজন মারা গেছেন?",
        "খালেদা জিয়ার মৃত্যু কবে হয়েছে?",
        "তিনি আর কী বলেছেন?",
    ],
)
def test_no_bangla_date_where_there_is_none(question):
    scope = time_scope(question, AS_OF)
    assert (scope.since, scope.until, scope.phrase) == (None, None, None)


def test_recent_words_in_bangla():
    assert time_scope("সর্বশেষ খবর কী?", AS_OF).recent
    assert time_scope("এখন নদীর পানি কত?", AS_OF).recent
    assert not time_scope("নদীর পানি কত?", AS_OF).recent


def test_rewrites_before_dateparser():
    assert bangla_time_words("এক সপ্তাহ আগে") == "1 সপ্তাহ আগে"
    assert bangla_time_words("গত সপ্তাহে ২০২৪ সালের আগস্টে") == "গত সপ্তাহ আগস্ট 2024"
    assert bangla_time_words("বিগত বৃহস্পতিবারে") == "বৃহস্পতিবার"
