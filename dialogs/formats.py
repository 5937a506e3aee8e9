"""Dates and amounts as the user's language writes them (the patterns are texts: format.*)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from dialogs.texts import Lang, text


def day(value: date | datetime, lang: Lang, tz: tzinfo | None = None) -> str:
    """A date (or the local date of a moment on the clock `tz`), e.g. 04.03.2027 or 2027-03-04."""
    if isinstance(value, datetime):
        value = (value.astimezone(tz) if tz is not None else value).date()
    return value.strftime(text("format.date", lang))


def amount(value: int, lang: Lang) -> str:
    """A whole amount with thousands grouped, e.g. 1.250.000 or 1,250,000."""
    return f"{value:,}".replace(",", text("format.thousands", lang))
