"""`govbot procurement set-channel` on a real database."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from bot.cli import cli
from storage.conversations import ConversationInfo, remember_conversation
from storage.db import Database
from storage.procurement_screening import it_channel

CHANNEL = "19:it@thread.tacv2"


async def test_set_channel_only_accepts_a_channel_govbot_knows(
    database: Database, database_url: str
) -> None:
    env = {"GOVBOT_DATABASE_URL": database_url}
    runner = CliRunner()
    # Each command runs in a worker thread: it starts its own event loop.
    unknown = await asyncio.to_thread(
        runner.invoke, cli, ["procurement", "set-channel", CHANNEL], env=env
    )
    assert unknown.exit_code == 1 and "kender ikke kanalen" in unknown.output
    async with database.transaction() as session:
        await remember_conversation(
            session=session,
            info=ConversationInfo(
                conversation_id=CHANNEL,
                conversation_type="channel",
                channel_id="msteams",
                service_url="https://smba.trafficmanager.net/emea/",
                reference={},
                team_id="19:team@thread.tacv2",
            ),
        )
    listed = await asyncio.to_thread(runner.invoke, cli, ["procurement", "set-channel"], env=env)
    assert listed.exit_code == 0 and CHANNEL in listed.output and "(ingen)" in listed.output
    done = await asyncio.to_thread(
        runner.invoke, cli, ["procurement", "set-channel", CHANNEL], env=env
    )
    assert done.exit_code == 0, done.output
    async with database.transaction() as session:
        assert await it_channel(session=session) == CHANNEL
