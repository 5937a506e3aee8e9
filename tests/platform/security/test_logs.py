"""INFO logs carry ids, never message text or names."""

from __future__ import annotations

import logging

import pytest

from bot.logs import KeyValueFormatter
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import RunningBot

SECRET_TEXT = "min cpr er 010203-4455 og jeg hedder Gudrun"


async def test_a_turn_logs_ids_not_text_or_names(
    running_bot: RunningBot, channel: TestChannel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for text in (SECRET_TEXT, "hjælp", "min profil", "Gudruns enhed"):
        await running_bot.post(message(text, service_url=channel.url, user_name="Gudrun Hansen"))
    formatter = KeyValueFormatter("%(levelname)s %(name)s %(message)s")
    lines = "\n".join(formatter.format(r) for r in caplog.records if r.levelno >= logging.INFO)
    assert "turn" in lines and "activity_id=" in lines
    for leaked in ("Gudrun", "010203", "cpr", "enhed", "Hansen"):
        assert leaked not in lines, leaked
