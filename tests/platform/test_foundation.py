"""End to end over HTTP: Teams-shaped activities in at /api/messages, replies at a serviceUrl."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from botbuilder.core import MessageFactory
from botbuilder.schema import ErrorResponseException

from bot.app import DATABASE, PROACTIVE, WARM_UP
from bot.readiness import WarmUp
from bot.settings import Settings
from knowledge.schema import Pack
from storage.conversations import get_conversation
from storage.db import Database
from tests.support.activities import bot_added, installation_update, message, teams_activity
from tests.support.channel import TestChannel
from tests.support.server import RunningBot, start_bot

# The profile card's "Ret enhed" button, as Teams submits it.
EDIT_UNIT = {"action": "profile.unit"}


async def test_welcome_card_once_on_install(running_bot: RunningBot, channel: TestChannel) -> None:
    response = await running_bot.post(installation_update(service_url=channel.url))
    assert response.status == 201
    await running_bot.post(bot_added(service_url=channel.url))

    assert len(channel.received) == 1, "install + conversationUpdate must welcome only once"
    welcome = channel.received[0]
    assert welcome.card is not None
    assert "Jeg er govbot" in welcome.text
    assert "Nyt it-system" in welcome.text


async def test_help_in_danish_and_english(running_bot: RunningBot, channel: TestChannel) -> None:
    await running_bot.post(message("hjælp", service_url=channel.url))
    await running_bot.post(message("help", service_url=channel.url, locale="en-US", user="29:bob"))

    danish = channel.to("a:1personal-1user-anne")
    english = channel.to("a:1personal-bob")
    assert "Det kan jeg hjælpe med" in danish[-1].text
    assert "Here is what I can do" in english[-1].text


async def test_unknown_text_gets_an_honest_answer_and_a_person(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    await running_bot.post(message("blå kaniner danser tango", service_url=channel.url))
    answer = channel.received[-1]
    assert "Det står ikke i vores materiale" in answer.text
    assert "IT & Digitalisering" in answer.text, "the answer names whom to ask"


async def test_expect_replies_returns_the_replies_in_the_body(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    activity = message("hjælp", service_url=channel.url, deliveryMode="expectReplies")
    response = await running_bot.post(activity)
    assert response.status == 200
    body = json.loads(await response.text())
    texts = json.dumps(body["activities"], ensure_ascii=False)
    assert "Det kan jeg hjælpe med" in texts
    assert channel.received == [], "expectReplies answers in the HTTP body, not at the serviceUrl"


async def test_adaptive_card_execute_invoke_returns_a_body(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    invoke = teams_activity(
        "invoke",
        service_url=channel.url,
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "say", "data": {"text": "hjælp"}}},
    )
    response = await running_bot.post(invoke)
    assert response.status == 200
    body = json.loads(await response.text())
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "Det kan jeg hjælpe med" in channel.received[-1].text

    stale = teams_activity(
        "invoke",
        service_url=channel.url,
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "no.such.verb", "data": {}}},
    )
    response = await running_bot.post(stale)
    assert response.status == 200
    assert "kender jeg ikke" in json.loads(await response.text())["value"]


async def test_a_prompt_started_before_a_restart_finishes_after_it(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    settings = make_settings()
    first = await start_bot(settings)
    try:
        await first.post(message("min profil", service_url=channel.url))
        await first.post(message(None, service_url=channel.url, value=EDIT_UNIT))
        assert "Hvilken enhed" in channel.received[-1].text
    finally:
        await first.stop()

    second = await start_bot(settings)
    try:
        await second.post(message("Sundhed og Omsorg", service_url=channel.url))
        assert "du er i **Sundhed og Omsorg**" in channel.received[-2].text
        assert "Sundhed og Omsorg" in _facts(channel.received[-1].card)["Enhed"]
    finally:
        await second.stop()


def _facts(card: dict[str, Any] | None) -> dict[str, str]:
    assert card is not None
    return {
        fact["title"]: fact["value"]
        for element in card["body"]
        if element["type"] == "FactSet"
        for fact in element["facts"]
    }


async def test_my_profile_shows_what_is_kept_and_changes_only_what_is_picked(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    async def press(title: str) -> None:
        card = channel.received[-1].card
        assert card is not None
        [data] = [a["data"] for a in card["actions"] if a["title"] == title]
        await running_bot.post(message(None, service_url=channel.url, value=data))

    await running_bot.post(message("min profil", service_url=channel.url))
    card = channel.received[-1].card
    assert _facts(card) == {
        "Enhed": "Ikke angivet",
        "Sprog": "Ikke valgt – jeg svarer på det sprog, du skriver",
    }
    assert card is not None
    assert [a["title"] for a in card["actions"]] == ["Ret enhed", "Dansk", "English"]

    await press("Ret enhed")
    assert channel.received[-1].text.startswith("Hvilken enhed")  # the unit alone is asked
    await running_bot.post(message("Sundhed og Omsorg", service_url=channel.url))
    assert _facts(channel.received[-1].card)["Enhed"] == "Sundhed og Omsorg"

    await press("English")  # the language by its button, nothing asked again
    assert channel.received[-1].text == "Fine – I will answer you in English from now on."
    await running_bot.post(message("min profil", service_url=channel.url))
    assert _facts(channel.received[-1].card) == {
        "Unit": "Sundhed og Omsorg",
        "Language": "English",
    }
    # The saved preference drives the language of later answers, Danish words or not.
    await running_bot.post(message("hjælp", service_url=channel.url))
    assert "Here is what I can do" in channel.received[-1].text


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        # "min profil" shows the card, whose "Ret enhed" asks for the unit.
        (["min profil", EDIT_UNIT, "annuller"], "jeg har stoppet det, vi var i gang med"),
        (["min profil", EDIT_UNIT, "tilbage"], "der er ikke noget at gå tilbage til"),
        (["min profil", EDIT_UNIT, "x"], "Skriv enhedens navn med 2–100 tegn"),
        (["min profil", EDIT_UNIT, "hjælp"], 'Du er midt i "din profil"'),
        (["min profil", EDIT_UNIT, "start forfra"], "Hvilken enhed"),
        (["annuller"], "intet at annullere"),
    ],
)
async def test_dialog_steering_words(
    running_bot: RunningBot,
    channel: TestChannel,
    steps: list[str | dict[str, str]],
    expected: str,
) -> None:
    last_turn = ""
    for step in steps:
        said, pressed = (step, None) if isinstance(step, str) else (None, step)
        activity = message(said, service_url=channel.url, value=pressed)
        response = await running_bot.post(activity)
        assert response.status == 201
        last_turn = "\n".join(r.text for r in await channel.replies_to(activity))
    assert expected in last_turn


async def test_a_stale_card_button_is_explained(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    await running_bot.post(
        message(None, service_url=channel.url, value={"action": "retired.feature", "id": 7})
    )
    assert "Den knap kender jeg ikke længere" in channel.received[-1].text


async def test_conversation_reference_is_stored(
    running_bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    await running_bot.post(message("hjælp", service_url=channel.url))
    async with database.transaction() as session:
        stored = await get_conversation(session=session, conversation_id="a:1personal-1user-anne")
    assert stored is not None
    assert stored.service_url == channel.url
    assert stored.aad_object_id == "00000000-0000-0000-0000-0000000000a1"
    assert stored.tenant_id and stored.conversation_type == "personal"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'{"type": "message"}', "text/plain", 415),
        (b"[1, 2, 3]", "application/json", 400),
        (b'{"text": "no type"}', "application/json", 400),
        (
            b'{"type": "message", "serviceUrl": "ftp://x", "conversation": {"id": "c"}}',
            "application/json",
            400,
        ),
    ],
)
async def test_malformed_requests_get_4xx(
    running_bot: RunningBot, body: bytes, content_type: str, status: int
) -> None:
    response = await running_bot.post_raw(body, headers={"Content-Type": content_type})
    assert response.status == status


async def test_healthz_ok(running_bot: RunningBot) -> None:
    await running_bot.ready()
    response = await running_bot.client.get(f"{running_bot.url}/healthz")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "database": "ok",
        "directory": "ready",
        "knowledge": "ready",
    }


class HeldWarmUp(WarmUp):
    """A warm-up that finishes only when the test says so."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def run(self, pack: Pack) -> None:
        await self.release.wait()
        await super().run(pack)


