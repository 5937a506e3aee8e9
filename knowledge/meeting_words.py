"""Reading the årshjul's words: which body a text names, and the time a user wrote.

Pure text rules over a pack; the chat capability turns them into meetings and answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
# A time of day is written as one with a word before the hour ("kl. 14", "at 2") or am/pm
# after it ("2pm", "2:30 pm", "2 p.m."; fold leaves "p.m." as "p m").
_CLOCK_WORDS = frozenset({"kl", "klokken", "at"})
_MERIDIEMS = {("am",): False, ("pm",): True, ("a", "m"): False, ("p", "m"): True}
# Meetings are held by day: "kl. 2" and "halv tre" are 14:00 and 14:30, as Danes mean them;
# an hour this low or lower is read in the afternoon unless am/pm says otherwise.
_LAST_AFTERNOON_HOUR = 6
# Hours as words, folded ("et" and "en" for one; "to" is Danish two, not English "to").
_HOUR_WORDS = {
    word: number
    for number, words in enumerate(
        (("et", "en", "one"), ("to", "two"), ("tre", "three"), ("fire", "four"),
         ("fem", "five"), ("seks", "six"), ("syv", "seven"), ("otte", "eight"),
         ("ni", "nine"), ("ti", "ten"), ("elleve", "eleven"), ("tolv", "twelve")),
        start=1,
    )
    for word in words
}  # fmt: skip
# The spoken clock: the words before an hour and the minutes they add to it (Danish "halv
# tre" is half past two, "kvart i tre" a quarter to three).
_SPOKEN = (
    (("halv",), -30), (("kvart", "over"), 15), (("kvart", "i"), -15),
    (("half", "past"), 30), (("quarter", "past"), 15), (("quarter", "to"), -15),
)  # fmt: skip


# "det andet møde", "årets tredje møde", "the second meeting": which of the year's meetings
# (folded). Only an ordinal with its article: "møde 3" is a meeting's number in govbot (the
# secretaries' "flyt møde 3"), and "et andet møde" is another meeting.
_MEETING_WORDS = frozenset({"mode", "modet", "meeting"})
_ARTICLES = frozenset({"det", "arets", "the"})
_ORDINALS = {
    word: number
    for number, words in enumerate(
        (("forste", "first"), ("andet", "second"), ("tredje", "third"), ("fjerde", "fourth"),
         ("femte", "fifth"), ("sjette", "sixth")),
        start=1,
    )
    for word in words
}  # fmt: skip


def asked_meeting_number(text: str) -> int | None:
    """Which of the year's meetings `text` asks about ("hvornår er det andet møde i
    direktionen", "the second meeting of the steering group"), if it names one."""
    tokens = _TOKEN.findall(fold(text))
    for before, ordinal, noun in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if before in _ARTICLES and ordinal in _ORDINALS and noun in _MEETING_WORDS:
            return _ORDINALS[ordinal]
    return None


def meeting_bodies(pack: Pack) -> tuple[Body, ...]:
    """The pack's bodies that hold meetings or yearly items on the wheel."""
    return tuple(b for b in pack.bodies if b.cadence is not None or b.annual_items)


