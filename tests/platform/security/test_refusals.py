"""Every refusal, over HTTP against the real app: an employee replaying a screener's, a member's,
a secretary's or an admin's card payload changes nothing and is told why; stale or forged ids
get a clear message. Each refusal is paired with the allowed action, so the test can fail."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.settings import Settings
from knowledge.packs import load_pack
from storage import outbox
from storage.access import Role, access_of, grant_role, revoke_role
from storage.audit import Author
from storage.db import Database
from storage.directory_apply import apply_import
from storage.directory_import import read_import
from storage.meetings import add_meeting, get_meeting, move_meeting
from storage.models import OutboxMessage, RoleAssignment
from storage.models.base import utcnow
from storage.outbox_payloads import UnreachableNotice
from storage.portfolio import get_initiative, register_initiative
from storage.procurement import Requester, RequestStatus, all_requests, submit_request
from storage.reminders import Planning
from tests.directory.helpers import DANISH_CSV, PACK, write_csv
from tests.portfolio.factories import ANNE as ANNE_ACTOR
from tests.portfolio.factories import new_initiative
from tests.support.activities import message, new_user
from tests.support.channel import TestChannel
from tests.support.server import RunningBot, start_bot

ANNE_AAD = "00000000-0000-0000-0000-0000000000a1"  # the default test user: an employee
SCREENER = new_user(7)
ADMIN = new_user(9)
MEMBER = new_user(5)  # of the programme group
SECRETARY = new_user(6)  # of the steering group
BO = "bo.berg@kommune.dk"
TZ = ZoneInfo("Europe/Copenhagen")
GROUP = {"conversation": "19:group-chat@thread.v2", "conversation_type": "groupChat"}


@pytest.fixture
async def bot(
    make_settings: Callable[..., Settings], database: Database
) -> AsyncIterator[RunningBot]:
    running = await start_bot(
        make_settings(
            knowledge_pack="norddjurs",
            it_screeners=frozenset({SCREENER["aad_object_id"]}),
            admins=frozenset({ADMIN["aad_object_id"]}),
            dispatcher=False,
        )
    )
    async with database.transaction() as session:
        for user, role, body in (
            (MEMBER, Role.MEMBER, "programgruppe"),
            (SECRETARY, Role.SECRETARY, "styregruppe"),
        ):
            await grant_role(
                session=session,
                principal=user["aad_object_id"],
                role=role,
                body_key=body,
                by=Author("test"),
            )
    yield running
    await running.stop()


async def said(
    bot: RunningBot, channel: TestChannel, value: Any = None, text: str | None = None, **user: Any
) -> str:
    """Post a card submit (or text) as `user` (Anne by default); the replies' text."""
    activity = message(text, service_url=channel.url, value=value, **user)
    await bot.post(activity)
    return "\n".join(r.text for r in await channel.replies_to(activity))


def confirmation_yes(channel: TestChannel) -> dict[str, Any]:
    """The data of the yes button on the newest confirmation card."""
    card = channel.received[-1].card
    assert card is not None, channel.received[-1].text
    return dict(card["actions"][0]["data"])


