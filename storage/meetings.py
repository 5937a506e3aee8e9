"""Meetings of the governance bodies, their members, and the reminders planned in the outbox.

Reminder rows are keyed `meeting:{id}:{rule}:{recipient}`: planning again replaces them,
moving a meeting re-plans them, cancelling cancels them. Joining or leaving a body goes through
`add_member`/`remove_member` whichever capability asks, so the reminders always follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.calendar import add_working_days, format_when, reminder_time, titled, year_plan
from knowledge.schema import Body, Pack, ReminderRule
from storage import outbox
from storage.access import Role, grant_role, list_grants, principal_of, revoke_role
from storage.audit import record_change
from storage.data_subject import PersonalData, Subject, anonymous_principal
from storage.directory import PersonInfo, get_person, person_id_of
from storage.directory import principals_of as principals_of  # the årshjul's callers use it
from storage.errors import DomainError, UnknownPersonError
from storage.models.base import utcnow
from storage.models.directory import Person
from storage.models.meetings import BodyChannel, Meeting, ReminderOptOut
from storage.outbox_payloads import MeetingReminder

SOURCE = "meetings"
MEMBER_ROLES = (Role.SECRETARY, Role.CHAIR, Role.MEMBER)
# Who a reminder rule's `recipients` names, by role in the body ("channel" names nobody).
RECIPIENT_ROLES: dict[str, set[Role]] = {
    "secretary": {Role.SECRETARY},
    "chair": {Role.CHAIR},
    "members": {Role.CHAIR, Role.MEMBER},
    "submitters": {Role.CHAIR, Role.MEMBER},
}


class UnknownMeetingError(DomainError):
    """No meeting has that id."""

    key = "meetings.unknown_meeting"

    def __init__(self, meeting_id: int) -> None:
        super().__init__(str(meeting_id), id=meeting_id)
        self.meeting_id = meeting_id


class UnknownBodyError(DomainError):
    """The pack has no body with that key, or the body holds no meetings."""

    key = "meetings.unknown_body"

    def __init__(self, body_key: str) -> None:
        super().__init__(body_key, name=body_key)
        self.body_key = body_key


class InvalidMeetingError(DomainError, ValueError):
    """A meeting's times are impossible (ends before it starts, naive times)."""


@dataclass(frozen=True)
class MeetingInfo:
    """A meeting as plain data."""

    id: int
    body: str
    kind: str
    title: str
    title_en: str | None
    start: datetime
    end: datetime
    place: str | None
    teams_link: str | None
    agenda: str | None
    status: str
    plan_key: str | None


@dataclass(frozen=True)
class GenerateResult:
    """What generating a year did."""

    created: tuple[MeetingInfo, ...]
    existing: int
    reminders: int


@dataclass(frozen=True)
class DueReminder:
    """One reminder a dispatcher would send at a given instant."""

    meeting_id: int | None
    rule: str
    recipient: str
    kind: str
    due_at: datetime
    key: str


@dataclass(frozen=True)
class Member:
    """A person holding a role in a body."""

    principal: str
    role: Role
    name: str | None


def _info(row: Meeting) -> MeetingInfo:
    return MeetingInfo(
        id=row.id,
        body=row.body_key,
        kind=row.kind,
        title=row.title,
        title_en=row.title_en,
        start=row.start_at,
        end=row.end_at,
        place=row.place,
        teams_link=row.teams_link,
        agenda=row.agenda,
        status=row.status,
        plan_key=row.plan_key,
    )


def _snapshot(row: Meeting) -> dict[str, Any]:
    return {
        "start": row.start_at.isoformat(),
        "end": row.end_at.isoformat(),
        "place": row.place,
        "teams_link": row.teams_link,
        "status": row.status,
    }


def meeting_body(pack: Pack, body_key: str) -> Body:
    """The pack's body that holds meetings; UnknownBodyError otherwise."""
    try:
        body = pack.body(body_key)
    except KeyError:
        raise UnknownBodyError(body_key) from None
    if body.cadence is None and not body.annual_items:
        raise UnknownBodyError(body_key)
    return body


