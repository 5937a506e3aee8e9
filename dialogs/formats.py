"""Dates and amounts as the user's language writes them: in tables and exports by the
patterns of the texts format.*, in sentences and cards as a reader says them."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from dialogs.texts import Lang, text
from knowledge.amounts_and_dates import written_amount, written_date


def day(value: date | datetime, lang: Lang, tz: tzinfo | None = None) -> str:
    """A date (or the local date of a moment on the clock `tz`), e.g. 04.03.2027 or 2027-03-04."""
    if isinstance(value, datetime):
        value = (value.astimezone(tz) if tz is not None else value).date()
    return value.strftime(text("format.date", lang))


def amount(value: int, lang: Lang) -> str:
    """A whole amount with thousands grouped, e.g. 1.250.000 or 1,250,000."""
    return f"{value:,}".replace(",", text("format.thousands", lang))


def spoken_day(value: date | datetime, lang: Lang, tz: tzinfo | None = None) -> str:
    """A date as a reader says it ("1. marts 2027"; for a moment, its local date on `tz`)."""
    if isinstance(value, datetime):
        value = (value.astimezone(tz) if tz is not None else value).date()
    return written_date(value, lang)


def spoken_amount(kroner: int, lang: Lang) -> str:
    """An amount as a reader says it ("1,2 mio. kr.", "450.000 kr.")."""
    return written_amount(kroner, lang)
