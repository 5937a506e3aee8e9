"""One text lookup: message texts by key (text), a pack item's Danish or English field (in_lang),
dates and amounts by the language's patterns (formats), and Danish typed without æøå read by
the one folding function instead of ASCII variants written into the declarations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.intent_declarations import load_intents
from bot.intents import IntentMatcher
from dialogs.base import control_command
from dialogs.formats import amount, day
from dialogs.texts import in_lang
from knowledge.packs import load_pack
from knowledge.text import fold, words

MATCHER = IntentMatcher(load_intents(), utterances=())


@pytest.mark.parametrize(
    ("said", "intent", "params"),
    [
        ("gør bo til sekretaer for styregruppen", "access.grant", {"role": "sekretær"}),
        ("hvem er sekretaer for styregruppen", "access.who", {"role": "sekretær"}),
        ("tilfoej Anne som sekretaer af styregruppen", "meetings.add_member", {"role": "sekretær"}),
        ("paamindelser fra for styregruppen", "meetings.opt_out", {"body": "styregruppen"}),
        ("hvem skal jeg spoerge om sbsys", "directory.contacts", {"system": "sbsys"}),
        ("saet som it kanal", "procurement.set_channel", {}),
        ("indkob", "procurement.start", {}),
        ("registrér initiativ", "portfolio.register", {}),
        ("vis initiativer idé", "portfolio.list", {"status": "ide"}),
        ("generér årshjulet for 2027", "meetings.generate", {"year": "2027"}),
        ("hjaelp", "help", {}),
        ("which roles does soeren have", "directory.person", {"person": "soeren"}),
    ],
)
def test_danish_typed_without_aeoeaa_is_read_as_danish(
    said: str, intent: str, params: dict[str, str]
) -> None:
    match = MATCHER.match(said)
    assert match is not None and match.key == intent
    assert params.items() <= match.params.items()


def test_the_declarations_carry_no_ascii_variants() -> None:
    for declared in load_intents():
        folded = [fold(c) for c in declared.commands]
        assert len(folded) == len(set(folded)), (declared.key, declared.commands)
        for pattern in declared.patterns:
            # Accents are read away from the text, so a pattern writes "ide", not "idé".
            assert not re.search(r"[^\x00-\x7fæøå]", pattern), (declared.key, pattern)
            for group in re.findall(r"\((?:\?P<\w+>|\?:)?([^()]*)\)", pattern):
                read = [" ".join(words(alternative)) for alternative in group.split("|")]
                assert len(read) == len(set(read)), (declared.key, group)


@pytest.mark.parametrize(
    ("said", "command"),
    [("hjaelp", "help"), ("Hjælp!", "help"), ("?", "help"), ("ga tilbage", "back"),
     ("annuller", "cancel"), ("hjælp mig", None)],
)  # fmt: skip
def test_control_commands_are_folded(said: str, command: str | None) -> None:
    assert control_command(said) == command


def test_a_pack_items_field_in_either_language() -> None:
    body = load_pack("norddjurs").body("styregruppe")
    assert in_lang(body, "name", "da") == body.name_da
    assert in_lang(body, "name", "en") == body.name_en


def test_english_falls_back_to_danish_and_to_the_bare_field() -> None:
    class Item:
        title = "Styregruppemøde"
        title_en = None
        note_da = "kun dansk"
        note_en = ""

    assert in_lang(Item, "title", "en") == "Styregruppemøde"
    assert in_lang(Item, "note", "en") == "kun dansk"


def test_dates_and_amounts_follow_the_language() -> None:
    moment = datetime(2027, 3, 3, 23, 30, tzinfo=UTC)
    assert day(moment, "da", ZoneInfo("Europe/Copenhagen")) == "04.03.2027"
    assert day(date(2027, 3, 4), "en") == "2027-03-04"
    assert (amount(1250000, "da"), amount(1250000, "en")) == ("1.250.000", "1,250,000")
