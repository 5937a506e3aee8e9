"""Retention of ended dialogs: botbuilder pops an ended dialog off the conversation's stack, so its
answers leave the state document on the turn it ends (nothing is left for retention to purge)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.settings import Settings
from storage.db import Database
from storage.models import BotStateDocument, ItSystem
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import start_bot


async def _conversation_document(database: Database) -> str:
    async with database.transaction() as session:
        rows = await session.scalars(
            select(BotStateDocument).where(BotStateDocument.key.like("%/conversations/%"))
        )
        return json.dumps([row.document for row in rows], ensure_ascii=False)


# The guide cancelled half-way, and ended by its reuse step (an existing system covers the need).
@pytest.mark.parametrize("ending", ["annuller", "Det dækker behovet"])
async def test_an_ended_dialog_leaves_no_answers_in_conversation_state(
    make_settings: Callable[..., Settings], channel: TestChannel, database: Database, ending: str
) -> None:
    async with database.transaction() as session:
        session.add(ItSystem(name="Booking Plus", description="Booking af lokaler"))
    bot = await start_bot(make_settings())
    try:
        await bot.post(message("indkøb", service_url=channel.url))
        await bot.post(
            message("Særlig Enhed Xyz vil have booking af lokaler", service_url=channel.url)
        )
        await bot.post(message("Kultur", service_url=channel.url))
        assert "Findes det allerede?" in channel.received[-2].text
        assert "Særlig Enhed Xyz" in await _conversation_document(database), "kept mid-dialog"
        await bot.post(message(ending, service_url=channel.url))
        assert "Særlig Enhed Xyz" not in await _conversation_document(database)
        await bot.post(message("hjælp", service_url=channel.url))  # the conversation goes on
        assert "Særlig Enhed Xyz" not in await _conversation_document(database)
    finally:
        await bot.stop()
