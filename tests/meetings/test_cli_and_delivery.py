"""The årshjul from the command line, and a meeting reminder card delivered over HTTP."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from icalendar import Calendar
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import DATABASE, DISPATCHER
from bot.cli import cli
from bot.cli_support import run_in_transaction
from knowledge.calendar import add_working_days
from knowledge.packs import load_pack
from storage import meetings, outbox
from storage.access import Role
from storage.models.base import utcnow
from storage.models.directory import Person
from storage.reminders import Planning
from tests.support.activities import message, new_user
from tests.support.channel import TestChannel
from tests.support.seats import seat
from tests.support.server import RunningBot

TZ = ZoneInfo("Europe/Copenhagen")


def test_generate_list_ics_and_due_from_the_cli(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {"GOVBOT_DATABASE_URL": database_url, "GOVBOT_KNOWLEDGE_PACK": "norddjurs"}
    for _ in range(2):
        result = runner.invoke(cli, ["meetings", "generate", "--year", "2027"], env=env)
        assert result.exit_code == 0, result.output
    assert "0 møder oprettet for 2027, 9 fandtes i forvejen" in result.output

    listed = runner.invoke(cli, ["meetings", "list", "--year", "2027", "--json"], env=env)
    rows = json.loads(listed.output)
    assert Counter(r["body"] for r in rows) == {"styregruppe": 4, "programgruppe": 5}
    for row in rows:
        start, end = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
        assert start.utcoffset() is not None and end > start
        assert {"id", "title"} <= set(row)

    out = tmp_path / "styregruppe.ics"
    result = runner.invoke(
        cli, ["meetings", "ics", "--body", "styregruppe", "--out", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    calendar = Calendar.from_ical(out.read_bytes())
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Copenhagen"]
    events = calendar.walk("VEVENT")
    assert len(events) == 4
    assert events[0]["DTSTART"].dt == datetime(2027, 2, 9, 13, 0, tzinfo=TZ)

    bad = runner.invoke(cli, ["meetings", "list", "--year", "2027", "--body", "nej"], env=env)
    assert bad.exit_code == 2 and "holder ingen møder" in bad.output
    due = runner.invoke(cli, ["reminders", "due", "--at", "2027-02-08T09:00", "--json"], env=env)
    assert json.loads(due.output) == [], "no members yet, so nothing is due"


async def test_members_who_talked_to_the_bot_get_the_reminder_card_once(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    database = running_bot.app[DATABASE]
    pack = load_pack("norddjurs")
    people = {1: Role.SECRETARY, 2: Role.MEMBER, 3: Role.MEMBER}
    for n in people:
        await running_bot.post(message("hjælp", service_url=channel.url, **new_user(n)))
    before = len(channel.received)
    # A meeting two working days ahead: the member reminder is due the working day before.
    start = datetime.combine(
        add_working_days(utcnow().astimezone(TZ).date(), 2), datetime.min.time(), tzinfo=TZ
    ).replace(hour=13)
    async with database.transaction() as session:
        for n, role in people.items():
            user = new_user(n)
            session.add(
                Person(
                    email=f"p{n}@norddjurs.dk",
                    name=user["user_name"],
                    aad_object_id=user["aad_object_id"],
                )
            )
            await session.flush()
            await seat(session, pack, f"p{n}@norddjurs.dk", role)
        meeting = await meetings.add_meeting(
            session=session, plan=Planning(pack, TZ, utcnow()), body="styregruppe", start=start,
            end=start + timedelta(hours=2), actor="t",
        )  # fmt: skip
        # Bring the member reminders forward to now, as if their time had come.
        for n in (2, 3):
            key = f"meeting:{meeting.id}:member_reminder:p{n}@norddjurs.dk"
            row = await outbox.get_delivery(session=session, key=key)
            await outbox.enqueue(
                session=session, key=key, due_at=utcnow(), payload=row.message(),
                principal=row.principal, source="meetings", expires_at=row.expires_at,
            )  # fmt: skip

    await running_bot.app[DISPATCHER].kick()
    await channel.wait_for(before + 2)
    await running_bot.app[DISPATCHER].drain()

    cards = [r.card for r in channel.received[before:] if r.card]
    assert len(cards) == 2
    keys = Counter(
        action["data"]["key"]
        for c in cards
        for action in c["actions"]
        if action.get("verb") == "meetings.ack"
    )
    assert keys == {
        f"meeting:{meeting.id}:member_reminder:p2@norddjurs.dk": 1,
        f"meeting:{meeting.id}:member_reminder:p3@norddjurs.dk": 1,
    }
    assert all("Mødet er i morgen" in json.dumps(c, ensure_ascii=False) for c in cards)
    assert {r.conversation_id for r in channel.received[before:]} == {
        "a:1personal-1user-2",
        "a:1personal-1user-3",
    }


def test_access_revoke_and_grant_from_the_cli_match_member_add(
    database_url: str,
) -> None:
    runner = CliRunner()
    env = {"GOVBOT_DATABASE_URL": database_url, "GOVBOT_KNOWLEDGE_PACK": "norddjurs"}
    year = str(utcnow().astimezone(TZ).year + 1)
    assert runner.invoke(cli, ["meetings", "generate", "--year", year], env=env).exit_code == 0
    newcomer = "p4@norddjurs.dk"

    async def add_person(session: AsyncSession) -> None:
        session.add(Person(email=newcomer, name="Bruger 4"))

    async def pending(session: AsyncSession) -> dict[str, datetime]:
        found = await outbox.deliveries(session=session, key_prefix="meeting:", status=("pending",))
        return {d.key: d.due_at for d in found if d.principal == newcomer}

    run_in_transaction(database_url, add_person)
    member = ["meetings", "member", "add", "--body", "styregruppe", "--email", newcomer]
    assert runner.invoke(cli, member, env=env).exit_code == 0
    added = run_in_transaction(database_url, pending)
    assert added, "the new member's reminders are planned"

    access = ["access", "revoke", newcomer, "member", "--body", "styregruppe"]
    assert runner.invoke(cli, access, env=env).exit_code == 0
    assert run_in_transaction(database_url, pending) == {}, "revoking cancels them"

    access[1] = "grant"
    assert runner.invoke(cli, access, env=env).exit_code == 0
    assert run_in_transaction(database_url, pending) == added
