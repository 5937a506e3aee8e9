"""Procurement requests: submit, record a need that stopped, read back, list, export.

Statuses: modtaget → under_screening → godkendt / godkendt_med_betingelser / afvist /
dispensation_soegt. A need that stops at reuse ("jeg kontakter systemejeren") or is withdrawn
at the follow-or-explain step is kept as `genbrug` / `trukket_tilbage`. Every change writes an
event (the history) and an audit entry. IT's screening loop is storage.procurement_screening.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.audit import Author, record_change
from storage.data_subject import (
    PersonalData,
    Subject,
    anonymous_name,
    held_by,
    kept_history,
)
from storage.errors import DomainError, UnknownRecordError
from storage.identity import person_id_of
from storage.models.procurement import ProcurementChannel, ProcurementEvent, ProcurementRequest
from storage.records import record_of, row_by_id

ENTITY = "procurement_request"


class RequestStatus(StrEnum):
    """Where a request is."""

    RECEIVED = "modtaget"
    SCREENING = "under_screening"
    APPROVED = "godkendt"
    CONDITIONAL = "godkendt_med_betingelser"
    REJECTED = "afvist"
    DISPENSATION = "dispensation_soegt"
    REUSE = "genbrug"
    WITHDRAWN = "trukket_tilbage"


OPEN = frozenset({RequestStatus.RECEIVED, RequestStatus.SCREENING, RequestStatus.DISPENSATION})
DECISIONS = frozenset({RequestStatus.APPROVED, RequestStatus.CONDITIONAL, RequestStatus.REJECTED})
# Decisions that need a note: the conditions, or the reason for rejecting.
NOTE_REQUIRED = frozenset({RequestStatus.CONDITIONAL, RequestStatus.REJECTED})


class ProcurementError(DomainError):
    """Base of the procurement domain errors."""


class UnknownRequestError(ProcurementError, UnknownRecordError):
    """No request has that id."""

    default_key = "procurement.acted.unknown"


@dataclass(frozen=True)
class Requester:
    """The employee behind a request."""

    principal: str
    name: str
    email: str | None = None
    aad_object_id: str | None = None
    lang: str = "da"


@dataclass(frozen=True)
class DepartureAnswer:
    """A departure from a principle, with the employee's justification and plan."""

    key: str
    principle_id: str
    justification: str
    plan: str | None = None


@dataclass(frozen=True)
class EventRecord:
    """One entry in a request's history."""

    id: int
    request_id: int
    at: datetime
    kind: str
    actor: str
    actor_name: str | None
    from_status: str | None
    to_status: str | None
    text: str | None
    answers_event_id: int | None
    answered_at: datetime | None


@dataclass(frozen=True)
class RequestRecord:
    """A procurement request as plain data."""

    id: int
    pack_key: str
    status: RequestStatus
    requester: str
    requester_name: str
    requester_email: str | None
    requester_aad_object_id: str | None
    lang: str
    unit: str
    need: str
    answers: Mapping[str, Any]
    departures: tuple[DepartureAnswer, ...]
    reuse_candidates: tuple[Mapping[str, Any], ...]
    reuse_system_id: int | None
    screener: str | None
    screener_name: str | None
    decision_note: str | None
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None

    @property
    def is_open(self) -> bool:
        """Still waiting for IT."""
        return self.status in OPEN


def request_record(row: ProcurementRequest) -> RequestRecord:
    """A request as plain data."""
    return record_of(
        RequestRecord,
        row,
        status=RequestStatus(row.status),
        answers=dict(row.answers or {}),
        departures=tuple(DepartureAnswer(**d) for d in row.departures or ()),
        reuse_candidates=tuple(row.reuse_candidates or ()),
    )


def event_record(row: ProcurementEvent) -> EventRecord:
    """A history entry as plain data."""
    return record_of(EventRecord, row)


def request_snapshot(row: ProcurementRequest) -> dict[str, Any]:
    """What the audit log records of a request."""
    return {
        "status": row.status,
        "screener": row.screener,
        "decision_note": row.decision_note,
    }


@dataclass(frozen=True)
class Who:
    """Who took a step in a request's life, as its history names them."""

    principal: str
    name: str | None


def requester_of(row: ProcurementRequest) -> Who:
    """The request's requester, as a step's taker."""
    return Who(row.requester, row.requester_name)


async def add_step(
    session: AsyncSession,
    row: ProcurementRequest,
    by: Who,
    *,
    kind: str,
    action: str,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    text: str | None = None,
    answers_event_id: int | None = None,
) -> EventRecord:
    """One step of a request: its entry in the history (`kind`) and the audit entry of the
    change (`action`, `before` → `after`), both by `by`."""
    event = ProcurementEvent(
        request_id=row.id, kind=kind, actor=by.principal, actor_name=by.name,
        from_status=from_status, to_status=to_status, text=text, answers_event_id=answers_event_id,
    )  # fmt: skip
    session.add(event)
    await session.flush()
    await record_change(
        session, ENTITY, row.id, by=Author(by.principal), action=action, before=before, after=after
    )
    return event_record(event)