async def test_procurement_decisions_need_a_screener(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    async with database.transaction() as session:
        record = await submit_request(
            session=session,
            requester=Requester(
                principal=ANNE_AAD, name="Anne Jensen", email=None, aad_object_id=ANNE_AAD
            ),
            pack_key="norddjurs",
            unit="Kultur",
            need="Et bookingsystem",
            answers={},
            departures=[],
        )
    for verb in ("take", "approve", "reject", "dispensation", "ask"):
        payload = {"action": f"procurement.{verb}", "request_id": record.id, "note": "ok"}
        assert "kun IT's screenere" in await said(bot, channel, payload), verb
    async with database.transaction() as session:
        [unchanged] = await all_requests(session=session)
    assert unchanged.status is RequestStatus.RECEIVED

    forged = {"action": "procurement.approve", "request_id": 987654}
    assert "kan jeg ikke finde" in await said(bot, channel, forged, **SCREENER)
    garbage = {"action": "procurement.approve", "request_id": "1; DROP TABLE x"}
    assert "kortet forældet" in await said(bot, channel, garbage, **SCREENER)
    payload = {"action": "procurement.take", "request_id": record.id}
    assert f"Du har taget anmodning #{record.id}" in await said(bot, channel, payload, **SCREENER)


async def test_an_initiative_moves_only_for_members_of_the_deciding_body(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    async with database.transaction() as session:
        record = await register_initiative(session=session, new=new_initiative(), actor=ANNE_ACTOR)
    move = {"action": "portfolio.move", "id": record.id, "to": "indstillet", "from": "ide"}
    assert "kun medlemmer af" in await said(bot, channel, move)
    assert "kun medlemmer af" in await said(bot, channel, move, **SECRETARY), "wrong body"
    async with database.transaction() as session:
        assert (await get_initiative(session=session, initiative_id=record.id)).status == "ide"

    await said(bot, channel, move, **MEMBER)
    async with database.transaction() as session:
        moved = await get_initiative(session=session, initiative_id=record.id)
    assert moved.status == "indstillet"
    assert "har flyttet sig" in await said(bot, channel, move, **MEMBER), "a stale card"
    forged = {**move, "id": 987654}
    assert "kan ikke finde initiativ nr. 987654" in await said(bot, channel, forged, **MEMBER)
    assert "knap kunne jeg ikke bruge" in await said(bot, channel, {**move, "to": "hacked"})


async def test_directory_changes_need_an_admin(
    bot: RunningBot, channel: TestChannel, database: Database, tmp_path: Path
) -> None:
    async with database.transaction() as session:
        rows = read_import(write_csv(tmp_path / "roller.csv", DANISH_CSV), PACK)
        await apply_import(session=session, rows=rows, actor="test")
    for text in (
        "sæt Ole Krogh som systemejer for SBSYS",
        "afslut Mette Holm som systemejer for SBSYS",
        "overdrag roller fra Mette Holm til Ole Krogh",
    ):
        assert "kun administratorer" in await said(bot, channel, text=text)
        assert "kun administratorer" not in await said(bot, channel, text=text, **ADMIN)
        await said(bot, channel, text="nej", **ADMIN)
    async with database.transaction() as session:
        changed = await session.scalar(
            select(RoleAssignment).where(RoleAssignment.valid_to.is_not(None))
        )
    assert changed is None, "nothing was changed"


async def test_meetings_are_managed_by_their_secretary(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    start = (utcnow() + timedelta(days=30)).replace(microsecond=0)
    async with database.transaction() as session:
        meeting = await add_meeting(
            session=session,
            plan=Planning(load_pack("norddjurs"), TZ, utcnow()),
            body="styregruppe",
            start=start,
            end=start + timedelta(hours=2),
            actor="test",
        )
    for text in (
        f"aflys møde {meeting.id}",
        f"flyt møde {meeting.id} til 3.3.2031 13:00",
        f"sted for møde {meeting.id} er Lokale 2",
    ):
        assert "kun sekretæren for" in await said(bot, channel, text=text), text
    # The secretary's confirmation card, replayed by others in a shared chat, in another chat,
    # or with a forged token, cancels nothing.
    ask = f"aflys møde {meeting.id}"
    assert "Skal jeg aflyse" in await said(bot, channel, text=ask, **GROUP, **SECRETARY)
    cancel = confirmation_yes(channel)
    assert "anden persons ændring" in await said(bot, channel, cancel, **GROUP)
    assert "anden persons ændring" in await said(bot, channel, cancel, **GROUP, **MEMBER)
    assert "ikke længere gyldig" in await said(bot, channel, cancel, **SECRETARY), "another chat"
    forged = {**cancel, "token": "x" * 24}
    assert "ikke længere gyldig" in await said(bot, channel, forged, **GROUP, **SECRETARY)
    # The meeting moves before the yes: the card is stale.
    async with database.transaction() as session:
        await move_meeting(
            session=session,
            plan=Planning(load_pack("norddjurs"), TZ, utcnow()),
            meeting_id=meeting.id,
            start=start + timedelta(days=1),
            actor="test",
        )
    assert "er ændret, siden" in await said(bot, channel, cancel, **GROUP, **SECRETARY)
    async with database.transaction() as session:
        still = await get_meeting(session=session, meeting_id=meeting.id)
    assert still.status != "cancelled", "a stale card cancels nothing"
    # The secretary loses the role before saying yes: rights are checked again.
    await said(bot, channel, text=ask, **GROUP, **SECRETARY)
    cancel = confirmation_yes(channel)
    secretary = {"principal": SECRETARY["aad_object_id"], "role": Role.SECRETARY,
                 "body_key": "styregruppe", "by": Author("test")}  # fmt: skip
    async with database.transaction() as session:
        await revoke_role(session=session, **secretary)
    assert "kun sekretæren for" in await said(bot, channel, cancel, **GROUP, **SECRETARY)
    async with database.transaction() as session:
        await grant_role(session=session, **secretary)
    await said(bot, channel, text=ask, **GROUP, **SECRETARY)
    await said(bot, channel, confirmation_yes(channel), **GROUP, **SECRETARY)
    async with database.transaction() as session:
        assert (await get_meeting(session=session, meeting_id=meeting.id)).status == "cancelled"


async def test_reminder_buttons_act_only_on_ones_own_reminder(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    key = "meeting:1:agenda:" + MEMBER["aad_object_id"]
    async with database.transaction() as session:
        await outbox.enqueue(
            session=session,
            key=key,
            due_at=utcnow(),
            principal=MEMBER["aad_object_id"],
            payload=UnreachableNotice(who="x", about="x"),
            source="meetings",
        )
    for action in ("meetings.ack", "meetings.snooze"):
        assert "ikke finde hos dig" in await said(bot, channel, {"action": action, "key": key})
    assert "ikke finde hos dig" in await said(
        bot, channel, {"action": "meetings.ack", "key": "meeting:forged"}, **MEMBER
    )
    opt_out = {"action": "meetings.opt_out", "body": "styregruppe"}
    assert "Du er ikke med i" in await said(bot, channel, opt_out)
    async with database.transaction() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
        assert row is not None and row.acknowledged_at is None
    await said(bot, channel, {"action": "meetings.ack", "key": key}, **MEMBER)
    async with database.transaction() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
        assert row is not None and row.acknowledged_at is not None


async def test_access_grants_need_an_admin(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    for text in (
        "gør bo.berg@kommune.dk til admin",
        "giv bo.berg@kommune.dk adgang som sekretær for styregruppen",
        "fjern bo.berg@kommune.dks adgang som medlem af programgruppen",
        "slet persondata om bo.berg@kommune.dk",
    ):
        assert "kun administratorer" in await said(bot, channel, text=text, **SECRETARY), text
    forged = {"action": "access.grant", "principal": BO, "role": "admin"}
    assert "ikke længere gyldig" in await said(bot, channel, forged, **SECRETARY)
    async with database.transaction() as session:
        assert (await access_of(session=session, aad_object_id=None, email=BO)).grants == set()
    assert "kun administratorer" not in await said(
        bot, channel, text="gør bo.berg@kommune.dk til admin", **ADMIN
    )
