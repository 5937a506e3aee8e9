"""Which of a meeting's deadlines a message asks about ("hvornår skal referatet ud"), read with
the words in deadline_words.yaml, and whether a deadline has passed."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from knowledge.schema_bodies import Body, ReminderRule
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


_Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_Words = Annotated[list[_Word], Field(min_length=1)]


class _WordsByLanguage(BaseModel):
    """One reminder kind's words, in both of govbot's languages."""

    model_config = ConfigDict(extra="forbid")

    da: _Words
    en: _Words


class _DeadlineWordsFile(BaseModel):
    """deadline_words.yaml: every askable kind (ASKABLE, ASKED_REMINDERS) needs its words, as
    a question about a kind without words would never be understood."""

    model_config = ConfigDict(extra="forbid")

    recommendations_deadline: _WordsByLanguage
    agenda_due: _WordsByLanguage
    minutes_due: _WordsByLanguage
    member_reminder: _WordsByLanguage


# pydantic's wording where the file's own says more
_REASONS = {
    ("extra_forbidden", 1): "no askable reminder kind",
    ("extra_forbidden", 2): "no language of govbot's (da, en)",
    ("model_type", 0): "expected a mapping of reminder kinds",
}


@cache
def deadline_words(path: Path = WORDS_FILE) -> dict[str, frozenset[str]]:
    """Each askable reminder kind's words, folded (æøå as typed without them too)."""
    try:
        read = _DeadlineWordsFile.model_validate(safe_load(path.read_text("utf-8")))
    except ValidationError as error:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: "
            f"{_REASONS.get((e['type'], len(e['loc'])), e['msg'])}"
            for e in error.errors()
        )
        raise DeadlineWordsError(f"{path.name}: {reasons}") from None
    return {kind: frozenset(fold(w) for w in (*words.da, *words.en)) for kind, words in read}


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
