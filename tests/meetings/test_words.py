"""Reading body names and times the way users write them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import get_args
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.capabilities.meetings.deadlines import (
    ASKABLE,
    ASKED_REMINDERS,
    DeadlineWordsError,
    asked_deadline,
    deadline_passed,
    deadline_words,
)
from bot.intent_declarations import normalise
from dialogs.texts import text
from knowledge.meeting_words import BodyFinder, asked_meeting_number, parse_when
from knowledge.packs import load_pack
from knowledge.schema_bodies import ReminderKind

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
    ("said", "clock"),
    [
        ("fredag kl. 10", (10, 0)),
        ("fredag 10.30", (10, 30)),
        ("fredag 14.30", (14, 30)),
        ("fredag kl. 14", (14, 0)),
        ("i morgen kl. 10", (10, 0)),
        ("friday at 2pm", (14, 0)),
        ("friday 2 pm", (14, 0)),
        ("friday 2:30pm", (14, 30)),
        ("friday at 2 p.m.", (14, 0)),
        ("friday at 12 pm", (12, 0)),
        ("friday at 2am", (2, 0)),
        ("friday at 12 a.m.", (0, 0)),
        ("4.3.2027 2:30 pm", (14, 30)),
        ("4 march 2027 at 2pm", (14, 0)),
        ("friday at 14 pm", None),  # no hour of a 12-hour clock: asked again, not guessed
        ("fredag 9", None),  # a bare number is no time
        # Meetings are held by day: a low hour without am/pm is in the afternoon.
        ("fredag kl. 2", (14, 0)),
        ("friday at 3", (15, 0)),
        ("fredag kl. 8", (8, 0)),
        ("fredag kl. 06.30", (6, 30)),  # a leading zero: the 24-hour clock
        # The spoken clock.
        ("fredag halv tre", (14, 30)),
        ("fredag kl. halv 10", (9, 30)),
        ("fredag kvart over to", (14, 15)),
        ("fredag kl. kvart i tre", (14, 45)),
        ("fredag klokken tre", (15, 0)),
        ("friday at half past two", (14, 30)),
        ("friday at quarter to ten", (9, 45)),
    ],
)
def test_a_time_of_day_as_danes_and_english_speakers_write_it(
    said: str, clock: tuple[int, int] | None
) -> None:
    """Read as typed and as the intent patterns hand it over (punctuation gone: "2 30pm")."""
    wednesday = date(2027, 3, 3)
    for written in (said, normalise(said)):
        when = parse_when(written, TZ, default_year=2027, today=wednesday)
        assert ((when.hour, when.minute) if when else None) == clock, written
        if when is not None:
            assert when.date() in (date(2027, 3, 4), date(2027, 3, 5)), written


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


def test_deadline_words_name_every_askable_reminder_kind_and_no_other() -> None:
    assert set(deadline_words()) == {*ASKABLE, *ASKED_REMINDERS}
    assert set(deadline_words()) <= set(get_args(ReminderKind))


_GOOD = {kind: {"da": ["ord"], "en": ["word"]} for kind in (*ASKABLE, *ASKED_REMINDERS)}


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ({**_GOOD, "channel_post": {"da": ["opslag"], "en": ["post"]}},
         "words.yaml: channel_post: no askable reminder kind"),
        ({k: v for k, v in _GOOD.items() if k != "minutes_due"},
         "words.yaml: minutes_due: Field required"),
        ({**_GOOD, "agenda_due": {"da": [], "en": ["agenda"]}},
         "words.yaml: agenda_due.da: List should have at least 1 item"),
        ({**_GOOD, "agenda_due": {"da": ["dagsorden", "  "], "en": ["agenda"]}},
         "words.yaml: agenda_due.da.1: String should have at least 1 character"),
        ({**_GOOD, "agenda_due": {"da": "dagsorden", "en": ["agenda"]}},
         "words.yaml: agenda_due.da: Input should be a valid list"),
        ({**_GOOD, "agenda_due": {"da": ["dagsorden"], "en": ["agenda"], "de": ["Tagesordnung"]}},
         "words.yaml: agenda_due.de: no language of govbot's (da, en)"),
        ({**_GOOD, "agenda_due": {"da": ["dagsorden"]}},
         "words.yaml: agenda_due.en: Field required"),
        (["dagsorden"], "words.yaml: file: expected a mapping of reminder kinds"),
    ],
)  # fmt: skip
def test_a_bad_deadline_words_file_is_refused_naming_file_and_field(
    tmp_path: Path, written: object, reason: str
) -> None:
    bad = tmp_path / "words.yaml"
    bad.write_text(yaml.safe_dump(written, allow_unicode=True), "utf-8")
    with pytest.raises(DeadlineWordsError) as refused:
        deadline_words(bad)
    assert str(refused.value).startswith(reason), refused.value


@pytest.mark.parametrize(
    ("now", "passed"),
    [
        (datetime(2026, 12, 2, 12, 0, tzinfo=TZ), False),
        (datetime(2026, 12, 3, 16, 0, tzinfo=TZ), False),  # "senest torsdag" holds all Thursday
        (datetime(2026, 12, 3, 23, 30, tzinfo=ZoneInfo("UTC")), True),  # Friday in Denmark
        (datetime(2027, 1, 10, 9, 0, tzinfo=TZ), True),
    ],
)
def test_a_deadline_has_passed_once_its_day_is_over_in_the_municipality(
    now: datetime, passed: bool
) -> None:
    due = datetime(2026, 12, 3, 9, 0, tzinfo=TZ)
    assert deadline_passed(due, now, TZ) is passed


@pytest.mark.parametrize("kind", ASKABLE)
def test_every_askable_deadline_is_named_when_it_has_passed(kind: str) -> None:
    danish = text(f"meetings.deadline_of_{kind}", "da")
    assert danish.startswith("Fristen for ")
    assert text(f"meetings.deadline_of_{kind}", "en") != danish


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("hvornår er det andet møde i direktionen", 2),
        ("hvornår er årets tredje møde i styregruppen", 3),
        ("when is the second meeting of the steering group", 2),
        ("hvornår er næste møde i direktionen", None),
        ("hvornår er møde 2 i direktionen", None),  # a meeting's number in govbot
        ("er der et andet møde i direktionen", None),  # another meeting
        ("hvornår er mødet 3. marts i direktionen", None),
    ],
)
def test_which_of_the_years_meetings_is_asked_about(said: str, number: int | None) -> None:
    assert asked_meeting_number(said) == number