async def test_healthz_says_starting_until_the_warm_up_is_done(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    held = HeldWarmUp()

    def hold(app: web.Application) -> None:
        app[WARM_UP] = held

    bot = await start_bot(make_settings(), prepare=hold)
    try:
        await bot.app[DATABASE].directory.refresh()
        health = await bot.client.get(f"{bot.url}/healthz")
        assert health.status == 503
        assert (await health.json())["status"] == "starting"
        assert (await health.json())["knowledge"] == "building"
        # A turn that comes this early is still answered.
        assert (await bot.post(message("hjælp", service_url=channel.url))).status == 201
        held.release.set()
        await bot.ready()
        health = await bot.client.get(f"{bot.url}/healthz")
        assert health.status == 200
    finally:
        held.release.set()
        await bot.stop()


@pytest.mark.parametrize(
    "unreachable",
    [
        "sqlite+aiosqlite:////nonexistent-govbot-dir/sub/govbot.db",
        "postgresql+psycopg://postgres@127.0.0.1:1/govbot",
    ],
)
async def test_database_down_gives_503_and_a_danish_message(
    make_settings: Callable[..., Settings], channel: TestChannel, unreachable: str
) -> None:
    bot = await start_bot(make_settings(database_url=unreachable))
    try:
        health = await bot.client.get(f"{bot.url}/healthz")
        assert health.status == 503
        response = await bot.post(message("hjælp", service_url=channel.url))
        assert response.status == 201
        assert "Jeg kan ikke nå min database lige nu" in channel.received[-1].text
        assert "Traceback" not in channel.received[-1].text
    finally:
        await bot.stop()


async def test_proactive_message_reaches_a_stored_conversation(
    running_bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    await running_bot.post(message("hjælp", service_url=channel.url))
    async with database.transaction() as session:
        stored = await get_conversation(session=session, conversation_id="a:1personal-1user-anne")
    assert stored is not None
    before = len(channel.received)

    sender = running_bot.app[PROACTIVE]
    ids = await sender.send(stored, MessageFactory.text("Påmindelse: styregruppemøde i morgen"))

    assert len(ids) == 1
    assert channel.received[before].text == "Påmindelse: styregruppemøde i morgen"
    assert channel.received[before].conversation_id == "a:1personal-1user-anne"
    assert channel.received[before].reply_to is None, "a proactive message starts a new post"

    channel.fail_next(403)
    with pytest.raises(ErrorResponseException) as refused:
        await sender.send(stored, MessageFactory.text("blokeret"))
    assert refused.value.response.status_code == 403


async def test_a_say_button_answers_a_prompt_in_a_running_dialog(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    await running_bot.post(message("min profil", service_url=channel.url))
    await running_bot.post(message(None, service_url=channel.url, value=EDIT_UNIT))
    await running_bot.post(
        message(None, service_url=channel.url, value={"action": "say", "text": "Borgerservice"})
    )
    assert "du er i **Borgerservice**" in channel.received[-2].text


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("hvad kan du hjælpe med", "en-US", "Det kan jeg hjælpe med"),
        ("what can you do", "da-DK", "Here is what I can do"),
        ("hjælp", "en-US", "Det kan jeg hjælpe med"),
        ("help", "en-GB", "Here is what I can do"),
        ("menu", "da-DK", "Det kan jeg hjælpe med"),
    ],
)
async def test_a_clear_message_language_wins_over_the_teams_locale(
    running_bot: RunningBot, channel: TestChannel, text: str, locale: str, expected: str
) -> None:
    await running_bot.post(message(text, service_url=channel.url, locale=locale))
    assert expected in channel.received[-1].text


async def test_the_conversation_keeps_the_language_of_its_last_clear_message(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    await running_bot.post(
        message("hvad kan du hjælpe med", service_url=channel.url, locale="en-US")
    )
    await running_bot.post(message("menu", service_url=channel.url, locale="en-US"))
    assert "Det kan jeg hjælpe med" in channel.received[-1].text
    await running_bot.post(message("what can you do", service_url=channel.url, locale="en-US"))
    await running_bot.post(message("menu", service_url=channel.url, locale="en-US"))
    assert "Here is what I can do" in channel.received[-1].text
