"""The tenant gate and the per-user rate limit, over HTTP against the real app."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.middleware import REFRESHES_PER_TURN_ALLOWED
from bot.settings import Settings
from dialogs.texts import text
from storage.db import Database
from storage.models import BotStateDocument, ConversationRef
from tests.support.activities import TENANT_ID, execute, message, new_user, teams_activity
from tests.support.channel import TestChannel
from tests.support.server import start_bot

OTHER_TENANT = "0badc0de-0000-4000-8000-000000000bad"


async def _count(database: Database, model: type) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_other_tenants_are_refused_logged_and_unanswered(
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = await start_bot(make_settings(allowed_tenants=frozenset({TENANT_ID.upper()})))
    try:
        caplog.set_level(logging.INFO)
        refused = await bot.post(
            message("hjælp", service_url=channel.url, tenant=OTHER_TENANT, user_name="Eva Ukendt")
        )
        assert refused.status < 500
        assert channel.received == []
        assert await _count(database, ConversationRef) == 0
        assert await _count(database, BotStateDocument) == 0
        record = next(r for r in caplog.records if "tenant" in r.getMessage())
        assert record.fields["tenant"] == OTHER_TENANT
        assert "Eva" not in caplog.text and "hjælp" not in caplog.text

        await bot.post(message("hjælp", service_url=channel.url))
        assert "Det kan jeg hjælpe med" in channel.received[-1].text
    finally:
        await bot.stop()


async def test_a_missing_tenant_is_refused_when_tenants_are_restricted(
    make_settings: Callable[..., Settings], channel: TestChannel, database: Database
) -> None:
    bot = await start_bot(make_settings(allowed_tenants=frozenset({TENANT_ID})))
    try:
        activity = message("hjælp", service_url=channel.url)
        del activity["channelData"]
        del activity["conversation"]["tenantId"]
        await bot.post(activity)
        assert channel.received == []
        assert await _count(database, ConversationRef) == 0
    finally:
        await bot.stop()


async def test_the_rate_limit_answers_once_and_spares_other_users(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    bot = await start_bot(make_settings(rate_limit_per_minute=3))
    try:
        for _ in range(6):
            response = await bot.post(message("hjælp", service_url=channel.url))
            assert response.status == 201
        texts = [r.text for r in channel.received]
        assert sum("Det kan jeg hjælpe med" in t for t in texts) == 3
        assert sum("Vent et øjeblik" in t for t in texts) == 1, "one notice, not one per message"

        await bot.post(message("help", service_url=channel.url, locale="en-US", **new_user(2)))
        assert "Here is what I can do" in channel.received[-1].text
    finally:
        await bot.stop()


async def test_a_rate_limited_card_action_is_answered_on_the_card(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    bot = await start_bot(make_settings(rate_limit_per_minute=1))
    try:
        invoke = teams_activity(
            "invoke",
            service_url=channel.url,
            locale="en-US",
            name="adaptiveCard/action",
            value={"action": {"type": "Action.Execute", "verb": "say", "data": {"text": "help"}}},
        )
        assert (await bot.post(invoke)).status == 200
        limited = await bot.post(invoke)
        assert limited.status == 200
        # The Teams locale does not decide the language: the municipality's does.
        assert (await limited.json())["value"] == text("security.rate_limited", "da")
    finally:
        await bot.stop()


async def test_cards_refreshing_on_their_own_do_not_use_up_the_persons_turns(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    # A screener opens IT's channel: Teams refreshes every card in view, one invoke each.
    bot = await start_bot(make_settings(rate_limit_per_minute=1))
    refresh = execute({"verb": "say", "data": {"text": "hjælp"}}, service_url=channel.url,
                      trigger="automatic")  # fmt: skip
    try:
        for _ in range(REFRESHES_PER_TURN_ALLOWED):
            answered = await bot.post(refresh)
            assert (await answered.json())["value"] != text("security.rate_limited", "da")
        limited = await bot.post(refresh)
        assert (await limited.json())["value"] == text("security.rate_limited", "da")

        await bot.post(message("hjælp", service_url=channel.url))
        assert "Det kan jeg hjælpe med" in channel.received[-1].text, "the typed turn is spared"
    finally:
        await bot.stop()


def test_the_default_rate_limit_leaves_room_for_a_fast_screening() -> None:
    assert Settings.model_fields["rate_limit_per_minute"].default == 30


async def test_a_button_click_inside_a_running_dialog_counts_once(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    bot = await start_bot(make_settings(rate_limit_per_minute=4))
    try:
        click = {"action": "say", "text": "Et bookingsystem til mødelokaler"}
        await bot.post(message("indkøb", service_url=channel.url))
        await bot.post(message(None, service_url=channel.url, value=click))
        assert "Hvilken enhed" in channel.received[-1].text
        await bot.post(message("tilbage", service_url=channel.url))
        await bot.post(message(None, service_url=channel.url, value=click))
        texts = [r.text for r in channel.received]
        assert not any("Vent et øjeblik" in t for t in texts), "four turns, four hits"
        assert "Hvilken enhed" in texts[-1]

        await bot.post(message("dansk", service_url=channel.url))
        assert "Vent et øjeblik" in channel.received[-1].text
    finally:
        await bot.stop()
