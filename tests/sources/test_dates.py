"""The one date parser: every form the issue lists, placeholders, relative dates with and
without a crawl time, Bangla digits and month names, zones."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.text.dates import DHAKA, DateError, is_placeholder, parse_date

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

UTC = timezone.utc
CRAWLED = datetime(2025, 12, 17, 19, 31, 24, tzinfo=DHAKA)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # epoch seconds and milliseconds, as numbers and digit strings
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1700000000123, datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)),
        (1700000000.5, datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
        # RFC 822 (feeds) and ISO 8601 with and without a zone
        ("Tue, 10 Jun 2003 04:00:00 GMT", datetime(2003, 6, 10, 4, 0, tzinfo=UTC)),
        ("Sun, 30 Apr 2023 02:07:00 +0600", datetime(2023, 4, 30, 2, 7, tzinfo=DHAKA)),
        ("2026-02-26T12:14:22+06:00", datetime(2026, 2, 26, 12, 14, 22, tzinfo=DHAKA)),
        ("2020-01-21T02:49:00Z", datetime(2020, 1, 21, 2, 49, tzinfo=UTC)),
        ("2024-01-02 04:37:50", datetime(2024, 1, 2, 4, 37, 50, tzinfo=UTC)),
        # news forms
        ("21 January 2020 02:49 AM", datetime(2020, 1, 21, 2, 49, tzinfo=UTC)),
        ("2024/08/12", datetime(2024, 8, 12, tzinfo=UTC)),
        ("Published: 18 Aug 2025, 12: 47 ", datetime(2025, 8, 18, 12, 47, tzinfo=UTC)),
        ("Updated: 04 Dec 2025, 10: 38 ", datetime(2025, 12, 4, 10, 38, tzinfo=UTC)),
        ("26-FEB-1987 15:01:01.79", datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC)),
        ("27-MAR-1987 02:17:09.88T C", datetime(1987, 3, 27, 2, 17, 9, 880000, tzinfo=UTC)),
        ("2023/05/25/17:42", datetime(2023, 5, 25, 17, 42, tzinfo=UTC)),
        ("\n12 May, 2025, 10:30\nUpdate: 13 May, 2025, 11:00\n", datetime(2025, 5, 12, 10, 30, tzinfo=UTC)),
        ("March 3rd, 2021", datetime(2021, 3, 3, tzinfo=UTC)),
        # Bangla digits and month names
        ("২১ ফেব্রুয়ারি ২০২৬, ১০:৩০", datetime(2026, 2, 21, 10, 30, tzinfo=UTC)),
        ("প্রকাশ : ১২ ডিসেম্বর ২০২৫, ১০:৩০", datetime(2025, 12, 12, 10, 30, tzinfo=UTC)),
        ("বৃহস্পতিবার, ২১ ফেব্রুয়ারি ২০২৬", datetime(2026, 2, 21, tzinfo=UTC)),
        ("রাত ১০:৩০, ২১ ফেব্রুয়ারি ২০২৬", datetime(2026, 2, 21, 22, 30, tzinfo=UTC)),
    ],
)
def test_forms_read(value, expected):
    assert parse_date(value) == expected


def test_bdnews24_stamp_is_dhaka_time():
    when = parse_date("Published : 30 April 2023, 02:07 AM", tz=DHAKA)
    assert when == datetime(2023, 4, 30, 2, 7, tzinfo=DHAKA)
    assert when.utcoffset() == timedelta(hours=6)


def test_a_zone_in_the_value_wins_over_tz():
    assert parse_date("2020-01-21T02:49:00Z", tz=DHAKA).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value", [None, "", "   ", "Unknown", "N/A", "n/a", "null", "None", "0", 0, "0000-00-00"]
)
def test_placeholders_are_no_date(value):
    assert is_placeholder(value)
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("value", "ago"),
    [
        ("7 hours ago", timedelta(hours=7)),
        ("an hour ago", timedelta(hours=1)),
        ("৭ ঘণ্টা আগে", timedelta(hours=7)),
        ("১৫ মিনিট আগে", timedelta(minutes=15)),
        ("২ দিন আগে", timedelta(days=2)),
        ("গতকাল", timedelta(days=1)),
        ("yesterday", timedelta(days=1)),
        ("আজ", timedelta(0)),
    ],
)
def test_relative_dates_count_back_from_the_crawl(value, ago):
    assert parse_date(value, crawled=CRAWLED) == CRAWLED - ago


@pytest.mark.parametrize("value", ["7 hours ago", "৭ ঘণ্টা আগে", "গতকাল", "yesterday"])
def test_relative_dates_without_a_crawl_time_are_unreadable_never_now(value):
    with pytest.raises(DateError, match="relative date .* no crawl time"):
        parse_date(value)


def test_a_naive_crawl_time_takes_the_zone_given():
    assert parse_date("৭ ঘণ্টা আগে", crawled=datetime(2025, 12, 17, 19, 31), tz=DHAKA) == datetime(
        2025, 12, 17, 12, 31, tzinfo=DHAKA
    )


def test_month_and_day_without_a_year_take_the_crawl_year():
    assert parse_date("২৩: ৪০ , ডিসেম্বর ১৬", crawled=CRAWLED, tz=DHAKA) == datetime(
        2025, 12, 16, 23, 40, tzinfo=DHAKA
    )
    # "December 31" crawled on 2 January is last year's
    assert parse_date("31 December", crawled=datetime(2026, 1, 2, tzinfo=UTC)).year == 2025
    with pytest.raises(DateError, match="no year"):
        parse_date("২৩: ৪০ , ডিসেম্বর ১৬")


@pytest.mark.parametrize(
    "value", ["garbage text", "2024-13-45", "next week sometime", "99999", True, ["2024"]]
)
def test_unreadable_values_raise_with_the_value(value):
    with pytest.raises(DateError) as err:
        parse_date(value)
    assert repr(value) in str(err.value) or "not a string" in str(err.value)


def test_implausible_dates_are_refused():
    with pytest.raises(DateError, match="implausible"):
        parse_date("2024-01-01", crawled=datetime(2020, 1, 1, tzinfo=UTC))


def test_tz_none_leaves_a_naive_value_naive():
    assert parse_date("2025-12-17 19:31:24", tz=None) == datetime(2025, 12, 17, 19, 31, 24)
    assert parse_date("2025-12-17T19:31:24Z", tz=None).tzinfo is UTC


def test_dates_never_read_the_machine_clock(monkeypatch):
    import app.text.dates as dates

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            raise AssertionError("parse_date looked at the clock")

    monkeypatch.setattr(dates, "datetime", Frozen)
    assert parse_date("2024/08/12").year == 2024
