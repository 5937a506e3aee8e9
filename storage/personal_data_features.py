"""Personal-data exporters and erasers for the feature tables (procurement, portfolio, årshjul).

Registered here until each feature registers its own; importing this module registers them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.meetings import ReminderOptOut
from storage.models.portfolio import Initiative, InitiativeFollower
from storage.models.procurement import ProcurementRequest
from storage.personal_data import Subject, anonymous_name, register_eraser, register_exporter


def _requests_of(subject: Subject) -> Any:
    conditions = [ProcurementRequest.requester.in_(subject.principals)]
    if subject.person_id is not None:
        conditions.append(ProcurementRequest.requester_person_id == subject.person_id)
    return or_(*conditions)


async def _export_requests(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(select(ProcurementRequest).where(_requests_of(subject)))
    return [
        {"id": r.id, "status": r.status, "need": r.need[:200], "created_at": r.created_at}
        for r in rows
    ]


async def _erase_requests(session: AsyncSession, subject: Subject) -> int:
    rows = list(await session.scalars(select(ProcurementRequest).where(_requests_of(subject))))
    for row in rows:
        row.requester_name = anonymous_name(subject)
        row.requester_email = None
        row.requester_aad_object_id = None
        row.requester = f"anonymised:{subject.person_id or row.id}"
    return len(rows)


def _initiatives_of(subject: Subject) -> Any:
    conditions = [Initiative.registered_by.in_(subject.principals)]
    if subject.person_id is not None:
        conditions.append(Initiative.lead_person_id == subject.person_id)
    return or_(*conditions)


async def _export_initiatives(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(select(Initiative).where(_initiatives_of(subject)))
    return [{"id": r.id, "title": r.title, "status": r.status} for r in rows]


async def _erase_initiatives(session: AsyncSession, subject: Subject) -> int:
    rows = list(await session.scalars(select(Initiative).where(_initiatives_of(subject))))
    name = anonymous_name(subject)
    for row in rows:
        if row.registered_by in subject.principals:
            row.registered_by = f"anonymised:{subject.person_id or row.id}"
            row.registered_by_name = name
        if subject.person_id is not None and row.lead_person_id == subject.person_id:
            row.lead_name = name
    return len(rows)


async def _export_following(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(InitiativeFollower).where(InitiativeFollower.principal.in_(subject.principals))
    )
    return [{"initiative_id": r.initiative_id} for r in rows]


async def _erase_following(session: AsyncSession, subject: Subject) -> int:
    result = await session.execute(
        delete(InitiativeFollower).where(InitiativeFollower.principal.in_(subject.principals))
    )
    return int(result.rowcount or 0)


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


register_exporter("procurement_requests", _export_requests)
register_eraser("procurement_requests", _erase_requests)
register_exporter("initiatives", _export_initiatives)
register_eraser("initiatives", _erase_initiatives)
register_exporter("initiative_following", _export_following)
register_eraser("initiative_following", _erase_following)
register_exporter("reminder_opt_outs", _export_opt_outs)
register_eraser("reminder_opt_outs", _erase_opt_outs)
