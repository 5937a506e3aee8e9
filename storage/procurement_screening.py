"""IT's screening loop: take a request, ask its requester, hear the answer, decide; IT's channel.

A click on a request that has moved on raises StaleActionError, so a repeated or stale button
does nothing twice. Every step writes an event (the history) and an audit entry.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.access import Actor, NotAuthorisedError, Role
from storage.audit import Author, record_change
from storage.models.base import utcnow
from storage.models.procurement import ProcurementChannel, ProcurementEvent, ProcurementRequest
from storage.procurement import (
    DECISIONS,
    NOTE_REQUIRED,
    OPEN,
    EventRecord,
    ProcurementError,
    RequestRecord,
    RequestStatus,
    Who,
    add_step,
    event_record,
    locked_request,
    request_record,
    request_snapshot,
    requester_of,
)


class StaleActionError(ProcurementError):
    """The request has moved on (decided, taken by someone else): the click changes nothing."""

    default_key = "procurement.acted.stale"

    def __init__(self, request: RequestRecord) -> None:
        super().__init__(id=request.id, status=request.status)
        self.request = request


class NotRequesterError(ProcurementError):
    """Only the employee who made the request may answer IT's questions."""

    default_key = "procurement.acted.not_yours"


class NoOpenQuestionError(ProcurementError):
    """There is no unanswered question from IT on the request."""

    default_key = "procurement.acted.no_question"


class MissingNoteError(ProcurementError):
    """Conditions or a reason are needed for this decision."""

    default_key = "procurement.acted.note_needed"


def _screener(actor: Actor) -> Who:
    return Who(actor.principal.lower(), actor.name)


def _require_screener(actor: Actor) -> None:
    if not actor.access.is_screener:
        raise NotAuthorisedError(Role.IT_SCREENER)


async def _move(
    session: AsyncSession,
    row: ProcurementRequest,
    actor: Actor,
    to: RequestStatus,
    *,
    note: str | None = None,
) -> EventRecord:
    before = request_snapshot(row)
    from_status = row.status
    row.status = to.value
    row.updated_at = utcnow()
    if row.screener is None or to == RequestStatus.SCREENING:
        row.screener, row.screener_name = actor.principal.lower(), actor.name
    if to in DECISIONS:
        row.decided_at = row.updated_at
        row.decision_note = note
    return await add_step(
        session, row, _screener(actor), kind="status", action=f"status:{to.value}",
        from_status=from_status, to_status=to.value, text=note,
        before=before, after=request_snapshot(row),
    )  # fmt: skip


async def take_request(
    *, session: AsyncSession, request_id: int, actor: Actor
) -> tuple[RequestRecord, EventRecord]:
    """A screener takes the request: `modtaget` → `under_screening`."""
    _require_screener(actor)
    row = await locked_request(session, request_id)
    if row.status != RequestStatus.RECEIVED:
        raise StaleActionError(request_record(row))
    event = await _move(session, row, actor, RequestStatus.SCREENING)
    return request_record(row), event


async def decide_request(
    *,
    session: AsyncSession,
    request_id: int,
    actor: Actor,
    decision: RequestStatus,
    note: str | None = None,
) -> tuple[RequestRecord, EventRecord]:
    """Approve, approve with conditions, reject, or mark that a dispensation is sought."""
    _require_screener(actor)
    if decision not in (*DECISIONS, RequestStatus.DISPENSATION):
        raise ValueError(f"{decision} is not a decision")
    note = (note or "").strip() or None
    if decision in NOTE_REQUIRED and note is None:
        raise MissingNoteError(note=decision.value)
    row = await locked_request(session, request_id)
    if RequestStatus(row.status) not in OPEN or row.status == decision:
        raise StaleActionError(request_record(row))
    event = await _move(session, row, actor, decision, note=note)
    return request_record(row), event


