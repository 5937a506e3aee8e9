"""A turn that fails half-way writes nothing and tells the user so."""

from __future__ import annotations

from botbuilder.core import TurnContext
from sqlalchemy import func, select

from bot.app import BOT
from dialogs.turn import turn_session
from storage.access import Role, grant_role
from storage.audit import Author
from storage.db import Database
from storage.models import AccessGrant, AuditEntry
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import RunningBot


async def test_a_turn_failing_half_way_leaves_no_partial_write(
    running_bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    async def write_then_fail(context: TurnContext) -> None:
        if context.activity.text == "fejl midtvejs":
            await grant_role(
                session=turn_session(context), principal="x@y.dk", role=Role.ADMIN, by=Author("t")
            )
            raise RuntimeError("the second half of the turn failed")

    running_bot.app[BOT]._routes.on_turn(write_then_fail)
    response = await running_bot.post(message("fejl midtvejs", service_url=channel.url))

    assert response.status == 201
    assert "Prøv igen om lidt" in channel.received[-1].text
    async with database.transaction() as session:
        for model in (AccessGrant, AuditEntry):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
