"""Over HTTP: a turn says each thing once — the fallback is one message, no line of a turn's
replies comes twice, and a greeting after the welcome is a short hello, not the card again."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest

from bot.settings import Settings
from dialogs.texts import text
from knowledge.packs import load_pack
from tests.support.activities import installation_update, message
from tests.support.channel import Received, TestChannel
from tests.support.server import RunningBot, start_bot

# Messages that reach each kind of answer: the honest don't-know, out of scope, help, a role
# lookup, knowledge answers, small talk and the service desk.
MESSAGES = [
    "xqzzy blorp",
    "kan du bestille pizza?",
    "hjælp",
    "hvem er vores DPO",
    "hvem er systemejer for SBSYS",
    "hvad laver en superbruger",
    "hvor tit mødes styregruppen",
    "hvilke principper gælder",
    "min computer virker ikke",
    "tak",
    "who is the system owner of SBSYS",
]
# Conversations over several turns: prompts, a refused answer, a question in the middle of a flow.
FLOWS = [
    ["min profil", "x", "Kultur", "fransk", "dansk"],
    ["vi vil gerne købe et system til booking af mødelokaler", "hvad betyder SaaS?", "Kultur"],
    ["hvem er systemejer for", "sbsys", "og dataejeren?", "annuller", "annuller"],
]


@pytest.fixture
async def demo_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    running = await start_bot(make_settings(demo_data=True))
    yield running
    await running.stop()


async def turn(bot: RunningBot, channel: TestChannel, said: str) -> list[Received]:
    activity = message(said, service_url=channel.url)
    assert (await bot.post(activity)).status in (200, 201)
    return await channel.replies_to(activity)


def repeated_lines(replies: list[Received]) -> list[str]:
    """Lines of a turn's visible text that come more than once (short labels aside)."""
    lines = Counter(
        line.strip(" -—().,:!?")
        for reply in replies
        for line in reply.text.replace(" — ", "\n").replace(" (", "\n").splitlines()
        if len(line.strip()) >= 20
    )
    return [line for line, n in lines.items() if n > 1]


async def test_the_unknown_request_fallback_is_one_message_naming_whom_to_ask_once(
    demo_bot: RunningBot, channel: TestChannel
) -> None:
    await demo_bot.post(installation_update(service_url=channel.url))
    replies = await turn(demo_bot, channel, "xqzzy blorp")
    contact = load_pack("randers").default_contact
    assert len(replies) == 1
    assert "Det står ikke i vores materiale" in replies[0].text
    assert replies[0].text.count(contact.name_da) == 1
    if contact.note_da:
        assert replies[0].text.count(contact.note_da) == 1


@pytest.mark.parametrize("said", MESSAGES)
async def test_no_turn_says_the_same_line_twice(
    demo_bot: RunningBot, channel: TestChannel, said: str
) -> None:
    await demo_bot.post(installation_update(service_url=channel.url))
    replies = await turn(demo_bot, channel, said)
    assert replies, f"{said!r} got no answer"
    assert repeated_lines(replies) == [], [r.text for r in replies]


@pytest.mark.parametrize("steps", FLOWS, ids=lambda steps: steps[0])
async def test_no_turn_of_a_conversation_says_the_same_line_twice(
    demo_bot: RunningBot, channel: TestChannel, steps: list[str]
) -> None:
    await demo_bot.post(installation_update(service_url=channel.url))
    for said in steps:
        replies = await turn(demo_bot, channel, said)
        assert replies, f"{said!r} got no answer"
        assert repeated_lines(replies) == [], (said, [r.text for r in replies])


async def test_a_greeting_right_after_install_says_hello_without_the_card_again(
    demo_bot: RunningBot, channel: TestChannel
) -> None:
    await demo_bot.post(installation_update(service_url=channel.url))
    assert channel.received[0].card is not None  # the welcome
    replies = await turn(demo_bot, channel, "hej")
    assert len(replies) == 1
    assert replies[0].card is None
    assert replies[0].text == text("welcome.again", "da")
    buttons = replies[0].activity["suggestedActions"]["actions"]
    assert buttons[0]["title"] == text("actions.who_owns", "da")


async def test_a_first_hello_with_no_install_before_gets_the_welcome_card(
    demo_bot: RunningBot, channel: TestChannel
) -> None:
    replies = await turn(demo_bot, channel, "hej")
    assert len(replies) == 1
    assert replies[0].card is not None
    assert "Jeg er govbot" in replies[0].text