async def ask_requester(
    *, session: AsyncSession, request_id: int, actor: Actor, question: str
) -> tuple[RequestRecord, EventRecord, EventRecord | None]:
    """A screener asks the employee for more information; the request is then under screening.

    Returns the request, the question, and the status change when asking took the request.
    """
    _require_screener(actor)
    question = question.strip()
    if not question:
        raise MissingNoteError(note="question")
    row = await locked_request(session, request_id)
    if RequestStatus(row.status) not in OPEN:
        raise StaleActionError(request_record(row))
    moved = None
    if row.status == RequestStatus.RECEIVED:
        moved = await _move(session, row, actor, RequestStatus.SCREENING)
    row.updated_at = utcnow()
    event = await add_step(
        session, row, _screener(actor), kind="question", action="question", text=question,
        after={"question": question},
    )  # fmt: skip
    return request_record(row), event, moved


async def open_question(*, session: AsyncSession, request_id: int) -> EventRecord | None:
    """The oldest unanswered question from IT on a request."""
    row = await session.scalar(
        select(ProcurementEvent)
        .where(
            ProcurementEvent.request_id == request_id,
            ProcurementEvent.kind == "question",
            ProcurementEvent.answered_at.is_(None),
        )
        .order_by(ProcurementEvent.id)
        .limit(1)
    )
    return event_record(row) if row else None


async def answer_question(
    *,
    session: AsyncSession,
    request_id: int,
    principal: str,
    answer: str,
    question_id: int | None = None,
) -> tuple[RequestRecord, EventRecord, EventRecord]:
    """The requester answers IT's question; returns the request, the question and the answer."""
    answer = answer.strip()
    if not answer:
        raise MissingNoteError(note="answer")
    row = await locked_request(session, request_id)
    if row.requester != principal.lower():
        raise NotRequesterError(id=request_id)
    query = select(ProcurementEvent).where(
        ProcurementEvent.request_id == request_id,
        ProcurementEvent.kind == "question",
        ProcurementEvent.answered_at.is_(None),
    )
    if question_id is not None:
        query = query.where(ProcurementEvent.id == question_id)
    question = await session.scalar(query.order_by(ProcurementEvent.id).limit(1))
    if question is None:
        raise NoOpenQuestionError(id=request_id)
    question.answered_at = utcnow()
    row.updated_at = question.answered_at
    event = await add_step(
        session, row, requester_of(row), kind="answer", action="answer", text=answer,
        answers_event_id=question.id, after={"question_id": question.id, "answer": answer},
    )  # fmt: skip
    return request_record(row), event_record(question), event


async def open_requests(*, session: AsyncSession) -> list[RequestRecord]:
    """Requests waiting for IT, oldest first."""
    rows = await session.scalars(
        select(ProcurementRequest)
        .where(ProcurementRequest.status.in_([s.value for s in OPEN]))
        .order_by(ProcurementRequest.created_at, ProcurementRequest.id)
    )
    return [request_record(row) for row in rows]


# --- IT's channel --------------------------------------------------------------------------


async def set_it_channel(*, session: AsyncSession, conversation_id: str, actor: str) -> None:
    """Make `conversation_id` the channel that receives screening cards."""
    previous = await it_channel(session=session)
    session.add(ProcurementChannel(conversation_id=conversation_id, set_by=actor.lower()))
    await record_change(
        session,
        "procurement_channel",
        None,
        by=Author(actor.lower()),
        action="set_it_channel",
        before={"conversation_id": previous} if previous else None,
        after={"conversation_id": conversation_id},
    )


async def it_channel(*, session: AsyncSession, default: str | None = None) -> str | None:
    """The IT channel set from Teams or the CLI, else `default` (GOVBOT_IT_CHANNEL)."""
    newest = await session.scalar(
        select(ProcurementChannel.conversation_id)
        .order_by(ProcurementChannel.set_at.desc(), ProcurementChannel.id.desc())
        .limit(1)
    )
    return newest or default or None
