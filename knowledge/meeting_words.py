"""Reading the årshjul's words: which body a text names, and the time a user wrote.

Pure text rules over a pack; the chat capability turns them into meetings and answers.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from knowledge.amounts_and_dates import MONTH_NUMBERS
from knowledge.schema import Pack
from knowledge.schema_bodies import AnnualItem, Body
from knowledge.text import FuzzyIndex, fold

_TOKEN = re.compile(r"\d+|[a-zæøå]+")
_DEFAULT_HOUR = 13
# Days a secretary names instead of a date ("flyt det til fredag", "i morgen kl. 10"), folded
# as `fold` folds the text: a weekday is the next one after today, never today itself.
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (("mandag", "monday"), ("tirsdag", "tuesday"), ("onsdag", "wednesday"),
         ("torsdag", "thursday"), ("fredag", "friday"), ("lordag", "saturday"),
         ("sondag", "sunday"))
    )
    for name in names
}  # fmt: skip
_DAYS_FROM_TODAY = {("i", "dag"): 0, ("today",): 0, ("i", "morgen"): 1, ("tomorrow",): 1,
                    ("i", "overmorgen"): 2}  # fmt: skip
# A named day counted in weeks ("fredag i næste uge", "friday next week") is not read: the
# next Friday would be a week early, and a wrong date is worse than asking again.
_WEEK_WORDS = frozenset({"uge", "ugen", "uger", "week", "weeks"})
# With a named day, numbers are a time only when written as one ("kl. 10", "10:30").
_TIME_WRITTEN = re.compile(r"\b(?:kl|klokken|at)\b\.?\s*\d|\d{1,2}[:.]\d{2}\b", re.IGNORECASE)


def meeting_bodies(pack: Pack) -> tuple[Body, ...]:
    """The pack's bodies that hold meetings or yearly items on the wheel."""
    return tuple(b for b in pack.bodies if b.cadence is not None or b.annual_items)


class BodyFinder:
    """Finds the meeting body a text names, by name or synonym, typo-tolerant."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self._index: FuzzyIndex[str] = FuzzyIndex(
            (b.key, (b.key, *b.names)) for b in meeting_bodies(pack)
        )

    def find(self, text: str) -> Body | None:
        """The one body `text` names; None when none or several fit equally well."""
        index = self._index
        exact = index.exact(text)
        if len(exact) == 1:
            return self.pack.body(exact[0])
        hits = index.search(text, limit=3, cutoff=82.0)
        if not hits or (len(hits) > 1 and hits[1].score >= hits[0].score - 3):
            return None
        return self.pack.body(hits[0].key)


class AnnualItemFinder:
    """Finds the yearly item on the wheel ("seminaret") a text names by its title or a synonym,
    written out as whole words anywhere in the text."""

    def __init__(self, pack: Pack) -> None:
        self._names: list[tuple[tuple[str, ...], Body, AnnualItem]] = []
        for body in meeting_bodies(pack):
            for item in body.annual_items:
                names = (item.title_da, item.title_en, *item.synonyms_da, *item.synonyms_en)
                for name in names:
                    if folded := tuple(fold(name).split()):
                        self._names.append((folded, body, item))
        # Longest names first, so "digitaliseringsseminaret" wins over a shorter name inside.
        self._names.sort(key=lambda named: len(named[0]), reverse=True)

    def find(self, text: str) -> tuple[Body, AnnualItem] | None:
        """The body and item `text` names; None when it names none."""
        tokens = tuple(fold(text).split())
        for name, body, item in self._names:
            if any(tokens[i : i + len(name)] == name for i in range(len(tokens) - len(name) + 1)):
                return body, item
        return None


def parse_when(
    text: str, tz: ZoneInfo, *, default_year: int, today: date | None = None
) -> datetime | None:
    """A local date and time a user wrote ("2027-03-04 13:00", "4.3.2027 kl. 13", "4 marts",
    and, given `today`, "fredag", "i morgen kl. 10").

    Day-month order is Danish (and European); without a time the meeting starts at 13:00.
    Returns None when the text holds no valid date.
    """
    tokens = _TOKEN.findall(fold(text))
    if today is not None:
        named = _named_day(tokens, text, today)
        if named is not None:
            on, clock = named
            try:
                return datetime.combine(on, clock, tzinfo=tz)
            except ValueError:
                return None
    numbers: list[int] = []
    month_name: int | None = None
    for token in tokens:
        if token.isdigit():
            numbers.append(int(token))
        elif token in MONTH_NUMBERS and month_name is None:
            month_name = MONTH_NUMBERS[token]
            numbers.append(-1)  # the month's place among the numbers
    try:
        if numbers and numbers[0] > 31:  # ISO: year month day [hour [minute]]
            year, month, day, *rest = numbers + [0] * max(0, 3 - len(numbers))
        else:
            day, month, *rest = numbers + [0] * max(0, 2 - len(numbers))
            year = default_year
            if rest and rest[0] > 31:
                year, *rest = rest
        if month == -1:
            month = month_name or 0
        hour = rest[0] if rest else _DEFAULT_HOUR
        minute = rest[1] if len(rest) > 1 else 0
        return datetime.combine(datetime(year, month, day).date(), time(hour, minute), tzinfo=tz)
    except (ValueError, TypeError):
        return None


def _named_day(tokens: list[str], text: str, today: date) -> tuple[date, time] | None:
    """The day a weekday or "i morgen" names, with the time written after it (13:00 by
    default); None when the text names no such day or also holds a date ("fredag 5.3")."""
    day: date | None = None
    for phrase, offset in _DAYS_FROM_TODAY.items():
        if any(tuple(tokens[i : i + len(phrase)]) == phrase for i in range(len(tokens))):
            day = today + timedelta(days=offset)
    weekdays = [_WEEKDAYS[t] for t in tokens if t in _WEEKDAYS]
    if day is None and weekdays:
        day = today + timedelta(days=(weekdays[0] - today.weekday() - 1) % 7 + 1)
    if day is None or any(t in MONTH_NUMBERS or t in _WEEK_WORDS for t in tokens):
        return None
    numbers = [int(t) for t in tokens if t.isdigit()]
    if not numbers:
        return day, time(_DEFAULT_HOUR)
    if not _TIME_WRITTEN.search(text) or len(numbers) > 2:
        return None
    try:
        return day, time(numbers[0], numbers[1] if len(numbers) > 1 else 0)
    except ValueError:
        return None


_SEPARATORS = " –-—:·,"


def title_under_body(title: str, body: Body) -> str:
    """A meeting's title as shown under its body's name, without that name in front
    ("Direktionen – møde 1 af 3" → "Møde 1 af 3"); the title itself when nothing is left."""
    for name in sorted(body.names, key=len, reverse=True):
        if len(title) > len(name) and title[: len(name)].casefold() == name.casefold():
            rest = title[len(name) :].lstrip(_SEPARATORS)
            if rest and title[len(name)] in _SEPARATORS:
                return rest[0].upper() + rest[1:]
    return title