async def _row(session: AsyncSession, meeting_id: int) -> Meeting:
    row = await session.get(Meeting, meeting_id)
    if row is None:
        raise UnknownMeetingError(meeting_id)
    return row


async def get_meeting(*, session: AsyncSession, meeting_id: int) -> MeetingInfo:
    """One meeting; UnknownMeetingError when there is none."""
    return _info(await _row(session, meeting_id))


async def generate_year(
    *, session: AsyncSession, pack: Pack, year: int, tz: ZoneInfo, actor: str, now: datetime
) -> GenerateResult:
    """Create the year's meetings from the pack's cadences; running it again adds nothing."""
    planned = year_plan(pack, year, tz)
    keys = [p.plan_key for p in planned]
    existing = set(
        (await session.scalars(select(Meeting.plan_key).where(Meeting.plan_key.in_(keys)))).all()
    )
    created: list[Meeting] = []
    for plan in planned:
        if plan.plan_key in existing:
            continue
        row = Meeting(
            body_key=plan.body,
            kind=plan.kind,
            plan_key=plan.plan_key,
            title=titled(plan, "da"),
            title_en=titled(plan, "en"),
            start_at=plan.start,
            end_at=plan.end,
            created_by=actor,
        )
        session.add(row)
        created.append(row)
    await session.flush()
    reminders = 0
    for row in created:
        await record_change(
            session=session,
            actor=actor,
            action="generate",
            entity="meeting",
            entity_id=row.id,
            after=_snapshot(row),
            source=SOURCE,
        )
        reminders += await plan_reminders(
            session=session, pack=pack, meeting_id=row.id, tz=tz, now=now
        )
    return GenerateResult(tuple(_info(r) for r in created), len(existing), reminders)


async def list_meetings(
    *,
    session: AsyncSession,
    tz: ZoneInfo,
    year: int | None = None,
    body: str | None = None,
    after: datetime | None = None,
    include_cancelled: bool = False,
) -> list[MeetingInfo]:
    """Meetings in time order, by year (in the local time zone), body and start."""
    query = select(Meeting)
    if year is not None:
        start = datetime(year, 1, 1, tzinfo=tz)
        query = query.where(
            Meeting.start_at >= start, Meeting.start_at < start.replace(year=year + 1)
        )
    if body:
        query = query.where(Meeting.body_key == body)
    if after is not None:
        query = query.where(Meeting.start_at >= after)
    if not include_cancelled:
        query = query.where(Meeting.status != "cancelled")
    rows = await session.scalars(query.order_by(Meeting.start_at, Meeting.id))
    return [_info(row) for row in rows]


async def next_meeting(*, session: AsyncSession, body: str, now: datetime) -> MeetingInfo | None:
    """The body's next meeting that has not ended."""
    row = await session.scalar(
        select(Meeting)
        .where(Meeting.body_key == body, Meeting.status != "cancelled", Meeting.end_at > now)
        .order_by(Meeting.start_at)
        .limit(1)
    )
    return _info(row) if row else None


