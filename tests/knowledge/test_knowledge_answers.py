"""Knowledge answers over HTTP, per pack: a fact from a list inside an entry, a chair answered
from the pack and govbot's records together, "Mente du …?" with a way out, an honest unknown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.settings import Settings
from storage.db import Database
from storage.demo import load_demo_data
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import RunningBot, reply_to, start_bot

# (pack, question, the list item quoted first)
LIST_ITEM_FACTS = [
    ("norddjurs", "hvor mange chefer fra velfærdsområdet er med i styregruppen",
     "» 2 chefer fra velfærdsområdet"),
    ("randers", "hvem kan give dispensation fra indkøbsguiden",
     "» Dispensation fra Indkøbsguiden: gives af IT & Digitalisering"),
    ("rebild", "hvem underskriver kontrakten", "» Underskriver og opsiger kontrakten"),
]  # fmt: skip

# (pack, question, what the pack says, what govbot's records say)
CHAIRS = [
    ("norddjurs", "hvem er formand for styregruppen",
     "Chef for Borgerservice, IT og Digitalisering",
     "I govbot er Hanne Friis (hanne.friis@demokommune.dk) registreret som formand"),
    ("norddjurs", "hvem er formand for programgruppen",
     "Leder af Digitalisering", "I govbot er Ole Krogh (ole.krogh@demokommune.dk) registreret som"),
    ("randers", "hvem er formand for direktionen",
     "Vores materiale nævner ikke, hvem der er formand for Direktionen", "registreret som formand"),
    # A body with no meetings in govbot is still a body of the pack (no "Jeg kender ikke forummet").
    ("randers", "hvem er formand for sekretariatschefgruppen",
     "Vores materiale nævner ikke, hvem der er formand for Sekretariatschefgruppen",
     "registreret som formand"),
    ("rebild", "hvem er sekretær for informationssikkerhedsudvalget",
     "informationssikkerhedskoordinator", "som sekretær for"),
]  # fmt: skip

# (pack, a question with several plausible answers)
AMBIGUOUS = [
    ("norddjurs", "hvem er formand"),
    ("randers", "hvem beslutter"),
    ("rebild", "hvem har ansvaret"),
]


async def _demo_bot(
    make_settings: Callable[..., Settings], database: Database, pack: str
) -> RunningBot:
    """The app on a database holding the demo municipality (its bodies' chairs and members)."""
    async with database.transaction() as session:
        await load_demo_data(session=session, pack_key=pack)
    return await start_bot(make_settings(knowledge_pack=pack))


async def _did_you_mean(bot: RunningBot, channel: TestChannel, question: str) -> list[Any]:
    """Ask `question`; the "Mente du" card's actions: up to three different choices, then
    "Ingen af dem", within Teams' five."""
    await bot.post(message(question, service_url=channel.url))
    card = channel.received[-1].card
    assert card is not None
    actions: list[Any] = card["actions"]
    choices = [a for a in actions if a["data"]["action"] == "knowledge.entry"]
    assert 1 <= len(choices) <= 3 and len(actions) <= 5
    assert len({a["title"] for a in choices}) == len(choices), "choices differ"
    assert actions[-1]["title"] == "Ingen af dem"
    return actions


@pytest.mark.parametrize(("pack", "question", "fact"), LIST_ITEM_FACTS)
async def test_a_fact_in_a_list_is_quoted_first(
    make_settings: Callable[..., Settings], channel: TestChannel, pack: str, question: str,
    fact: str,
) -> None:  # fmt: skip
    answer = await reply_to(make_settings(knowledge_pack=pack), channel, question)
    assert fact in answer
    assert answer.index(fact) < answer.index("Kilde:")


@pytest.mark.parametrize(("pack", "question", "from_pack", "from_records"), CHAIRS)
async def test_chair_comes_from_the_pack_and_from_govbot(
    make_settings: Callable[..., Settings], database: Database, channel: TestChannel, pack: str,
    question: str, from_pack: str, from_records: str,
) -> None:  # fmt: skip
    bot = await _demo_bot(make_settings, database, pack)
    try:
        await bot.post(message(question, service_url=channel.url))
    finally:
        await bot.stop()
    reply = channel.received[-1]
    assert from_pack in reply.text
    assert from_records in reply.text
    # Never a dead end: a card's buttons, or a next step under a plain answer.
    assert (reply.card and reply.card.get("actions")) or reply.activity.get("suggestedActions")


async def test_demo_bodies_have_different_chairs(
    make_settings: Callable[..., Settings], database: Database, channel: TestChannel
) -> None:
    bot = await _demo_bot(make_settings, database, "norddjurs")
    try:
        await bot.post(message("hvem er formand for styregruppen", service_url=channel.url))
        steering = channel.received[-1].text
        await bot.post(message("hvem er formand for programgruppen", service_url=channel.url))
        programme = channel.received[-1].text
    finally:
        await bot.stop()
    assert "Hanne Friis" in steering and "Hanne Friis" not in programme


async def test_chair_without_a_holder_says_none_is_set(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    settings = make_settings(knowledge_pack="norddjurs")
    answer = await reply_to(settings, channel, "hvem er formand for styregruppen")
    assert "Chef for Borgerservice, IT og Digitalisering" in answer
    assert "Der er endnu ingen registreret som formand" in answer


@pytest.mark.parametrize(("pack", "question"), AMBIGUOUS)
async def test_did_you_mean_has_a_way_out_to_whom_to_ask(
    make_settings: Callable[..., Settings], channel: TestChannel, pack: str, question: str
) -> None:
    bot = await start_bot(make_settings(knowledge_pack=pack))
    try:
        actions = await _did_you_mean(bot, channel, question)
        await bot.post(message(None, service_url=channel.url, value=actions[-1]["data"]))
    finally:
        await bot.stop()
    answer = channel.received[-1].text
    assert "Det står ikke i vores materiale" in answer
    assert "Spørg" in answer


# (pack, a question the engine is unsure of, the choice that answers it, a fact in that answer)
UNSURE = [
    ("norddjurs", "hvem fjerner hindringer for programgruppen",
     "body:styregruppe", "barrierer"),
    ("randers", "hvad slags bærbare bruger skolerne", "principle:cloud_kontorplatforme",
     "Chromebooks"),
    ("rebild", "hvad står der om sikkerhed i principperne",
     "principle:informationssikkerhed", "følsomme persondata"),
]  # fmt: skip


@pytest.mark.parametrize(("pack", "question", "entry_id", "fact"), UNSURE)
async def test_an_unsure_answer_offers_the_right_choice_and_a_way_out(
    make_settings: Callable[..., Settings], channel: TestChannel, pack: str, question: str,
    entry_id: str, fact: str,
) -> None:  # fmt: skip
    bot = await start_bot(make_settings(knowledge_pack=pack))
    try:
        actions = await _did_you_mean(bot, channel, question)
        choice = next(a for a in actions if a["data"].get("entry") == entry_id)
        await bot.post(message(None, service_url=channel.url, value=choice["data"]))
    finally:
        await bot.stop()
    answer = channel.received[-1].text
    assert fact in answer
    assert "Kilde:" in answer


@pytest.mark.parametrize(
    ("pack", "who"),
    [("randers", "IT & Digitalisering"), ("norddjurs", "Leder af Digitalisering"),
     ("rebild", "It (Fællescenter Økonomi og It)")],
)  # fmt: skip
async def test_an_honest_unknown_names_who_knows(
    make_settings: Callable[..., Settings], channel: TestChannel, pack: str, who: str
) -> None:
    answer = await reply_to(
        make_settings(knowledge_pack=pack), channel, "hvad brugte vi på it-konsulenter sidste år?"
    )
    assert "Det står ikke i vores materiale" in answer
    assert who in answer
    assert "Kilde:" not in answer


async def test_who_sits_in_a_body_without_records_gives_the_kommissorium(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    question = "hvilke typer medarbejdere sidder i programgruppen"
    answer = await reply_to(make_settings(knowledge_pack="norddjurs"), channel, question)
    assert "1 repræsentant fra Staben" in answer
    assert "Der er endnu ingen registreret som medlem af" in answer
