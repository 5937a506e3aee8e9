"""The step-by-step registration as transcripts over HTTP: answers in, expected words out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.settings import Settings
from tests.portfolio.test_e2e import FORM, Chat
from tests.support.channel import TestChannel
from tests.support.server import RunningBot, start_bot

ANSWERS = [
    "Digitale nattevagter med sensorer på plejecentrene",
    "Sensorer i stuerne varsler nattevagten.",
    "Sundhed og Omsorg",
    "lokal",
    "Pleje",
    "Færre fald",
    "-",
    "-",
    "pulje",
    "100000",
    "ja",
    "2026-01-01",
    "2026-12-31",
    "Anne Jensen",
    "Nexus",
]


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    running = await start_bot(make_settings(knowledge_pack="norddjurs", rate_limit_per_minute=0))
    yield running
    await running.stop()


@pytest.mark.parametrize(
    ("choice", "expected", "count"),
    [
        ("Kobl mig på", "Du er nu koblet på **Digital nattevagt", 1),
        ("Registrér alligevel", "er registreret som idé (nr. 2)", 2),
        ("Annuller", "jeg har stoppet det", 1),
    ],
)
async def test_dialog_warns_of_a_near_duplicate(
    bot: RunningBot, channel: TestChannel, choice: str, expected: str, count: int
) -> None:
    chat = Chat(bot, channel, {})
    await chat.send(value={**FORM, "action": "portfolio.register"})
    await chat.send("registrer initiativ trin for trin")
    for answer in ANSWERS:
        replies = await chat.send(answer)
    said = "\n".join(r.text for r in replies)
    assert "Et lignende initiativ findes: **Digital nattevagt med sensorer på plejecentre**" in said
    assert "vil du koble dig på i stedet?" in said
    replies = await chat.send(choice)
    assert expected in "\n".join(r.text for r in replies)
    listing = await chat.card("initiativer")
    assert len([b for b in listing["body"] if b["type"] == "Container"]) == count


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["Chatbot", "tilbage"], "Hvad hedder initiativet?"),
        (["ab"], "Skriv mindst 3 tegn."),
        (["Chatbot", "kort"], "Skriv mindst 10 tegn."),
        (["Chatbot", "annuller"], "jeg har stoppet det"),
        (["Chatbot", "hjælp"], 'Du er midt i "registrering af et initiativ"'),
    ],
)
async def test_dialog_steering_and_validation(
    bot: RunningBot, channel: TestChannel, steps: list[str], expected: str
) -> None:
    chat = Chat(bot, channel, {})
    await chat.send("registrer initiativ trin for trin")
    for step in steps:
        replies = await chat.send(step)
    assert expected in "\n".join(r.text for r in replies)
