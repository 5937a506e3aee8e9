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
    ("choice", "then", "expected", "count"),
    [
        ("Kobl mig på", [], "Du er nu koblet på **Digital nattevagt", 1),
        ("Fortsæt alligevel", ANSWERS[1:], "er registreret som idé (nr. 2)", 2),
        ("Annuller", [], "jeg har stoppet det", 1),
    ],
)
async def test_dialog_warns_of_a_near_duplicate_right_after_the_title(
    bot: RunningBot,
    channel: TestChannel,
    choice: str,
    then: list[str],
    expected: str,
    count: int,
) -> None:
    chat = Chat(bot, channel, {})
    await chat.send(value={**FORM, "action": "portfolio.register"})
    await chat.send("registrer initiativ trin for trin")
    replies = await chat.send(ANSWERS[0])  # the title: checked before any other question
    said = "\n".join(r.text for r in replies)
    assert "Et lignende initiativ findes: **Digital nattevagt med sensorer på plejecentre**" in said
    assert "vil du koble dig på i stedet?" in said
    replies = await chat.send(choice)
    for answer in then:
        said = "\n".join(r.text for r in replies)
        assert "lignende initiativ" not in said  # warned once, not again at the end
        replies = await chat.send(answer)
    assert expected in "\n".join(r.text for r in replies)
    listing = await chat.card("initiativer")
    assert len([b for b in listing["body"] if b["type"] == "Container"]) == count


async def test_back_from_the_question_after_the_title_asks_the_title_again(
    bot: RunningBot, channel: TestChannel
) -> None:
    chat = Chat(bot, channel, {})
    await chat.send(value={**FORM, "action": "portfolio.register"})
    await chat.send("registrer initiativ trin for trin")
    await chat.send(ANSWERS[0])
    await chat.send("Fortsæt alligevel")
    replies = await chat.send("tilbage")
    assert "Hvad hedder initiativet?" in "\n".join(r.text for r in replies)
    assert "så registrerer vi dit initiativ" not in "\n".join(r.text for r in replies), "said once"


async def test_registering_step_by_step_says_what_is_ahead_first(
    bot: RunningBot, channel: TestChannel
) -> None:
    # Not a bare form prompt: what happens, how many questions, and how to stop.
    replies = await Chat(bot, channel, {}).send("registrer initiativ trin for trin")
    said = [r.text for r in replies if "Jeg er govbot" not in r.text]  # the welcome comes first
    assert "så registrerer vi dit initiativ i porteføljen" in said[0] and "annuller" in said[0]
    assert said[-1].startswith("Hvad hedder initiativet?")


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


async def test_the_form_pressed_again_shows_the_initiative_instead_of_registering_it_twice(
    bot: RunningBot, channel: TestChannel
) -> None:
    chat = Chat(bot, channel, {})
    submit = {**FORM, "action": "portfolio.register"}
    first = "\n".join(r.text for r in await chat.send(value=submit))
    assert "er registreret som idé (nr. 1)" in first
    again = "\n".join(r.text for r in await chat.send(value={**submit, "confirmed": True}))
    assert "er allerede registreret (nr. 1), så jeg har ikke registreret det igen" in again
    listing = await chat.card("initiativer")
    assert len([b for b in listing["body"] if b["type"] == "Container"]) == 1
