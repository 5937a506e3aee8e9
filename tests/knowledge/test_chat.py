"""Governance questions in chat, for each pack, over HTTP the way Teams sends them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.settings import Settings
from knowledge.body_kinds import BodyKinds, MissingBodies
from knowledge.packs import load_pack
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import start_bot

# (pack, question, words the cited answer must contain)
CONFIDENT = [
    ("norddjurs", "hvor tit mødes styregruppen", "Fire møder om året"),
    ("norddjurs", "hvem er formand for programgruppen", "formand"),
    ("randers", "hvad er følg eller forklar", "forklar"),
    ("randers", "hvor mange gange om året er der fællesmøder", "to"),
    ("rebild", "hvad laver en superbruger", "Superbruger"),
    ("rebild", "hvad laver databeskyttelsesrådgiveren", "Databeskyttelsesrådgiver"),
    # what a body's secretary does: the secretary's entry with the body's working practice
    ("norddjurs", "hvad laver en sekretær for styregruppen", "styregruppens sekretær forbereder"),
]


@pytest.mark.parametrize(("pack", "question", "expected"), CONFIDENT)
async def test_confident_answers_cite_their_source(
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    pack: str,
    question: str,
    expected: str,
) -> None:
    bot = await start_bot(make_settings(knowledge_pack=pack))
    try:
        await bot.post(message(question, service_url=channel.url))
    finally:
        await bot.stop()
    answer = channel.received[-1]
    assert answer.card is not None
    assert expected.lower() in answer.text.lower()
    assert "Kilde:" in answer.text


@pytest.mark.parametrize("pack", ["randers", "norddjurs", "rebild"])
async def test_nonsense_gets_dont_know_and_a_person(
    make_settings: Callable[..., Settings], channel: TestChannel, pack: str
) -> None:
    bot = await start_bot(make_settings(knowledge_pack=pack))
    try:
        await bot.post(message("hvem vandt VM i fodbold", service_url=channel.url))
    finally:
        await bot.stop()
    # Out of scope: declined kindly, with what govbot can do instead; never a cited answer.
    answer = channel.received[-1]
    assert "Det kan jeg desværre ikke hjælpe med" in answer.text
    assert "Kilde:" not in answer.text


async def test_english_question_gets_an_english_answer(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    bot = await start_bot(make_settings(knowledge_pack="norddjurs"))
    try:
        await bot.post(message("how often does the steering group meet", service_url=channel.url))
    finally:
        await bot.stop()
    answer = channel.received[-1]
    assert "Source:" in answer.text
    assert "four" in answer.text.lower()


async def test_related_question_button_and_a_forged_one(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    bot = await start_bot(make_settings(knowledge_pack="norddjurs"))
    try:
        await bot.post(message("hvor tit mødes styregruppen", service_url=channel.url))
        card = channel.received[-1].card
        assert card is not None
        button = card["actions"][0]
        assert button["data"]["action"] == "knowledge.entry"
        await bot.post(message(None, service_url=channel.url, value=button["data"]))
        assert "Kilde:" in channel.received[-1].text
        await bot.post(
            message(
                None,
                service_url=channel.url,
                value={"action": "knowledge.entry", "entry": "body:'; DROP TABLE persons;--"},
            )
        )
        assert "Det svar kan jeg ikke finde længere" in channel.received[-1].text
    finally:
        await bot.stop()


# (pack, question, what the pack lacks, bodies of the pack that decide on IT, said in the reply)
NO_SUCH_BODY = [
    ("randers", "hvem er formand for styregruppen?", "Randers Kommunes materiale har ingen "
     "styregruppe som selvstændigt organ, men sekretariatschefgruppen fungerer som styregruppe",
     ("Byrådet", "Direktionen", "Sekretariatschefgruppen", "IT & Digitalisering")),
    ("randers", "hvornår mødes styregruppen?", "har ingen styregruppe som selvstændigt organ",
     ("Byrådet", "Direktionen", "Sekretariatschefgruppen")),
    ("randers", "who chairs the steering group?", "Randers Kommune's material has no steering "
     "group of its own, but the secretariat heads' group acts as one",
     ("City council", "Executive board")),
    ("rebild", "hvornår mødes styregruppen?", "Rebild Kommunes materiale beskriver ingen "
     "styregruppe", ("Direktionen", "Strategisk ledergruppe")),
    ("norddjurs", "hvem sidder i den strategiske ledergruppe?", "beskriver ingen strategisk "
     "ledergruppe", ("den tværgående digitaliseringsstyregruppe",)),
]  # fmt: skip


@pytest.mark.parametrize(("pack", "question", "lacks", "deciders"), NO_SUCH_BODY)
async def test_a_body_the_pack_has_none_of_is_said_plainly_with_the_bodies_that_decide(
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    pack: str,
    question: str,
    lacks: str,
    deciders: tuple[str, ...],
) -> None:
    """Not "Jeg kender ikke forummet", not the next meetings of every other body: the pack's
    material describes no such body, and the ones it does describe are offered as buttons."""
    bot = await start_bot(make_settings(knowledge_pack=pack))
    try:
        await bot.post(message(question, service_url=channel.url))
        answer = channel.received[-1]
        assert answer.card is not None and lacks in answer.text
        assert all(name in answer.text for name in deciders)
        assert "Jeg kender ikke forummet" not in answer.text and "De næste møder" not in answer.text
        buttons = answer.card["actions"]
        assert len(buttons) >= len(deciders)
        # A button asks about one of those bodies and gets its cited answer.
        await bot.post(message(None, service_url=channel.url, value=buttons[-1]["data"]))
        assert "Kilde:" in channel.received[-1].text or "Source:" in channel.received[-1].text
    finally:
        await bot.stop()


def test_where_the_pack_s_own_duties_use_the_word_is_quoted_not_answered_as_that_body() -> None:
    missing = MissingBodies(load_pack("randers"))
    kind = missing.named("hvem er formand for styregruppen?")
    assert kind is not None and kind.key == "styregruppe"
    [mention] = missing.mentions(kind, "da")
    assert mention.body.key == "sekretariatschefgruppe" and "Er styregruppe for" in mention.line
    # A question that names one of the pack's own bodies is about that body.
    assert missing.named("er sekretariatschefgruppen styregruppe for projekterne?") is None
    assert missing.named("hvem er formand for direktionen?") is None


def test_the_kinds_a_pack_lacks_are_read_from_the_kinds_data_not_from_the_pack_s_name() -> None:
    kinds = BodyKinds.model_validate(
        {"kinds": [{"key": "direktion", "name_da": "direktion", "name_en": "executive board",
                    "words_da": ["direktion"], "words_en": ["executive board"]},
                   {"key": "arkitekturraad", "name_da": "arkitekturråd",
                    "name_en": "architecture board", "words_da": ["arkitekturråd"],
                    "words_en": ["architecture board"]}]}
    )  # fmt: skip
    for pack in ("randers", "norddjurs", "rebild"):
        missing = MissingBodies(load_pack(pack), kinds)
        assert [k.key for k in missing.lacked] == ["arkitekturraad"]
        assert missing.named("hvem sidder i arkitekturrådet?") is not None
