"""Amounts and dates as Danes write them: read from a message or a form, and written back.

Plain rules, not recognizers-text: its cultures have no Danish, and Danish writing needs its own
reading of "1.200" (thousands) against "1,2" (a decimal) and of "t.kr." and "mio.".
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

Lang = Literal["da", "en"]

MONTHS_DA = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Every month name and abbreviation a user writes, folded to lower case, with its number.
MONTH_NUMBERS: dict[str, int] = {
    **{name: i for i, name in enumerate(MONTHS_DA, start=1)},
    **{name.lower(): i for i, name in enumerate(MONTHS_EN, start=1)},
    **{name[:3]: i for i, name in enumerate(MONTHS_DA, start=1)},
    **{name[:3].lower(): i for i, name in enumerate(MONTHS_EN, start=1)},
    "sept": 9,
}

# Words for a thousand, a million and a billion after the number ("250 t.kr.", "1,2 mio.").
_SCALES = (
    (re.compile(r"(?:mia|mrd|milliarder|milliard|billion)\b\.?"), 1_000_000_000),
    (re.compile(r"(?:millioner|millions|million|mill|mil|mio|mn|m)\b\.?"), 1_000_000),
    (re.compile(r"(?:t\.?\s*kr|tkr|tusinde?|thousand|k)\b\.?"), 1_000),
)
_CURRENCY = re.compile(r"(?:kroner|kr\.?|dkk|,-|\.-)")
_APPROXIMATELY = re.compile(r"^(?:ca\.?|cirka|omkring|about|around|approx\.?)\s*")
_CURRENCY_FIRST = re.compile(r"^(?:dkk|kr\.?)\s*")
_NUMBER = re.compile(r"\d[\d.,\s]*\d|\d")


def _number(written: str) -> Decimal | None:
    """A number written the Danish way (1.200.000 / 1,5) or the English way (1,200,000 / 1.5)."""
    digits = re.sub(r"\s", "", written)
    if "," in digits and "." in digits:
        # The separator written last is the decimal one: 1.200,50 or 1,200.50.
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        digits = digits.replace(thousands, "").replace(decimal_mark, ".")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):
        digits = digits.replace(".", "")
    elif digits.count(",") > 1 and re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits):
        digits = digits.replace(",", "")
    elif digits.count(",") == 1:
        digits = digits.replace(",", ".")
    elif digits.count(".") > 1:
        return None
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def read_amount(written: str) -> int | None:
    """Whole kroner from what a user wrote ("1,2 mio. kr.", "1.200.000 kr.", "250 t.kr.").

    None when the text is not an amount in whole kroner (a negative one is not).
    """
    text = _CURRENCY_FIRST.sub("", _APPROXIMATELY.sub("", written.strip().casefold()))
    found = _NUMBER.match(text)
    if found is None:
        return None
    value = _number(found.group())
    rest = text[found.end() :].strip()
    if value is None:
        return None
    for pattern, factor in _SCALES:
        scale = pattern.match(rest)
        if scale is not None:
            value *= factor
            rest = rest[scale.end() :].strip()
            break
    rest = _CURRENCY.sub("", rest).strip(" .")
    if rest or value != value.to_integral_value():
        return None
    return int(value)


def written_amount(kroner: int, lang: Lang) -> str:
    """An amount as a reader says it: "1,2 mio. kr.", "450.000 kr." (en: "DKK 1.2 million")."""
    millions = Decimal(kroner) / 1_000_000
    round_millions = kroner >= 1_000_000 and kroner % 10_000 == 0
    if lang == "en":
        if round_millions:
            return f"DKK {millions.normalize():f} million"
        return f"DKK {kroner:,}"
    if round_millions:
        return f"{millions.normalize():f}".replace(".", ",") + " mio. kr."
    return f"{kroner:,}".replace(",", ".") + " kr."


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})\s*[./-]\s*(\d{1,2})(?:\s*[./-]\s*(\d{4}|\d{2})|\.?)")
_WORDS = re.compile(r"(?:(\d{1,2})\.?\s+)?([a-zæøå]+)\.?(?:\s+(\d{1,2}))?,?(?:\s+(\d{4}))?")


def read_date(written: str, *, today: date | None = None) -> date | None:
    """The date a user wrote: "1. marts 2027", "1.3.2027", "01-03-2027", "marts 2027", ISO.

    A month without a day is its first day. Without a year, the next such date from `today`
    (None when `today` is not given). None when the text is not a valid date.
    """
    text = " ".join(written.strip().casefold().split())
    try:
        if found := _ISO.fullmatch(text):
            return date(int(found[1]), int(found[2]), int(found[3]))
        if found := _NUMERIC.fullmatch(text):
            day, month = int(found[1]), int(found[2])
            if found[3] is None:
                return _next(day, month, today)
            year = int(found[3])
            return date(year + 2000 if year < 100 else year, month, day)
        if found := _WORDS.fullmatch(text):
            named = MONTH_NUMBERS.get(found[2])
            day_text = found[1] or found[3]
            if named is None or (found[1] and found[3]):
                return None
            day = int(day_text) if day_text else 1
            if found[4]:
                return date(int(found[4]), named, day)
            return _next(day, named, today)
    except ValueError:
        return None
    return None


def _next(day: int, month: int, today: date | None) -> date | None:
    """The next `day`.`month` on or after `today` (None without a today)."""
    if today is None:
        return None
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


def written_date(value: date, lang: Lang) -> str:
    """A date as a reader says it: "1. marts 2027" (en: "1 March 2027")."""
    if lang == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.day}. {MONTHS_DA[value.month - 1]} {value.year}"


def example_date(today: date) -> date:
    """A date to show as an example of a future start: the first of the month after next."""
    month = today.month + 2
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)