async def locked_request(session: AsyncSession, request_id: int) -> ProcurementRequest:
    """The request's row, locked for this transaction on PostgreSQL (SQLite has one writer);
    UnknownRequestError when there is none."""
    row = await session.scalar(
        select(ProcurementRequest)
        .where(ProcurementRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise UnknownRequestError(request_id)
    return row


async def _create(
    session: AsyncSession,
    *,
    status: RequestStatus,
    requester: Requester,
    pack_key: str,
    unit: str,
    need: str,
    answers: Mapping[str, Any],
    departures: Sequence[DepartureAnswer],
    reuse_candidates: Sequence[Mapping[str, Any]],
    reuse_system_id: int | None,
) -> RequestRecord:
    row = ProcurementRequest(
        pack_key=pack_key,
        status=status.value,
        requester=requester.principal.lower(),
        requester_name=requester.name,
        requester_email=requester.email.lower() if requester.email else None,
        requester_aad_object_id=requester.aad_object_id,
        requester_person_id=await person_id_of(
            session=session, principals=(requester.aad_object_id or "", requester.email or "")
        ),
        lang=requester.lang,
        unit=unit.strip(),
        need=need.strip(),
        answers=dict(answers),
        departures=[d.__dict__ for d in departures],
        reuse_candidates=[dict(c) for c in reuse_candidates],
        reuse_system_id=reuse_system_id,
    )
    session.add(row)
    await session.flush()
    after = {"status": row.status, "need": row.need, "unit": row.unit}
    await add_step(
        session, row, requester_of(row), kind="status", action="create", to_status=row.status,
        after=after,
    )  # fmt: skip
    return request_record(row)


async def submit_request(
    *,
    session: AsyncSession,
    requester: Requester,
    pack_key: str,
    unit: str,
    need: str,
    answers: Mapping[str, Any],
    departures: Sequence[DepartureAnswer] = (),
    reuse_candidates: Sequence[Mapping[str, Any]] = (),
) -> RequestRecord:
    """Store a confirmed request as `modtaget`, with every answer and departure."""
    return await _create(
        session,
        status=RequestStatus.RECEIVED,
        requester=requester,
        pack_key=pack_key,
        unit=unit,
        need=need,
        answers=answers,
        departures=departures,
        reuse_candidates=reuse_candidates,
        reuse_system_id=None,
    )


async def record_stopped(
    *,
    session: AsyncSession,
    requester: Requester,
    pack_key: str,
    unit: str,
    need: str,
    status: RequestStatus,
    answers: Mapping[str, Any] | None = None,
    reuse_candidates: Sequence[Mapping[str, Any]] = (),
    reuse_system_id: int | None = None,
) -> RequestRecord:
    """Keep a need that ended before IT: stopped at reuse, or withdrawn at follow-or-explain."""
    if status not in (RequestStatus.REUSE, RequestStatus.WITHDRAWN):
        raise ValueError("only genbrug or trukket_tilbage end a need before IT")
    return await _create(
        session,
        status=status,
        requester=requester,
        pack_key=pack_key,
        unit=unit,
        need=need,
        answers=answers or {},
        departures=(),
        reuse_candidates=reuse_candidates,
        reuse_system_id=reuse_system_id,
    )


async def get_request(*, session: AsyncSession, request_id: int) -> RequestRecord:
    """One request as it stands (unlocked: for showing it); UnknownRequestError when none."""
    return request_record(
        await row_by_id(session, ProcurementRequest, request_id, UnknownRequestError)
    )


async def request_history(*, session: AsyncSession, request_id: int) -> list[EventRecord]:
    """Every event of a request, oldest first."""
    rows = await session.scalars(
        select(ProcurementEvent)
        .where(ProcurementEvent.request_id == request_id)
        .order_by(ProcurementEvent.at, ProcurementEvent.id)
    )
    return [event_record(row) for row in rows]


async def requests_of(
    *, session: AsyncSession, principals: Sequence[str], limit: int = 20
) -> list[RequestRecord]:
    """A requester's requests (by AAD object id or email), newest first."""
    keys = [p.lower() for p in principals if p]
    if not keys:
        return []
    rows = await session.scalars(
        select(ProcurementRequest)
        .where(
            (ProcurementRequest.requester.in_(keys))
            | (ProcurementRequest.requester_email.in_(keys))
        )
        .order_by(ProcurementRequest.created_at.desc(), ProcurementRequest.id.desc())
        .limit(limit)
    )
    return [request_record(row) for row in rows]


async def all_requests(*, session: AsyncSession) -> list[RequestRecord]:
    """Every request, oldest first (for the export)."""
    rows = await session.scalars(select(ProcurementRequest).order_by(ProcurementRequest.id))
    return [request_record(row) for row in rows]


async def open_similar(*, session: AsyncSession, limit: int = 200) -> list[RequestRecord]:
    """Recent open requests, newest first, for the reuse search."""
    rows = await session.scalars(
        select(ProcurementRequest)
        .where(ProcurementRequest.status.in_([s.value for s in OPEN]))
        .order_by(ProcurementRequest.created_at.desc())
        .limit(limit)
    )
    return [request_record(row) for row in rows]


# --- personal data (storage.personal_data lists these) ------------------------------------


def _requests_of(subject: Subject) -> ColumnElement[bool]:
    return held_by(subject, ProcurementRequest.requester, ProcurementRequest.requester_person_id)


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


_REQUESTER = (
    ProcurementRequest.requester,
    ProcurementRequest.requester_name,
    ProcurementRequest.requester_email,
    ProcurementRequest.requester_aad_object_id,
    ProcurementRequest.requester_person_id,
)
PERSONAL_DATA = (
    PersonalData(
        "procurement_requests", _REQUESTER, export=_export_requests, erase=_erase_requests
    ),
    kept_history(
        "procurement_history",
        (ProcurementRequest.screener, ProcurementRequest.screener_name),
        (ProcurementEvent.actor, ProcurementEvent.actor_name),
        (ProcurementChannel.set_by, None),
    ),
)
