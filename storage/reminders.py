"""Meeting reminders: planned in the outbox from each body's rules, snoozed, opted out of.

Reminder rows are keyed `meeting:{id}:{rule}:{recipient}`: planning again replaces them,
moving a meeting re-plans them (storage.meetings), and so does joining or leaving its body
(storage.membership); cancelling cancels them. Who gets one is read from the body's members
(storage.bodies) and their opt-outs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.calendar import add_working_days, format_when, reminder_time
from knowledge.schema import Pack
from knowledge.schema_bodies import Body, ReminderRule
from storage import outbox
from storage.access import Role, principal_of
from storage.bodies import SOURCE, Member, UnknownBodyError, body_channel, meeting_body, members
from storage.data_subject import (
    PersonalData,
    deleting_rows_of,
    exporting,
    principal_is,
)
from storage.errors import UnknownMeetingError
from storage.models.meetings import Meeting, ReminderOptOut
from storage.outbox_payloads import MeetingReminder
from storage.records import row_by_id

# Who a reminder rule's `recipients` names, by role in the body ("channel" names nobody).
RECIPIENT_ROLES: dict[str, set[Role]] = {
    "secretary": {Role.SECRETARY},
    "chair": {Role.CHAIR},
    "members": {Role.CHAIR, Role.MEMBER},
    "submitters": {Role.CHAIR, Role.MEMBER},
}


@dataclass(frozen=True)
class Planning:
    """What planning reminders reads besides the records: the pack's bodies and their rules,
    the municipality's time zone (reminder times are local), and the instant it plans from."""

    pack: Pack
    tz: ZoneInfo
    now: datetime


@dataclass(frozen=True)
class DueReminder:
    """One reminder a dispatcher would send at a given instant."""

    meeting_id: int | None
    rule: str
    recipient: str
    kind: str
    due_at: datetime
    key: str


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
    plan: Planning,
    meeting_id: int,
    resend: bool = False,
) -> int:
    """(Re)plan every reminder of a meeting from its body's rules; returns how many are planned.

    Rows for recipients who left the body, or opted out, stay cancelled; reminders whose time
    has passed are not planned.
    """
    row = await row_by_id(session, Meeting, meeting_id, UnknownMeetingError)
    prefix = f"meeting:{row.id}:"
    await outbox.cancel(session=session, key_prefix=prefix)
    if row.status != "planned" or row.kind != "meeting":
        return 0
    body = meeting_body(plan.pack, row.body_key)
    people = await members(session=session, body=body.key)
    secretaries = [{"principal": m.principal} for m in people if m.role is Role.SECRETARY]
    quiet = await opted_out(session, body.key)
    channel = await body_channel(session=session, body=body.key)
    planned = 0
    for rule in body.reminder_rules:
        due = reminder_time(rule, row.start_at, plan.tz)
        if due <= plan.now:
            continue
        expires = row.start_at if rule.offset < 0 else None
        if rule.recipients == "channel":
            if channel:
                key = f"{prefix}{rule.key}:channel"
                await outbox.enqueue(
                    session=session, key=key, due_at=due, expires_at=expires,
                    payload=reminder_message(row, body, rule, key, plan.tz, body.name_da),
                    conversation_id=channel, kind="channel", source=SOURCE,
                    report_to=secretaries, resend=resend,
                )  # fmt: skip
                planned += 1
            continue
        for person in _recipients(rule, people):
            if rule.recipients in ("members", "submitters") and person.principal in quiet:
                continue
            key = f"{prefix}{rule.key}:{person.principal}"
            await outbox.enqueue(
                session=session, key=key, due_at=due, expires_at=expires,
                payload=reminder_message(
                    row, body, rule, key, plan.tz, person.name or person.principal
                ),
                principal=person.principal, kind="personal", source=SOURCE,
                report_to=[s for s in secretaries if s["principal"] != person.principal],
                resend=resend,
            )  # fmt: skip
            planned += 1
    return planned


async def replan_body(*, session: AsyncSession, plan: Planning, body: str) -> int:
    """Re-plan the reminders of a body's coming meetings (after members or channel changed)."""
    coming = await session.scalars(
        select(Meeting.id)
        .where(
            Meeting.body_key == body, Meeting.start_at >= plan.now, Meeting.status != "cancelled"
        )
        .order_by(Meeting.start_at, Meeting.id)
    )
    total = 0
    for meeting_id in list(coming):
        total += await plan_reminders(session=session, plan=plan, meeting_id=meeting_id)
    return total


async def delivery_status(*, session: AsyncSession, meeting_id: int) -> list[outbox.Delivery]:
    """Every planned delivery of a meeting, with its status; UnknownMeetingError when none."""
    await row_by_id(session, Meeting, meeting_id, UnknownMeetingError)
    return await outbox.deliveries(session=session, key_prefix=f"meeting:{meeting_id}:")


def parse_key(key: str) -> tuple[int | None, str, str]:
    """A reminder key's meeting id, rule and recipient (None, the key's head, the key else)."""
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
        meeting_id, rule, recipient = parse_key(row.key)
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


async def cancel_unwanted(*, session: AsyncSession, pack: Pack, body: str, principal: str) -> int:
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
        meeting_id, rule_key, _ = parse_key(delivery.key)
        rule = rules.get(rule_key)
        if meeting_id in ids and not (rule and RECIPIENT_ROLES.get(rule.recipients, set()) & roles):
            unwanted.append(delivery.key)
    return await outbox.cancel_keys(session=session, keys=unwanted)


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


async def set_member_opt_out(
    *,
    session: AsyncSession,
    plan: Planning,
    body: str,
    principals: frozenset[str],
    opted_out: bool,
) -> bool:
    """Turn the 1:1 reminders of the member known by `principals` off (or on) for `body` and
    re-plan the body's coming reminders; False when they hold no role in the body."""
    mine = [m for m in await members(session=session, body=body) if m.principal in principals]
    if not mine:
        return False
    await set_opt_out(session=session, principal=mine[0].principal, body=body, opted_out=opted_out)
    await replan_body(session=session, plan=plan, body=body)
    return True


async def own_meeting_delivery(
    *, session: AsyncSession, key: str, principals: frozenset[str]
) -> outbox.Delivery | None:
    """The meeting reminder `key`, if it was sent to one of `principals`."""
    if not key.startswith("meeting:"):
        return None
    delivery = await outbox.get_delivery(session=session, key=key)
    return delivery if delivery is not None and delivery.principal in principals else None


async def opted_out(session: AsyncSession, body: str) -> set[str]:
    """Who asked for no 1:1 reminders of `body`."""
    rows = await session.scalars(
        select(ReminderOptOut.principal).where(ReminderOptOut.body_key == body)
    )
    return set(rows.all())


# --- personal data (storage.personal_data lists these) ------------------------------------


PERSONAL_DATA = (
    PersonalData(
        "reminder_opt_outs",
        (ReminderOptOut.principal,),
        export=exporting(
            principal_is(ReminderOptOut.principal),
            ReminderOptOut.body_key.label("body"),
            ReminderOptOut.created_at.label("since"),
        ),
        erase=deleting_rows_of(ReminderOptOut.principal),
    ),
)