class BodyFinder:
    """Finds the meeting body a text names, by name or synonym, typo-tolerant (or any of the
    pack's bodies, with `meeting_only=False`)."""

    def __init__(self, pack: Pack, *, meeting_only: bool = True) -> None:
        self.pack = pack
        bodies = meeting_bodies(pack) if meeting_only else pack.bodies
        self._index: FuzzyIndex[str] = FuzzyIndex((b.key, (b.key, *b.names)) for b in bodies)

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
    "4 march at 2pm", and, given `today`, "fredag", "i morgen kl. 10", "friday at 2:30 p.m.").

    Day-month order is Danish (and European); without a time the meeting starts at 13:00.
    Returns None when the text holds no valid date.
    """
    tokens = _TOKEN.findall(fold(text))
    try:
        clock = _clock(tokens)
        if clock is not None:
            tokens = tokens[: clock.start] + tokens[clock.end :]
        if today is not None:
            named = _named_day(tokens, clock, today)
            if named is not None:
                on, hour, minute = named
                return datetime.combine(on, time(hour, minute), tzinfo=tz)
        return _dated(tokens, clock, tz, default_year)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Clock:
    """A time of day written as one ("kl. 14", "at 2:30 pm"), and the tokens it takes up."""

    hour: int
    minute: int
    start: int
    end: int


def _clock(tokens: list[str]) -> _Clock | None:
    """The first time of day written as one: an hour (and minutes) with am/pm after it or
    kl./klokken/at before it, or spoken ("halv tre", "kvart over 10"). ValueError for an hour
    no 12-hour clock has ("14 pm")."""
    for i, token in enumerate(tokens):
        spoken = _spoken(tokens, i)
        if spoken is not None:
            return spoken
        if not token.isdigit() or len(token) > 2:
            continue
        end, minute = i + 1, 0
        if end < len(tokens) and _is_minutes(tokens[end]):
            end, minute = end + 1, int(tokens[end])
        marked = i > 0 and tokens[i - 1] in _CLOCK_WORDS
        start = i - 1 if marked else i
        for words, afternoon in _MERIDIEMS.items():
            if tuple(tokens[end : end + len(words)]) == words:
                return _Clock(_twelve_hour(int(token), afternoon), minute, start, end + len(words))
        if marked:
            # "kl. 06.30" with its leading zero is a 24-hour time; "kl. 6" a meeting's hour.
            hour = int(token) if token.startswith("0") else _by_day(int(token))
            return _Clock(hour, minute, start, end)
    return None


def _spoken(tokens: list[str], i: int) -> _Clock | None:
    """The spoken time starting at token `i` ("halv tre", "kl. kvart i 10"), if any."""
    marked = tokens[i] in _CLOCK_WORDS
    at = i + 1 if marked else i
    for words, minutes in _SPOKEN:
        hour_at = at + len(words)
        if tuple(tokens[at:hour_at]) == words and hour_at < len(tokens):
            hour = _hour(tokens[hour_at])
            if hour is not None:
                at_hour, at_minute = divmod(_by_day(hour) * 60 + minutes, 60)
                return _Clock(at_hour, at_minute, i, hour_at + 1)
    if marked and at < len(tokens) and tokens[at] in _HOUR_WORDS:
        return _Clock(_by_day(_HOUR_WORDS[tokens[at]]), 0, i, at + 1)
    return None


def _hour(token: str) -> int | None:
    """An hour 1–12 written as digits or as a word."""
    if token.isdigit() and len(token) <= 2:
        return int(token) if 1 <= int(token) <= 12 else None
    return _HOUR_WORDS.get(token)


def _by_day(hour: int) -> int:
    """The hour a meeting is held at: 1–6 without am/pm are afternoon hours ("kl. 2" is 14)."""
    return hour + 12 if 1 <= hour <= _LAST_AFTERNOON_HOUR else hour


def _is_minutes(token: str) -> bool:
    """Minutes are written with two digits ("14 30", "9 05"); "5 3" is a day and a month."""
    return len(token) == 2 and token.isdigit() and int(token) < 60


def _twelve_hour(hour: int, afternoon: bool) -> int:
    """The 24-hour hour of "2 pm" (14) or "12 am" (0)."""
    if not 1 <= hour <= 12:
        raise ValueError(f"{hour} is no hour on a 12-hour clock")
    return hour % 12 + (12 if afternoon else 0)


def _named_day(
    tokens: list[str], clock: _Clock | None, today: date
) -> tuple[date, int, int] | None:
    """The day a weekday or "i morgen" names, with the hour and minute written with it (13:00
    by default); None when the text names no such day or also holds a date ("fredag 5.3")."""
    day: date | None = None
    for phrase, offset in _DAYS_FROM_TODAY.items():
        if any(tuple(tokens[i : i + len(phrase)]) == phrase for i in range(len(tokens))):
            day = today + timedelta(days=offset)
    weekdays = [_WEEKDAYS[t] for t in tokens if t in _WEEKDAYS]
    if day is None and weekdays:
        day = today + timedelta(days=(weekdays[0] - today.weekday() - 1) % 7 + 1)
    if day is None or any(t in MONTH_NUMBERS or t in _WEEK_WORDS for t in tokens):
        return None
    numbers = [t for t in tokens if t.isdigit()]
    if clock is not None:
        return (day, clock.hour, clock.minute) if not numbers else None
    if not numbers:
        return day, _DEFAULT_HOUR, 0
    # "fredag 14.30", "søndag 10:15" (as fold leaves them, "14 30"): an hour and its minutes.
    if len(numbers) == 2 and _is_minutes(numbers[1]):
        return day, int(numbers[0]), int(numbers[1])
    return None


def _dated(tokens: list[str], clock: _Clock | None, tz: ZoneInfo, default_year: int) -> datetime:
    """The date the numbers and month name of `tokens` give, at `clock` or at the hour and
    minute written after the date ("2027 03 04 9 30"); ValueError when they give none."""
    numbers: list[int] = []
    month_name: int | None = None
    for token in tokens:
        if token.isdigit():
            numbers.append(int(token))
        elif token in MONTH_NUMBERS and month_name is None:
            month_name = MONTH_NUMBERS[token]
            numbers.append(-1)  # the month's place among the numbers
    if numbers and numbers[0] > 31:  # ISO: year month day [hour [minute]]
        year, month, day, *rest = numbers + [0] * max(0, 3 - len(numbers))
    else:
        day, month, *rest = numbers + [0] * max(0, 2 - len(numbers))
        year = default_year
        if rest and rest[0] > 31:
            year, *rest = rest
    if month == -1:
        month = month_name or 0
    if clock is None:
        hour = rest[0] if rest else _DEFAULT_HOUR
        minute = rest[1] if len(rest) > 1 else 0
    elif rest:  # numbers besides the date and the time: which is which is a guess
        raise ValueError(f"numbers {rest} besides a date and a time")
    else:
        hour, minute = clock.hour, clock.minute
    return datetime.combine(date(year, month, day), time(hour, minute), tzinfo=tz)


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
