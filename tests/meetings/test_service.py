"""Meetings and their reminder plan on a real session: generate, members, move, cancel, due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.packs import load_pack
from storage import bodies, meetings, membership, outbox, reminders
from storage.access import Role
from storage.audit import Author
from storage.models.directory import Person
from storage.reminders import Planning

TZ = ZoneInfo("Europe/Copenhagen")
PACK = load_pack("norddjurs")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

PEOPLE = {
    "sekretaer@norddjurs.dk": Role.SECRETARY,
    "formand@norddjurs.dk": Role.CHAIR,
    "medlem@norddjurs.dk": Role.MEMBER,
}


async def staff(session: AsyncSession) -> None:
    """The steering group: a secretary, a chair and a member, known to the directory."""
    for email, role in PEOPLE.items():
        session.add(Person(email=email, name=email.split("@")[0].title()))
        await session.flush()
        await membership.add_member(
            session=session,
            plan=Planning(PACK, TZ, NOW),
            body="styregruppe",
            principal=email,
            role=role,
            by=Author("test", "meetings"),
        )
    await bodies.set_body_channel(
        session=session, body="styregruppe", conversation_id="19:sg@thread", actor="test"
    )


async def generate(session: AsyncSession) -> meetings.GenerateResult:
    return await meetings.generate_year(
        session=session, plan=Planning(PACK, TZ, NOW), year=2027, actor="test"
    )


async def first_steering(session: AsyncSession) -> meetings.MeetingInfo:
    found = await meetings.list_meetings(session=session, tz=TZ, year=2027, body="styregruppe")
    return found[0]


async def test_generating_twice_creates_no_duplicates(session: AsyncSession) -> None:
    await staff(session)
    first = await generate(session)
    second = await generate(session)
    assert len(first.created) == 9 and first.existing == 0
    assert second.created == () and second.existing == 9
    assert len(await meetings.list_meetings(session=session, tz=TZ, year=2027)) == 9
    # Four steering-group meetings x (agenda, 2 member reminders, channel, minutes,
    # 2 recommendation deadlines, chair's approval) = 4 x 8.
    assert first.reminders == 32


async def test_reminder_rows_are_keyed_by_meeting_rule_and_recipient(session: AsyncSession) -> None:
    await staff(session)
    await generate(session)
    meeting = await first_steering(session)
    keys = {d.key for d in await reminders.delivery_status(session=session, meeting_id=meeting.id)}
    prefix = f"meeting:{meeting.id}:"
    assert keys == {
        f"{prefix}agenda_due:sekretaer@norddjurs.dk",
        f"{prefix}agenda_approval:formand@norddjurs.dk",
        f"{prefix}member_reminder:formand@norddjurs.dk",
        f"{prefix}member_reminder:medlem@norddjurs.dk",
        f"{prefix}recommendations_deadline:formand@norddjurs.dk",
        f"{prefix}recommendations_deadline:medlem@norddjurs.dk",
        f"{prefix}channel_post:channel",
        f"{prefix}minutes_due:sekretaer@norddjurs.dk",
    }


async def test_due_at_chosen_instants(session: AsyncSession) -> None:
    await staff(session)
    await generate(session)
    meeting = await first_steering(session)  # tirsdag 9. februar 2027 13:00
    assert meeting.start == datetime(2027, 2, 9, 13, 0, tzinfo=TZ)

    day_before = datetime(2027, 2, 8, 9, 0, tzinfo=TZ)
    due = await reminders.reminders_due(session=session, at=day_before)
    assert {(d.meeting_id, d.rule, d.recipient, d.kind) for d in due} == {
        (meeting.id, "member_reminder", "formand@norddjurs.dk", "1:1"),
        (meeting.id, "member_reminder", "medlem@norddjurs.dk", "1:1"),
        (meeting.id, "channel_post", "channel", "channel"),
    }
    assert {d.due_at for d in due} == {day_before}
    agenda = await reminders.reminders_due(
        session=session, at=datetime(2027, 2, 2, 9, 0, tzinfo=TZ)
    )
    # The chair's approval (due yesterday) is still inside the 24-hour grace window.
    assert [(d.rule, d.recipient, d.due_at) for d in agenda] == [
        ("agenda_approval", "formand@norddjurs.dk", datetime(2027, 2, 1, 9, 0, tzinfo=TZ)),
        ("agenda_due", "sekretaer@norddjurs.dk", datetime(2027, 2, 2, 9, 0, tzinfo=TZ)),
    ]
    before = await reminders.reminders_due(
        session=session, at=datetime(2027, 2, 2, 8, 59, tzinfo=TZ)
    )
    assert [d.rule for d in before] == ["agenda_approval"]


async def test_moving_reschedules_and_cancelling_cancels(session: AsyncSession) -> None:
    await staff(session)
    await generate(session)
    meeting = await first_steering(session)
    moved = await meetings.move_meeting(
        session=session, plan=Planning(PACK, TZ, NOW), meeting_id=meeting.id,
        start=datetime(2027, 2, 16, 13, 0, tzinfo=TZ), actor="test",
    )  # fmt: skip
    assert moved.end - moved.start == timedelta(hours=2)
    reminder = await outbox.get_delivery(
        session=session, key=f"meeting:{meeting.id}:member_reminder:medlem@norddjurs.dk"
    )
    assert reminder.due_at == datetime(2027, 2, 15, 9, 0, tzinfo=TZ)
    rows = await reminders.delivery_status(session=session, meeting_id=meeting.id)
    assert len(rows) == 8, "moving replaced the rows, it did not add any"

    await meetings.cancel_meeting(session=session, meeting_id=meeting.id, actor="test")
    statuses = {
        d.status for d in await reminders.delivery_status(session=session, meeting_id=meeting.id)
    }
    assert statuses == {"cancelled"}
    assert meeting.id not in [
        m.id for m in await meetings.list_meetings(session=session, tz=TZ, year=2027)
    ]


async def test_opting_out_keeps_the_channel_post(session: AsyncSession) -> None:
    await staff(session)
    await reminders.set_opt_out(
        session=session, principal="medlem@norddjurs.dk", body="styregruppe", opted_out=True
    )
    await generate(session)
    meeting = await first_steering(session)
    keys = {
        d.key.split(":", 2)[2]
        for d in await reminders.delivery_status(session=session, meeting_id=meeting.id)
        if d.status == "pending"
    }
    assert "member_reminder:medlem@norddjurs.dk" not in keys
    assert "channel_post:channel" in keys
    assert "member_reminder:formand@norddjurs.dk" in keys


async def test_members_must_be_known_to_the_directory(session: AsyncSession) -> None:
    with pytest.raises(membership.UnknownPersonError):
        await membership.known_person(session=session, email="ukendt@x.dk")
    with pytest.raises(meetings.InvalidMeetingError):
        await meetings.add_meeting(
            session=session, plan=Planning(PACK, TZ, NOW), body="styregruppe",
            start=datetime(2027, 3, 1, 13, tzinfo=TZ), end=datetime(2027, 3, 1, 12, tzinfo=TZ),
            actor="t",
        )  # fmt: skip
    with pytest.raises(bodies.UnknownBodyError):
        bodies.meeting_body(PACK, "direktion")


async def test_snooze_plans_tomorrow_morning_for_the_recipient_only(session: AsyncSession) -> None:
    await staff(session)
    await generate(session)
    meeting = await first_steering(session)
    key = f"meeting:{meeting.id}:member_reminder:medlem@norddjurs.dk"
    at = datetime(2027, 2, 5, 10, 0, tzinfo=TZ)  # a Friday
    assert (
        await reminders.snooze(session=session, key=key, principal="x@y.dk", tz=TZ, now=at) is None
    )
    due = await reminders.snooze(
        session=session, key=key, principal="medlem@norddjurs.dk", tz=TZ, now=at
    )
    assert due == datetime(2027, 2, 8, 9, 0, tzinfo=TZ)
    assert await outbox.get_delivery(session=session, key=f"{key}:snooze:2027-02-08")


async def test_leaving_a_body_cancels_what_no_remaining_role_brings(session: AsyncSession) -> None:
    await staff(session)
    await generate(session)
    first, second = (await meetings.list_meetings(session=session, tz=TZ, body="styregruppe"))[:2]
    secretary = "sekretaer@norddjurs.dk"
    await membership.add_member(
        session=session,
        plan=Planning(PACK, TZ, NOW),
        body="styregruppe",
        principal=secretary,
        role=Role.MEMBER,
        by=Author("test", "meetings"),
    )
    during = first.start + timedelta(minutes=30)  # the meeting is under way: not re-planned

    ended = await membership.remove_member(
        session=session, plan=Planning(PACK, TZ, during), body="styregruppe", principal=secretary,
        role=Role.SECRETARY, by=Author("test", "meetings"),
    )  # fmt: skip

    assert ended == 1
    minutes = f"meeting:{first.id}:minutes_due:{secretary}"
    assert (await outbox.get_delivery(session=session, key=minutes)).status == "cancelled"
    reminder = f"meeting:{second.id}:member_reminder:{secretary}"
    assert (await outbox.get_delivery(session=session, key=reminder)).status == "pending"
    agenda = f"meeting:{second.id}:agenda_due:{secretary}"
    assert (await outbox.get_delivery(session=session, key=agenda)).status == "cancelled"

    await membership.remove_member(
        session=session,
        plan=Planning(PACK, TZ, during),
        body="styregruppe",
        principal=secretary,
        by=Author("test", "meetings"),
    )
    left = await outbox.deliveries(
        session=session, key_prefix="meeting:", status=outbox.OPEN, principal=secretary
    )
    assert left == [], "nothing is planned for someone who left"
