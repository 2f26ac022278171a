"""Tests of transforms.dates: date phrases found in a sentence and resolved."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.dates import find_dates, resolve_date

D = dt.date
AUG_27 = D(2024, 8, 27)  # a Tuesday
OCT_31 = D(2024, 10, 31)  # a Thursday


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Oct. 29, 2024", D(2024, 10, 29)),
        ("29 October 2024", D(2024, 10, 29)),
        ("2024-10-30", D(2024, 10, 30)),
        ("Sept. 27, 2023", D(2023, 9, 27)),
        ("in October 2023", D(2023, 10, 1)),
        ("in the fourth quarter of 2025", D(2025, 10, 1)),
    ("in Q3 2024", D(2024, 7, 1)),
    ("in the second half of 2025", D(2025, 7, 1)),
    ("the 3rd of March, 2025", D(2025, 3, 3)),
        ("end of 2026", D(2026, 12, 31)),
    ],
)
def test_absolute_dates(phrase: str, expected: dt.date) -> None:
    assert resolve_date(phrase, OCT_31) == expected


@pytest.mark.parametrize(
    ("phrase", "published", "expected"),
    [
        ("Oct. 1", AUG_27, D(2024, 10, 1)),
        ("Jan. 1", OCT_31, D(2025, 1, 1)),
        ("Sept. 27", OCT_31, D(2024, 9, 27)),
        ("March 1", D(2024, 2, 20), D(2024, 3, 1)),
        ("Dec. 30", D(2025, 1, 3), D(2024, 12, 30)),
        ("from March", D(2024, 2, 20), D(2024, 3, 1)),
        ("since early July", OCT_31, D(2024, 7, 1)),
        ("in May", OCT_31, D(2024, 5, 1)),
    ],
)
def test_month_and_day_without_year_take_the_closest_year(phrase: str, published: dt.date, expected: dt.date) -> None:
    assert resolve_date(phrase, published) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("on Tuesday", D(2024, 10, 29)),
        ("on Thursday", D(2024, 10, 31)),
        ("last Thursday", D(2024, 10, 24)),
        ("next Friday", D(2024, 11, 1)),
        ("yesterday", D(2024, 10, 30)),
    ],
)
def test_weekdays_are_past_by_default(phrase: str, expected: dt.date) -> None:
    assert resolve_date(phrase, OCT_31) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("last October", D(2023, 10, 1)),
        ("next March", D(2025, 3, 1)),
        ("next month", D(2024, 11, 1)),
        ("last month", D(2024, 9, 1)),
        ("this year", D(2024, 1, 1)),
        ("next year", D(2025, 1, 1)),
        ("by the end of January", D(2025, 1, 31)),
        ("by the end of this year", D(2024, 12, 31)),
        ("since June last year", D(2023, 6, 1)),
        ("in 2026", D(2026, 1, 1)),
    ],
)
def test_relative_periods(phrase: str, expected: dt.date) -> None:
    assert resolve_date(phrase, OCT_31) == expected


def test_spans_point_into_the_sentence_in_text_order() -> None:
    sentence = "The duty rose on Oct. 1 and will rise again from Nov. 15, officials said on Monday."
    found = find_dates(sentence, AUG_27)
    assert [sentence[start:end] for start, end, _ in found] == ["Oct. 1", "Nov. 15", "Monday"]
    assert [date for _, _, date in found] == [D(2024, 10, 1), D(2024, 11, 15), D(2024, 8, 26)]


def test_words_that_only_look_like_dates_are_ignored() -> None:
    assert find_dates("Prices may rise at the Marshall plant, with 2,000 jobs and 30 staff.", OCT_31) == []
    assert resolve_date("no date here", OCT_31) is None
