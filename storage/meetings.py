"""The governance bodies' calendar: meetings generated from the årshjul, added, moved, cancelled.

Every change re-plans the meeting's reminders (storage.reminders) in the same transaction.
Who sits in a body is storage.bodies (read) and storage.membership (joining and leaving).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.calendar import titled, year_plan
from knowledge.schema_bodies import AnnualItem
from storage import outbox
from storage.audit import Author, record_change
from storage.bodies import SOURCE, meeting_body
from storage.data_subject import kept_history
from storage.errors import DomainError, UnknownMeetingError
from storage.models.meetings import BodyChannel, Meeting
from storage.records import record_of, row_by_id
from storage.reminders import Planning, plan_reminders


class InvalidMeetingError(DomainError, ValueError):
    """A meeting's times or link are impossible (ends before it starts, naive times)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)
        self.detail = detail


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


def _info(row: Meeting) -> MeetingInfo:
    return record_of(MeetingInfo, row, body=row.body_key, start=row.start_at, end=row.end_at)


# What the audit log records of a meeting.
Snapshot = dict[str, Any]


def _snapshot(row: Meeting) -> Snapshot:
    return {
        "start": row.start_at.isoformat(),
        "end": row.end_at.isoformat(),
        "place": row.place,
        "teams_link": row.teams_link,
        "status": row.status,
    }


async def _audited(
    session: AsyncSession, row: Meeting, action: str, actor: str, before: Snapshot | None = None
) -> None:
    """Audit a change to a meeting: what it was (when given) and what it is now."""
    await record_change(
        session, "meeting", row.id, by=Author(actor, SOURCE), action=action, before=before,
        after=_snapshot(row),
    )  # fmt: skip


async def _row(session: AsyncSession, meeting_id: int) -> Meeting:
    return await row_by_id(session, Meeting, meeting_id, UnknownMeetingError)


async def get_meeting(*, session: AsyncSession, meeting_id: int) -> MeetingInfo:
    """One meeting; UnknownMeetingError when there is none."""
    return _info(await _row(session, meeting_id))


async def generate_year(
    *, session: AsyncSession, plan: Planning, year: int, actor: str
) -> GenerateResult:
    """Create the year's meetings from the pack's cadences; running it again adds nothing."""
    planned = year_plan(plan.pack, year, plan.tz)
    keys = [p.plan_key for p in planned]
    existing = set(
        (await session.scalars(select(Meeting.plan_key).where(Meeting.plan_key.in_(keys)))).all()
    )
    created: list[Meeting] = []
    for slot in planned:
        if slot.plan_key in existing:
            continue
        row = Meeting(
            body_key=slot.body,
            kind=slot.kind,
            plan_key=slot.plan_key,
            title=titled(slot, "da"),
            title_en=titled(slot, "en"),
            start_at=slot.start,
            end_at=slot.end,
            created_by=actor,
        )
        session.add(row)
        created.append(row)
    await session.flush()
    reminders = 0
    for row in created:
        await _audited(session, row, "generate", actor)
        reminders += await plan_reminders(session=session, plan=plan, meeting_id=row.id)
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


async def next_meeting(
    *, session: AsyncSession, body: str, now: datetime, item: AnnualItem | None = None
) -> MeetingInfo | None:
    """The body's next meeting that has not ended; with `item`, the next one that holds that
    yearly item: its own entry (plan key "{body}:{year}:{item}") or a meeting it was placed on
    (its title names the item)."""
    query = select(Meeting).where(
        Meeting.body_key == body, Meeting.status != "cancelled", Meeting.end_at > now
    )
    if item is not None:
        query = query.where(
            or_(
                Meeting.plan_key.like(f"{body}:%:{item.key}"),
                Meeting.title.contains(item.title_da, autoescape=True),
            )
        )
    row = await session.scalar(query.order_by(Meeting.start_at).limit(1))
    return _info(row) if row else None


async def planned_meeting(*, session: AsyncSession, plan_key: str) -> MeetingInfo | None:
    """The meeting the wheel planned under `plan_key` ("{body}:{year}:{n}"), unless cancelled."""
    row = await session.scalar(
        select(Meeting).where(Meeting.plan_key == plan_key, Meeting.status != "cancelled")
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
    plan: Planning,
    body: str,
    start: datetime,
    end: datetime,
    actor: str,
    title: str | None = None,
    place: str | None = None,
) -> MeetingInfo:
    """Add an extra meeting to a body and plan its reminders."""
    found = meeting_body(plan.pack, body)
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
    await _audited(session, row, "add", actor)
    await plan_reminders(session=session, plan=plan, meeting_id=row.id)
    return _info(row)


async def move_meeting(
    *,
    session: AsyncSession,
    plan: Planning,
    meeting_id: int,
    start: datetime,
    actor: str,
    end: datetime | None = None,
) -> MeetingInfo:
    """Move a meeting (keeping its length unless `end` is given) and re-plan its reminders."""
    row = await _row(session, meeting_id)
    end = end or start + (row.end_at - row.start_at)
    _check_times(start, end)
    before = _snapshot(row)
    row.start_at, row.end_at, row.status = start, end, "planned"
    await session.flush()
    await _audited(session, row, "move", actor, before)
    await plan_reminders(session=session, plan=plan, meeting_id=row.id, resend=True)
    return _info(row)


async def cancel_meeting(*, session: AsyncSession, meeting_id: int, actor: str) -> MeetingInfo:
    """Cancel a meeting and every reminder not yet sent for it."""
    row = await _row(session, meeting_id)
    before = _snapshot(row)
    row.status = "cancelled"
    await session.flush()
    await outbox.cancel(session=session, key_prefix=f"meeting:{row.id}:")
    await _audited(session, row, "cancel", actor, before)
    return _info(row)


async def update_meeting(
    *,
    session: AsyncSession,
    plan: Planning,
    meeting_id: int,
    actor: str,
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
    await _audited(session, row, "update", actor, before)
    if row.status == "planned":
        await plan_reminders(session=session, plan=plan, meeting_id=row.id)
    return _info(row)


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


PERSONAL_DATA = (
    kept_history("meeting_history", (Meeting.created_by, None), (BodyChannel.set_by, None)),
)
