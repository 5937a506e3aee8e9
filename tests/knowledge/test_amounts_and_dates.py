"""Amounts and dates as Danes write them, read and written back (knowledge/amounts_and_dates)."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.amounts_and_dates import (
    example_date,
    read_amount,
    read_date,
    written_amount,
    written_date,
)

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("written", "kroner"),
    [
        ("1,2 mio. kr.", 1_200_000),
        ("1.200.000 kr.", 1_200_000),
        ("1,5 mio", 1_500_000),
        ("250.000", 250_000),
        ("250 t.kr.", 250_000),
        ("250 tkr", 250_000),
        ("450000", 450_000),
        ("450 000 kr.", 450_000),
        ("450.000,-", 450_000),
        ("12.000,00 kr.", 12_000),
        ("ca. 2 mio.", 2_000_000),
        ("2 millioner kroner", 2_000_000),
        ("DKK 5.000", 5_000),
        ("1.5 million", 1_500_000),
        ("1,200,000", 1_200_000),
        ("100k", 100_000),
        ("3 mia. kr.", 3_000_000_000),
        ("0", 0),
    ],
)
def test_amounts_as_danes_write_them(written: str, kroner: int) -> None:
    assert read_amount(written) == kroner


@pytest.mark.parametrize("written", ["", "abc", "1,25", "5 mioner", "1.2.3", "mange penge", "-5"])
def test_what_is_not_a_whole_amount_in_range_is_refused(written: str) -> None:
    assert read_amount(written) is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1. marts 2027", date(2027, 3, 1)),
        ("1 marts 2027", date(2027, 3, 1)),
        ("1. mar. 2027", date(2027, 3, 1)),
        ("1.3.2027", date(2027, 3, 1)),
        ("01-03-2027", date(2027, 3, 1)),
        ("1/3/27", date(2027, 3, 1)),
        ("marts 2027", date(2027, 3, 1)),
        ("2027-03-01", date(2027, 3, 1)),
        ("1 March 2027", date(2027, 3, 1)),
        ("March 1, 2027", date(2027, 3, 1)),
        ("  1.  Marts   2027 ", date(2027, 3, 1)),
        ("1. marts", date(2027, 3, 1)),  # the next 1 March after today
        ("24. december", date(2026, 12, 24)),  # still ahead this year
        ("1.3", date(2027, 3, 1)),
        ("24/12", date(2026, 12, 24)),
    ],
)
def test_dates_as_danes_write_them(written: str, expected: date) -> None:
    assert read_date(written, today=TODAY) == expected


@pytest.mark.parametrize(
    "written", ["31. februar 2027", "13.13.2027", "foo", "1. marts 3 2027", "2027-02-30"]
)
def test_what_is_not_a_date_is_refused(written: str) -> None:
    assert read_date(written, today=TODAY) is None


def test_a_date_without_a_year_needs_today() -> None:
    assert read_date("1. marts") is None
    assert read_date("1.3.") is None


@pytest.mark.parametrize(
    ("kroner", "da", "en"),
    [
        (1_200_000, "1,2 mio. kr.", "DKK 1.2 million"),
        (2_000_000, "2 mio. kr.", "DKK 2 million"),
        (1_250_000, "1,25 mio. kr.", "DKK 1.25 million"),
        (1_234_567, "1.234.567 kr.", "DKK 1,234,567"),
        (450_000, "450.000 kr.", "DKK 450,000"),
        (0, "0 kr.", "DKK 0"),
    ],
)
def test_amounts_are_written_back_as_read(kroner: int, da: str, en: str) -> None:
    assert written_amount(kroner, "da") == da
    assert written_amount(kroner, "en") == en
    assert read_amount(da) == kroner


def test_dates_are_written_back_as_read() -> None:
    assert written_date(date(2027, 3, 1), "da") == "1. marts 2027"
    assert written_date(date(2027, 3, 1), "en") == "1 March 2027"
    assert read_date(written_date(date(2027, 10, 31), "da")) == date(2027, 10, 31)


@pytest.mark.parametrize(
    ("today", "example"),
    [
        (date(2026, 12, 2), date(2027, 2, 1)),
        (date(2026, 11, 30), date(2027, 1, 1)),
        (date(2027, 3, 31), date(2027, 5, 1)),
    ],
)
def test_the_example_date_lies_ahead(today: date, example: date) -> None:
    assert example_date(today) == example
    assert example_date(today) > today