def _check_times(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidMeetingError("times must be timezone-aware")
    if end <= start:
        raise InvalidMeetingError("a meeting must end after it starts")


async def add_meeting(
    *,
    session: AsyncSession,
    pack: Pack,
    body: str,
    start: datetime,
    end: datetime,
    actor: str,
    tz: ZoneInfo,
    now: datetime,
    title: str | None = None,
    place: str | None = None,
) -> MeetingInfo:
    """Add an extra meeting to a body and plan its reminders."""
    found = meeting_body(pack, body)
    _check_times(start, end)
    row = Meeting(
        body_key=body,
        kind="meeting",
        title=title or found.name_da,
        title_en=title or found.name_en,
        start_at=start,
        end_at=end,
        place=place,
        created_by=actor,
    )
    session.add(row)
    await session.flush()
    await record_change(
        session=session, actor=actor, action="add", entity="meeting",
        entity_id=row.id, after=_snapshot(row), source=SOURCE,
    )  # fmt: skip
    await plan_reminders(session=session, pack=pack, meeting_id=row.id, tz=tz, now=now)
    return _info(row)


async def move_meeting(
    *,
    session: AsyncSession,
    pack: Pack,
    meeting_id: int,
    start: datetime,
    actor: str,
    tz: ZoneInfo,
    now: datetime,
    end: datetime | None = None,
) -> MeetingInfo:
    """Move a meeting (keeping its length unless `end` is given) and re-plan its reminders."""
    row = await _row(session, meeting_id)
    end = end or start + (row.end_at - row.start_at)
    _check_times(start, end)
    before = _snapshot(row)
    row.start_at, row.end_at, row.status = start, end, "planned"
    await session.flush()
    await record_change(
        session=session, actor=actor, action="move", entity="meeting",
        entity_id=row.id, before=before, after=_snapshot(row), source=SOURCE,
    )  # fmt: skip
    await plan_reminders(session=session, pack=pack, meeting_id=row.id, tz=tz, now=now, resend=True)
    return _info(row)


async def cancel_meeting(*, session: AsyncSession, meeting_id: int, actor: str) -> MeetingInfo:
    """Cancel a meeting and every reminder not yet sent for it."""
    row = await _row(session, meeting_id)
    before = _snapshot(row)
    row.status = "cancelled"
    await session.flush()
    await outbox.cancel(session=session, key_prefix=f"meeting:{row.id}:")
    await record_change(
        session=session, actor=actor, action="cancel", entity="meeting",
        entity_id=row.id, before=before, after=_snapshot(row), source=SOURCE,
    )  # fmt: skip
    return _info(row)


async def update_meeting(
    *,
    session: AsyncSession,
    pack: Pack,
    meeting_id: int,
    actor: str,
    tz: ZoneInfo,
    now: datetime,
    place: str | None = None,
    teams_link: str | None = None,
    agenda: str | None = None,
) -> MeetingInfo:
    """Set the place, Teams link or agenda; unsent reminders then carry the new details."""
    row = await _row(session, meeting_id)
    before = _snapshot(row)
    if place is not None:
        row.place = place.strip() or None
    if teams_link is not None:
        link = teams_link.strip()
        if link and not link.startswith("https://"):
            raise InvalidMeetingError("a Teams link starts with https://")
        row.teams_link = link or None
    if agenda is not None:
        row.agenda = agenda.strip() or None
    await session.flush()
    await record_change(
        session=session, actor=actor, action="update", entity="meeting",
        entity_id=row.id, before=before, after=_snapshot(row), source=SOURCE,
    )  # fmt: skip
    if row.status == "planned":
        await plan_reminders(session=session, pack=pack, meeting_id=row.id, tz=tz, now=now)
    return _info(row)


# --- members, channel and opt-outs -------------------------------------------------------


async def known_person(*, session: AsyncSession, email: str) -> PersonInfo:
    """The directory person with `email`; UnknownPersonError when the directory lacks them."""
    person = await get_person(session=session, email=email)
    if person is None:
        raise UnknownPersonError(email)
    return person


async def add_member(
    *,
    session: AsyncSession,
    pack: Pack,
    body: str,
    principal: str,
    role: Role,
    actor: str,
    tz: ZoneInfo,
    now: datetime,
    person_id: int | None = None,
    source: str = SOURCE,
) -> Member:
    """Give `principal` a role in a body and re-plan the reminders of its coming meetings.

    This is the one way into a body, whether a secretary adds a member or an admin grants the
    role: the new member's reminders are planned at once either way.
    """
    if role not in MEMBER_ROLES:
        raise ValueError(f"{role} is not a body role")
    principal = principal_of(principal)
    if person_id is None:
        person_id = await person_id_of(session=session, principals=[principal])
    grant = await grant_role(
        session=session, principal=principal, role=role, actor=actor,
        body_key=body, person_id=person_id, source=source,
    )  # fmt: skip
    await replan_body(session=session, pack=pack, body=body, tz=tz, now=now)
    name = None
    if person_id is not None:
        name = await session.scalar(select(Person.name).where(Person.id == person_id))
    return Member(grant.principal, grant.role, name)


async def remove_member(
    *,
    session: AsyncSession,
    pack: Pack,
    body: str,
    principal: str,
    actor: str,
    tz: ZoneInfo,
    now: datetime,
    role: Role | None = None,
    source: str = SOURCE,
) -> int:
    """End `principal`'s role (every role, when None) in a body; returns how many grants ended.

    Their unsent reminders that no remaining role brings are cancelled, and the body's coming
    meetings re-planned.
    """
    principal = principal_of(principal)
    ended = 0
    for each in (role,) if role else MEMBER_ROLES:
        ended += await revoke_role(
            session=session, principal=principal, role=each, actor=actor, body_key=body,
            source=source,
        )  # fmt: skip
    if ended:
        await _cancel_unwanted(session, pack, body, principal)
        await replan_body(session=session, pack=pack, body=body, tz=tz, now=now)
    return ended


async def _cancel_unwanted(session: AsyncSession, pack: Pack, body: str, principal: str) -> int:
    """Cancel `principal`'s unsent reminders in `body` that their remaining roles do not bring.

    Re-planning covers the coming meetings; this also reaches a meeting under way and snoozes.
    """
    roles = {m.role for m in await members(session=session, body=body) if m.principal == principal}
    try:
        rules = {rule.key: rule for rule in meeting_body(pack, body).reminder_rules}
    except UnknownBodyError:
        rules = {}
    ids = set((await session.scalars(select(Meeting.id).where(Meeting.body_key == body))).all())
    unwanted = []
    for delivery in await outbox.deliveries(
        session=session, key_prefix="meeting:", status=outbox.OPEN, principal=principal
    ):
        meeting_id, rule_key, _ = _parse_key(delivery.key)
        rule = rules.get(rule_key)
        if meeting_id in ids and not (rule and RECIPIENT_ROLES.get(rule.recipients, set()) & roles):
            unwanted.append(delivery.key)
    return await outbox.cancel_keys(session=session, keys=unwanted)


async def members(*, session: AsyncSession, body: str) -> list[Member]:
    """Everyone holding a role in `body`, secretaries first."""
    grants = await list_grants(session=session, body_key=body)
    names: dict[int, str] = {}
    ids = [g.person_id for g in grants if g.person_id]
    if ids:
        rows = await session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
        names = {person_id: name for person_id, name in rows}
    found = [
        Member(g.principal, g.role, names.get(g.person_id) if g.person_id else None)
        for g in grants
        if g.role in MEMBER_ROLES
    ]
    return sorted(found, key=lambda m: (MEMBER_ROLES.index(m.role), m.principal))


async def set_body_channel(
    *, session: AsyncSession, body: str, conversation_id: str, actor: str
) -> None:
    """Post the body's meeting reminders in this Teams channel."""
    row = await session.scalar(select(BodyChannel).where(BodyChannel.body_key == body))
    if row is None:
        session.add(BodyChannel(body_key=body, conversation_id=conversation_id, set_by=actor))
    else:
        row.conversation_id, row.set_by, row.set_at = conversation_id, actor, utcnow()
    await session.flush()
    await record_change(
        session=session, actor=actor, action="set_channel", entity="body",
        entity_id=body, after={"conversation_id": conversation_id}, source=SOURCE,
    )  # fmt: skip


async def body_channel(*, session: AsyncSession, body: str) -> str | None:
    """The conversation id of the body's channel, if one was set."""
    return await session.scalar(
        select(BodyChannel.conversation_id).where(BodyChannel.body_key == body)
    )


async def set_opt_out(*, session: AsyncSession, principal: str, body: str, opted_out: bool) -> None:
    """Stop (or resume) 1:1 reminders for one person and body; unsent ones follow at once."""
    principal = principal_of(principal)
    await session.execute(
        delete(ReminderOptOut).where(
            ReminderOptOut.principal == principal, ReminderOptOut.body_key == body
        )
    )
    if opted_out:
        session.add(ReminderOptOut(principal=principal, body_key=body))
    await session.flush()


async def _opted_out(session: AsyncSession, body: str) -> set[str]:
    rows = await session.scalars(
        select(ReminderOptOut.principal).where(ReminderOptOut.body_key == body)
    )
    return set(rows.all())


# --- reminders ------------------------------------------------------------------------------


def _recipients(rule: ReminderRule, people: list[Member]) -> list[Member]:
    wanted = RECIPIENT_ROLES.get(rule.recipients, set())
    seen: dict[str, Member] = {}
    for person in people:
        if person.role in wanted:
            seen.setdefault(person.principal, person)
    return list(seen.values())


def reminder_message(
    row: Meeting, body: Body, rule: ReminderRule, key: str, tz: ZoneInfo, name: str | None
) -> MeetingReminder:
    """The reminder card one rule of a meeting's body sends under `key`."""
    return MeetingReminder(
        subject=f"{rule.text_da} ({row.title}, {format_when(row.start_at, 'da', tz)})",
        recipient_name=name,
        key=key,
        meeting_id=row.id,
        body=body.key,
        rule=rule.key,
        kind=rule.kind,
        personal=rule.recipients != "channel",
        title={"da": row.title, "en": row.title_en or row.title},
        rule_text={"da": rule.text_da, "en": rule.text_en},
        when={lang: format_when(row.start_at, lang, tz) for lang in ("da", "en")},
        place=row.place,
        teams_link=row.teams_link,
        agenda=row.agenda,
    )


async def plan_reminders(
    *,
    session: AsyncSession,
    pack: Pack,
    meeting_id: int,
    tz: ZoneInfo,
    now: datetime,
    resend: bool = False,
) -> int:
    """(Re)plan every reminder of a meeting from its body's rules; returns how many are planned.

    Rows for recipients who left the body, or opted out, stay cancelled; reminders whose time
    has passed are not planned.
    """
    row = await _row(session, meeting_id)
    prefix = f"meeting:{row.id}:"
    await outbox.cancel(session=session, key_prefix=prefix)
    if row.status != "planned" or row.kind != "meeting":
        return 0
    body = meeting_body(pack, row.body_key)
    people = await members(session=session, body=body.key)
    secretaries = [{"principal": m.principal} for m in people if m.role is Role.SECRETARY]
    opted_out = await _opted_out(session, body.key)
    channel = await body_channel(session=session, body=body.key)
    planned = 0
    for rule in body.reminder_rules:
        due = reminder_time(rule, row.start_at, tz)
        if due <= now:
            continue
        expires = row.start_at if rule.offset < 0 else None
        if rule.recipients == "channel":
            if channel:
                key = f"{prefix}{rule.key}:channel"
                await outbox.enqueue(
                    session=session, key=key, due_at=due, expires_at=expires,
                    payload=reminder_message(row, body, rule, key, tz, body.name_da),
                    conversation_id=channel, kind="channel", source=SOURCE,
                    report_to=secretaries, resend=resend,
                )  # fmt: skip
                planned += 1
            continue
        for person in _recipients(rule, people):
            if rule.recipients in ("members", "submitters") and person.principal in opted_out:
                continue
            key = f"{prefix}{rule.key}:{person.principal}"
            await outbox.enqueue(
                session=session, key=key, due_at=due, expires_at=expires,
                payload=reminder_message(row, body, rule, key, tz, person.name or person.principal),
                principal=person.principal, kind="personal", source=SOURCE,
                report_to=[s for s in secretaries if s["principal"] != person.principal],
                resend=resend,
            )  # fmt: skip
            planned += 1
    return planned


async def replan_body(
    *, session: AsyncSession, pack: Pack, body: str, tz: ZoneInfo, now: datetime
) -> int:
    """Re-plan the reminders of a body's coming meetings (after members or channel changed)."""
    total = 0
    for meeting in await list_meetings(session=session, tz=tz, body=body, after=now):
        total += await plan_reminders(
            session=session, pack=pack, meeting_id=meeting.id, tz=tz, now=now
        )
    return total


def _parse_key(key: str) -> tuple[int | None, str, str]:
    parts = key.split(":", 3)
    if parts[0] == "meeting" and len(parts) == 4 and parts[1].isdigit():
        return int(parts[1]), parts[2], parts[3]
    return None, parts[0], key


async def reminders_due(
    *, session: AsyncSession, at: datetime, grace: timedelta = timedelta(hours=24)
) -> list[DueReminder]:
    """What a dispatcher running at `at` would send: unsent rows due in (at - grace, at]."""
    rows = await outbox.deliveries(
        session=session, status=("pending", "claimed"), due_from=at - grace, due_until=at
    )
    due = []
    for row in rows:
        if row.expires_at and row.expires_at <= at:
            continue
        meeting_id, rule, recipient = _parse_key(row.key)
        due.append(
            DueReminder(
                meeting_id=meeting_id,
                rule=rule,
                recipient=recipient if meeting_id else row.recipient,
                kind="channel" if row.kind == "channel" else "1:1",
                due_at=row.due_at,
                key=row.key,
            )
        )
    return due


async def delivery_status(*, session: AsyncSession, meeting_id: int) -> list[outbox.Delivery]:
    """Every planned delivery of a meeting, with its status."""
    await _row(session, meeting_id)
    return await outbox.deliveries(session=session, key_prefix=f"meeting:{meeting_id}:")


async def snooze(
    *, session: AsyncSession, key: str, principal: str, tz: ZoneInfo, now: datetime
) -> datetime | None:
    """Send a reminder again at 09:00 the next working day; None when it is not theirs."""
    delivery = await outbox.get_delivery(session=session, key=key)
    if delivery is None or delivery.principal != principal_of(principal):
        return None
    day = add_working_days(now.astimezone(tz).date(), 1)
    due = datetime.combine(day, time(9, 0), tzinfo=tz)
    base = key.split(":snooze:")[0]
    await outbox.enqueue(
        session=session, key=f"{base}:snooze:{day.isoformat()}", due_at=due,
        payload=delivery.message(), principal=delivery.principal, kind="personal",
        source=SOURCE, expires_at=delivery.expires_at,
    )  # fmt: skip
    return due


async def neighbour_meeting(
    *, session: AsyncSession, meeting_id: int, later: bool
) -> MeetingInfo | None:
    """The same body's meeting right after (or before) meeting `meeting_id`, not cancelled."""
    current = await _row(session, meeting_id)
    if later:
        where = (Meeting.start_at > current.start_at, Meeting.start_at.asc())
    else:
        where = (Meeting.start_at < current.start_at, Meeting.start_at.desc())
    row = await session.scalar(
        select(Meeting)
        .where(Meeting.body_key == current.body_key, Meeting.status != "cancelled", where[0])
        .order_by(where[1], Meeting.id)
        .limit(1)
    )
    return _info(row) if row else None


# --- personal data (storage.personal_data lists these) ------------------------------------


async def _export_opt_outs(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(ReminderOptOut).where(ReminderOptOut.principal.in_(subject.principals))
    )
    return [{"body": r.body_key, "since": r.created_at} for r in rows]


async def _erase_opt_outs(session: AsyncSession, subject: Subject) -> int:
    result = await session.execute(
        delete(ReminderOptOut).where(ReminderOptOut.principal.in_(subject.principals))
    )
    return int(result.rowcount or 0)


async def _erase_history(session: AsyncSession, subject: Subject) -> int:
    """Who added a meeting or set a body's channel stays on record, without a name."""
    principal = anonymous_principal(subject)
    changed = 0
    for statement in (
        update(Meeting)
        .where(func.lower(Meeting.created_by).in_(subject.principals))
        .values(created_by=principal),
        update(BodyChannel)
        .where(func.lower(BodyChannel.set_by).in_(subject.principals))
        .values(set_by=principal),
    ):
        changed += int((await session.execute(statement)).rowcount or 0)
    return changed


PERSONAL_DATA = (
    PersonalData(
        "reminder_opt_outs",
        (ReminderOptOut.principal,),
        export=_export_opt_outs,
        erase=_erase_opt_outs,
    ),
    PersonalData("meeting_history", (Meeting.created_by, BodyChannel.set_by), erase=_erase_history),
)
