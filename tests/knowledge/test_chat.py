"""Governance questions in chat, for each pack, over HTTP the way Teams sends them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.settings import Settings
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
