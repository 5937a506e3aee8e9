"""Which of a meeting's deadlines a message asks about ("hvornår skal referatet ud"), read with
the words in deadline_words.yaml, and whether a deadline has passed."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import get_args
from zoneinfo import ZoneInfo

from knowledge.schema_bodies import Body, ReminderKind, ReminderRule
from knowledge.text import fold
from knowledge.yaml_loader import safe_load

WORDS_FILE = Path(__file__).with_name("deadline_words.yaml")
# The deadlines a question can ask for, in the order a message naming several is read.
ASKABLE: tuple[str, ...] = ("recommendations_deadline", "agenda_due", "minutes_due")
# Reminders a question about reminders asks the time of ("hvornår får medlemmerne påmindelser"),
# told by reminder_times.py rather than as a deadline of the next meeting.
ASKED_REMINDERS: tuple[str, ...] = ("member_reminder",)


class DeadlineWordsError(ValueError):
    """deadline_words.yaml does not hold lists of words per askable reminder kind."""


@cache
def deadline_words(path: Path = WORDS_FILE) -> dict[str, frozenset[str]]:
    """Each askable reminder kind's words, folded (æøå as typed without them too)."""
    data = safe_load(path.read_text("utf-8")) or {}
    if not isinstance(data, dict):
        raise DeadlineWordsError(f"{path.name}: expected a mapping of reminder kinds")
    kinds = set(get_args(ReminderKind))
    words: dict[str, frozenset[str]] = {}
    for kind, by_lang in data.items():
        if kind not in kinds or kind not in (*ASKABLE, *ASKED_REMINDERS):
            raise DeadlineWordsError(f"{path.name}: {kind!r} is no askable reminder kind")
        if not isinstance(by_lang, dict) or not all(
            isinstance(listed, list) and listed and all(isinstance(w, str) for w in listed)
            for listed in by_lang.values()
        ):
            raise DeadlineWordsError(f"{path.name}: {kind} needs a list of words per language")
        words[kind] = frozenset(fold(w) for listed in by_lang.values() for w in listed)
    return words


def deadline_passed(due: datetime, now: datetime, tz: ZoneInfo) -> bool:
    """Whether the day of deadline `due` is over at `now` in the municipality's time zone:
    "senest torsdag" holds all of Thursday, not only until the 09:00 reminder."""
    return due.astimezone(tz).date() < now.astimezone(tz).date()


def asked_deadline(text: str, body: Body) -> ReminderRule | None:
    """The rule of `body` whose deadline `text` asks for, if it names one the body has."""
    tokens = set(fold(text).split())
    words = deadline_words()
    rules = {rule.kind: rule for rule in body.reminder_rules}
    for kind in ASKABLE:
        if tokens & words.get(kind, frozenset()) and kind in rules:
            return rules[kind]
    return None
