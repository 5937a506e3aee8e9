"""The årshjul asked late in the year, over HTTP: when every meeting of the year is held, the
coming year's meetings are shown, or it is said that they are not planned yet and who plans them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Settings
from knowledge.meeting_words import meeting_bodies
from knowledge.packs import load_pack
from storage import meetings
from storage.db import Database
from storage.models.base import utcnow
from storage.reminders import Planning
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import start_bot

TZ = ZoneInfo("Europe/Copenhagen")
PACK = load_pack("randers")
BODY = meeting_bodies(PACK)[0]


async def _meeting(database: Database, start: datetime) -> None:
    async with database.transaction() as session:
        await meetings.add_meeting(
            session=session, plan=Planning(PACK, TZ, utcnow()), body=BODY.key, start=start,
            end=start + timedelta(hours=1), actor="t",
        )  # fmt: skip


async def _wheel(settings: Settings, channel: TestChannel) -> str:
    bot = await start_bot(settings)
    try:
        before = len(channel.received)
        await bot.post(message("hej", service_url=channel.url))
        await bot.post(message("vis årshjulet", service_url=channel.url))
        return "\n".join(r.text for r in channel.received[before:][1:])
    finally:
        await bot.stop()


@pytest.mark.parametrize("coming_planned", [True, False])
async def test_the_wheel_after_the_last_meeting_of_the_year_looks_ahead(
    make_settings: Callable[..., Settings],
    database: Database,
    channel: TestChannel,
    coming_planned: bool,
) -> None:
    year = utcnow().astimezone(TZ).year
    # The year's only meeting is on its first morning, so it is held whenever the test runs.
    await _meeting(database, datetime(year, 1, 1, 0, 30, tzinfo=TZ))
    if coming_planned:
        await _meeting(database, datetime(year + 1, 3, 4, 13, 0, tzinfo=TZ))
    said = await _wheel(make_settings(knowledge_pack="randers"), channel)
    if coming_planned:
        assert f"Alle årets møder i {year} er holdt" in said
        assert f"Årshjulet for {year + 1}" in said and f"4. marts {year + 1}" in said
    else:
        assert f"Årshjulet for {year}" in said
        assert f"møderne for {year + 1} er ikke planlagt endnu" in said and "sekretær" in said
