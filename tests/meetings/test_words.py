"""Reading body names and times the way users write them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.capabilities.meetings.deadlines import (
    ASKABLE,
    ASKED_REMINDERS,
    DeadlineWordsError,
    asked_deadline,
    deadline_words,
)
from knowledge.meeting_words import BodyFinder, parse_when
from knowledge.packs import load_pack

TZ = ZoneInfo("Europe/Copenhagen")


@pytest.mark.parametrize(
    ("pack", "said", "body"),
    [
        ("norddjurs", "styregruppen", "styregruppe"),
        ("norddjurs", "styregrupen", "styregruppe"),
        ("norddjurs", "the steering group", "styregruppe"),
        ("norddjurs", "programgruppen", "programgruppe"),
        ("norddjurs", "byrådet", None),
        ("randers", "økonomiudvalget", "okonomiudvalget"),
        ("randers", "dialogmøderne", "dialogmoder"),
        ("randers", "styregruppen", None),
    ],
)
def test_bodies_are_found_by_name_synonym_and_typo(pack: str, said: str, body: str | None) -> None:
    found = BodyFinder(load_pack(pack)).find(said)
    assert (found.key if found else None) == body


@pytest.mark.parametrize(
    ("said", "when"),
    [
        ("2027-03-04 13:00", datetime(2027, 3, 4, 13, 0, tzinfo=TZ)),
        ("2027 03 04 9 30", datetime(2027, 3, 4, 9, 30, tzinfo=TZ)),
        ("4.3.2027 kl. 13.30", datetime(2027, 3, 4, 13, 30, tzinfo=TZ)),
        ("4. marts 2027", datetime(2027, 3, 4, 13, 0, tzinfo=TZ)),
        ("4 march kl 10", datetime(2027, 3, 4, 10, 0, tzinfo=TZ)),
        ("31-02-2027", None),
        ("i morgen", None),
        ("2027-03-04 25:00", None),
    ],
)
def test_times_in_danish_and_iso_order(said: str, when: datetime | None) -> None:
    assert parse_when(said, TZ, default_year=2027) == when


@pytest.mark.parametrize(
    ("said", "when"),
    [
        ("fredag", datetime(2027, 3, 5, 13, 0, tzinfo=TZ)),
        ("på fredag kl. 10", datetime(2027, 3, 5, 10, 0, tzinfo=TZ)),
        ("onsdag", datetime(2027, 3, 10, 13, 0, tzinfo=TZ)),  # today is no "onsdag"
        ("i morgen kl 9.30", datetime(2027, 3, 4, 9, 30, tzinfo=TZ)),
        ("tomorrow at 14", datetime(2027, 3, 4, 14, 0, tzinfo=TZ)),
        ("søndag 10:15", datetime(2027, 3, 7, 10, 15, tzinfo=TZ)),
        ("fredag den 12. marts", datetime(2027, 3, 12, 13, 0, tzinfo=TZ)),  # the date wins
        ("fredag kl 25", None),
        ("fredag i næste uge", None),  # not this week's Friday
        ("friday next week at 10:00", None),
    ],
)
def test_a_named_day_counts_from_today(said: str, when: datetime | None) -> None:
    wednesday = date(2027, 3, 3)
    assert parse_when(said, TZ, default_year=2027, today=wednesday) == when


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("hvornår er næste dagsorden til programgruppen klar", "agenda_due"),
        ("hvornår skal referatet være ude", "minutes_due"),
        ("frist for indstillinger til styregruppen", "recommendations_deadline"),
        ("when are the minutes due", "minutes_due"),
        ("hvornår er næste møde i styregruppen", None),
    ],
)
def test_the_deadline_a_question_asks_for_is_read_from_its_words(
    said: str, kind: str | None
) -> None:
    rule = asked_deadline(said, load_pack("norddjurs").body("styregruppe"))
    assert (rule.kind if rule else None) == kind


def test_deadline_words_name_only_askable_reminder_kinds(tmp_path: Path) -> None:
    assert set(deadline_words()) <= {*ASKABLE, *ASKED_REMINDERS}
    bad = tmp_path / "words.yaml"
    bad.write_text("channel_post:\n  da: [opslag]\n", "utf-8")
    with pytest.raises(DeadlineWordsError, match="no askable reminder kind"):
        deadline_words(bad)
