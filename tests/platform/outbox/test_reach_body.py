"""End to end, as the issue asks: a body none of whose members ever wrote to govbot.

The bot is installed in the body's team; `govbot reminders run` reaches every member through a
1:1 chat it opens (one of them only after installing the app through Graph); the one it cannot
reach is named, with the fix, in the secretary's digest; the secretary reads each member's
delivery status in chat; an acknowledged reminder card is updated in place.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.app import DATABASE, ROSTERS
from bot.cli import cli
from bot.settings import Settings
from knowledge.calendar import add_working_days
from knowledge.packs import load_pack
from storage import meetings, outbox
from storage.access import Role
from storage.audit import Author
from storage.directory import ensure_person
from storage.models.base import utcnow
from storage.reminders import Planning
from tests.platform.outbox.test_reach import TEAM, in_roster, team_event
from tests.support.activities import BOT_ID, TENANT_ID, installation_update, message, new_user
from tests.support.channel import TestChannel
from tests.support.graph import StandInGraph
from tests.support.seats import seat
from tests.support.server import RunningBot, start_bot

TZ = ZoneInfo("Europe/Copenhagen")
MANIFEST_ID = "govbot-manifest-id"
SECRETARY, MEMBERS = 70, (71, 72, 73, 74, 75)
NOT_INSTALLED, NOWHERE = 73, 75  # 73 gets the app through Graph; 75 no roster or Graph names


def email(n: int) -> str:
    return f"bruger{n}@norddjurs.dk"


def is_reminder(card: dict[str, Any] | None) -> bool:
    """A meeting reminder card (the welcome card a new installation brings is not one)."""
    said = json.dumps(card, ensure_ascii=False) if card is not None else ""
    return "meetings.ack" in said or "kvitteret for påmindelsen" in said


@pytest.fixture
async def graph(channel: TestChannel) -> AsyncIterator[StandInGraph]:
    stand_in = await StandInGraph(channel, manifest_id=MANIFEST_ID).start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
async def body_bot(
    make_settings: Callable[..., Settings], channel: TestChannel, graph: StandInGraph
) -> AsyncIterator[RunningBot]:
    bot = await start_bot(make_settings(dispatcher=False, knowledge_pack="norddjurs"))
    yield bot
    await bot.stop()


async def test_a_body_that_never_wrote_to_the_bot_gets_its_reminders(
    body_bot: RunningBot,
    channel: TestChannel,
    graph: StandInGraph,
    database_url: str,
) -> None:
    database = body_bot.app[DATABASE]
    pack = load_pack("norddjurs")
    start = datetime.combine(
        add_working_days(utcnow().astimezone(TZ).date(), 2), datetime.min.time(), tzinfo=TZ
    ).replace(hour=13)
    async with database.transaction() as session:
        for n in (SECRETARY, *MEMBERS):
            await ensure_person(session=session, email=email(n), name=f"Bruger {n}", by=Author("t"))
            role = Role.SECRETARY if n == SECRETARY else Role.MEMBER
            await seat(session, pack, email(n), role)
        meeting = await meetings.add_meeting(
            session=session, plan=Planning(pack, TZ, utcnow()), body="styregruppe", start=start,
            end=start + timedelta(hours=2), actor="t",
        )  # fmt: skip
        keys = {n: f"meeting:{meeting.id}:member_reminder:{email(n)}" for n in MEMBERS}
        for key in keys.values():  # their time has come
            row = await outbox.get_delivery(session=session, key=key)
            await outbox.enqueue(
                session=session, key=key, due_at=utcnow(), payload=row.message(),
                principal=row.principal, source="meetings", expires_at=row.expires_at,
                report_to=row.report_to,
            )  # fmt: skip

    # The bot is installed in the body's team: Teams says so, and govbot reads the roster.
    rostered = [n for n in (SECRETARY, *MEMBERS) if n != NOWHERE]
    for n in rostered:
        in_roster(channel, n)
    channel.rosters[TEAM] = [new_user(n)["user"] for n in rostered]
    channel.not_installed.add(new_user(NOT_INSTALLED)["aad_object_id"])
    await body_bot.post(team_event(channel, members_added=[{"id": BOT_ID}]))
    await body_bot.app[ROSTERS].settled()

    async def teams_tells_the_bot(user_id: str) -> None:
        user = new_user(NOT_INSTALLED)
        await body_bot.post(installation_update(service_url=channel.url, **user))

    graph.on_install = teams_tells_the_bot
    env = {
        "GOVBOT_DATABASE_URL": database_url,
        "GOVBOT_KNOWLEDGE_PACK": "norddjurs",
        "GOVBOT_GRAPH_TENANT_ID": TENANT_ID,
        "GOVBOT_GRAPH_CLIENT_ID": "govbot-graph",
        "GOVBOT_GRAPH_CLIENT_SECRET": "s3cret",
        "GOVBOT_GRAPH_URL": graph.url,
        "GOVBOT_GRAPH_LOGIN_URL": graph.login_url,
        "GOVBOT_TEAMS_APP_ID": MANIFEST_ID,
        "GOVBOT_REMINDER_DIGEST_SECONDS": "0.5",
    }
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["reminders", "run"], env=env)
    assert result.exit_code == 0, result.output
    assert "sendt 5" in result.output  # four reminders and the secretary's digest

    reached = [n for n in MEMBERS if n != NOWHERE]
    for n in reached:
        chat = f"a:1personal-1user-{n}"
        cards = [r.card for r in channel.to(chat) if is_reminder(r.card) and r.method == "POST"]
        assert len(cards) == 1, f"Bruger {n} got exactly one reminder"
    assert {c["members"][0]["id"] for c in channel.created} >= {
        new_user(n)["aad_object_id"] for n in reached
    }
    assert graph.installed == [new_user(NOT_INSTALLED)["aad_object_id"]]
    secretary_chat = f"a:1personal-1user-{SECRETARY}"
    [digest] = [r for r in channel.to(secretary_chat) if r.method == "POST"]
    assert "Jeg kunne ikke nå 1 person med" in digest.text
    assert "**Bruger 75**: jeg kender ikke Bruger 75s Teams-konto" in digest.text

    # The secretary asks how it went.
    secretary = new_user(SECRETARY)
    seen = len(channel.to(secretary_chat))
    await body_bot.post(
        message(f"status på påmindelser for møde {meeting.id}", service_url=channel.url,
                **secretary)
    )  # fmt: skip
    # (The first message to a bot is welcomed first.)
    status = channel.to(secretary_chat)[-1]
    assert f"Påmindelser for møde {meeting.id}" in status.text, [
        r.text for r in channel.to(secretary_chat)[seen:]
    ]
    assert "Bruger 71 – leveret" in status.text
    assert "Bruger 75 – ikke nået: jeg kender ikke Bruger 75s Teams-konto" in status.text

    # A member acknowledges: the card they got is replaced in place, without its buttons.
    member = new_user(71)
    chat = "a:1personal-1user-71"
    [posted] = [r for r in channel.to(chat) if is_reminder(r.card)]
    async with database.transaction() as session:
        row = await outbox.get_delivery(session=session, key=keys[71])
    assert row.activity_id
    await body_bot.post(
        message(None, service_url=channel.url, value={"action": "meetings.ack", "key": keys[71]},
                **member)
    )  # fmt: skip
    [updated] = [r for r in channel.to(chat) if r.method == "PUT"]
    assert updated.reply_to == row.activity_id, "the same activity, updated"
    assert updated.card is not None and posted.card is not None
    assert "Du har kvitteret for påmindelsen" in json.dumps(updated.card, ensure_ascii=False)
    assert not [a for a in updated.card["actions"] if a["type"] == "Action.Execute"]
    assert [a for a in posted.card["actions"] if a["type"] == "Action.Execute"]
    again = await body_bot.post(
        message(f"status på påmindelser for møde {meeting.id}", service_url=channel.url,
                **secretary)
    )  # fmt: skip
    assert again.status < 300
    assert "Bruger 71 – kvitteret" in channel.to(secretary_chat)[-1].text
