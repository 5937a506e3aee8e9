"""Universal Actions over HTTP: IT's channel card is read-only for everyone and refreshed into
each screener's own view with their buttons; a button (Action.Execute) is answered with the card
as it then stands; the requester's own card of the request is updated in place after each
status change (the same activity id, new content)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import DATABASE, DISPATCHER
from bot.settings import Settings
from dialogs.procurement_notify import announce_request
from storage.procurement import Requester, submit_request
from tests.support.activities import execute, message, new_user
from tests.support.channel import Received, TestChannel
from tests.support.server import RunningBot, start_bot

TZ = ZoneInfo("Europe/Copenhagen")
IT_CHANNEL = "19:it-screening@thread.tacv2"
ANNE, SCREENER, SECOND_SCREENER, COLLEAGUE = new_user(1), new_user(7), new_user(8), new_user(9)
ANNE_CHAT = "a:1personal-1user-1"
IN_CHANNEL = {"conversation": IT_CHANNEL, "conversation_type": "channel"}


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    screeners = frozenset({SCREENER["aad_object_id"], SECOND_SCREENER["aad_object_id"]})
    running = await start_bot(
        make_settings(dispatcher=False, it_channel=IT_CHANNEL, it_screeners=screeners,
                      rate_limit_per_minute=0)
    )  # fmt: skip
    yield running
    await running.stop()


def posted(channel: TestChannel, conversation: str, needle: str) -> Received:
    [found] = [r for r in channel.to(conversation) if r.method == "POST" and needle in r.text]
    return found


def updates(channel: TestChannel, conversation: str, activity_id: str | None) -> list[Received]:
    return [r for r in channel.to(conversation) if r.method == "PUT" and r.reply_to == activity_id]


def titles(card: dict[str, Any]) -> list[str]:
    return [str(a["title"]) for a in card.get("actions", [])]


async def answered_card(bot: RunningBot, activity: dict[str, Any]) -> dict[str, Any]:
    """The card an invoke is answered with (Universal Actions' card response)."""
    response = await bot.post(activity)
    assert response.status == 200
    body = json.loads(await response.text())
    assert body["statusCode"] == 200, body
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    card: dict[str, Any] = body["value"]
    return card


async def test_each_screener_gets_their_buttons_everyone_else_a_read_only_card(
    bot: RunningBot, channel: TestChannel
) -> None:
    url = channel.url
    # The screeners and a colleague have written in IT's channel; Anne in her own chat.
    for user in (SCREENER, SECOND_SCREENER, COLLEAGUE):
        await bot.post(message("hjælp", service_url=url, **user, **IN_CHANNEL))
    await bot.post(message("hjælp", service_url=url, **ANNE))
    async with bot.app[DATABASE].transaction() as session:
        record = await submit_request(
            session=session,
            requester=Requester(ANNE["aad_object_id"], ANNE["user_name"],
                                aad_object_id=ANNE["aad_object_id"], lang="da"),
            pack_key="randers", unit="Kultur", need="Et bookingsystem til lokaler", answers={},
        )  # fmt: skip
        await announce_request(
            session=session, record=record, default_channel=IT_CHANNEL, tz=TZ, it_lang="da"
        )
    await bot.app[DISPATCHER].drain()

    # Everyone in the channel sees the same card, without buttons; Teams refreshes it for
    # the two screeners (and only them) through govbot.
    it_card = posted(channel, IT_CHANNEL, f"Ny anmodning #{record.id}")
    assert it_card.card is not None and titles(it_card.card) == []
    refresh = it_card.card["refresh"]
    assert refresh["action"]["type"] == "Action.Execute"
    assert set(refresh["userIds"]) == {SCREENER["user"], SECOND_SCREENER["user"]}
    mine = posted(channel, ANNE_CHAT, f"Din anmodning #{record.id}")
    assert mine.card is not None and "modtaget" in mine.text

    refreshed = execute(refresh["action"], service_url=url, trigger="automatic", **IN_CHANNEL)
    own = await answered_card(bot, {**refreshed, **_from(SCREENER)})
    assert {"Jeg tager den", "Godkend", "Afvis"} <= set(titles(own))
    # A colleague who refreshes by hand gets the read-only card.
    theirs = await answered_card(bot, {**refreshed, **_from(COLLEAGUE)})
    assert titles(theirs) == [] and "Kun IT's screenere" in json.dumps(theirs, ensure_ascii=False)

    # The screener takes it: the answer is their card as it now stands, without "take".
    [take] = [a for a in own["actions"] if a["title"] == "Jeg tager den"]
    taken = await answered_card(bot, {**execute(take, service_url=url, **IN_CHANNEL),
                                      **_from(SCREENER)})  # fmt: skip
    assert "Jeg tager den" not in titles(taken) and "Godkend" in titles(taken)
    assert "Status: under screening – Bruger 7" in json.dumps(taken, ensure_ascii=False)
    await bot.app[DISPATCHER].drain()
    [channel_card] = updates(channel, IT_CHANNEL, it_card.activity_id)
    assert channel_card.card is not None and titles(channel_card.card) == []
    assert "Status: under screening – Bruger 7" in channel_card.text
    [requester_card] = updates(channel, ANNE_CHAT, mine.activity_id)
    assert "under screening" in requester_card.text and "Bruger 7" in requester_card.text

    # Approved with conditions from the screener's view (the text box's value comes along).
    [conditions] = [a for a in taken["actions"] if a["title"] == "Godkend med vilkår"]
    [send] = conditions["card"]["actions"]
    note = "Databehandleraftalen skal være underskrevet"
    decided = await answered_card(bot, {
        **execute(send, service_url=url, inputs={"conditions_text": note}, **IN_CHANNEL),
        **_from(SCREENER),
    })  # fmt: skip
    assert titles(decided) == [], "a decided request offers no more buttons"
    await bot.app[DISPATCHER].drain()
    assert titles(updates(channel, IT_CHANNEL, it_card.activity_id)[-1].card or {}) == []
    now = updates(channel, ANNE_CHAT, mine.activity_id)[-1]
    assert "godkendt med betingelser" in now.text and note in now.text
    # The requester's card was updated, never posted again.
    assert [r for r in channel.to(ANNE_CHAT) if f"Din anmodning #{record.id}" in r.text
            and r.method == "POST"] == [mine]  # fmt: skip


def _from(user: dict[str, str]) -> dict[str, Any]:
    """The `from` of an activity sent by `user`."""
    return {"from": {"id": user["user"], "name": user["user_name"],
                     "aadObjectId": user["aad_object_id"]}}  # fmt: skip
