"""Every procurement delivery as an outbox row: IT's card, status news, questions and answers.

Keys are fixed per event (`procurement:{id}:…`), so a retried turn never sends anything twice.
All rows are written in the caller's transaction, together with the change they announce.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.procurement_view import request_values, short, status_label
from dialogs.texts import Lang
from storage import outbox
from storage.access import Role, list_grants
from storage.models.base import utcnow
from storage.outbox_payloads import (
    Payload,
    ProcurementAnswer,
    ProcurementChannelStatus,
    ProcurementQuestion,
    ProcurementScreeningCard,
    ProcurementStatusNews,
)
from storage.procurement import OPEN, EventRecord, RequestRecord, RequestStatus
from storage.procurement_screening import it_channel

SOURCE = "procurement"


async def _send_now(
    session: AsyncSession,
    key: str,
    payload: Payload,
    *,
    principal: str | None = None,
    conversation_id: str | None = None,
    kind: outbox.Kind = "personal",
) -> None:
    """An outbox row due at once, to a principal (1:1) or a conversation."""
    await outbox.enqueue(
        session=session, key=key, due_at=utcnow(), payload=payload, source=SOURCE,
        principal=principal, conversation_id=conversation_id, kind=kind,
    )  # fmt: skip


def _lang(value: str) -> Lang:
    return "en" if value == "en" else "da"


async def _to_requester(
    session: AsyncSession, record: RequestRecord, key: str, payload: Payload
) -> None:
    await _send_now(
        session,
        key,
        payload.model_copy(update={"lang": _lang(record.lang)}),
        principal=record.requester_aad_object_id or record.requester_email or record.requester,
    )


async def _to_it(
    session: AsyncSession,
    key: str,
    payload: Payload,
    *,
    channel: str | None,
    screeners: bool = True,
) -> bool:
    """Post to IT's channel; without one, to each screener 1:1. True when a channel got it."""
    if channel:
        await _send_now(
            session,
            f"{key}:channel",
            payload.model_copy(update={"lang": "da"}),
            conversation_id=channel,
            kind="channel",
        )
        return True
    if screeners:
        for grant in await list_grants(session=session, role=Role.IT_SCREENER):
            await _send_now(session, f"{key}:{grant.principal}", payload, principal=grant.principal)
    return False


async def announce_request(
    *, session: AsyncSession, record: RequestRecord, default_channel: str, tz: Any
) -> bool:
    """Send the screening card to IT; True when it goes to IT's channel."""
    channel = await it_channel(session=session, default=default_channel)
    return await _to_it(
        session, f"procurement:{record.id}:it", screening_card(record, tz), channel=channel
    )


def it_card_key(request_id: int) -> str:
    """The key prefix of the screening cards posted for a request (channel or screeners)."""
    return f"procurement:{request_id}:it:"


async def announce_status(
    *, session: AsyncSession, record: RequestRecord, event: EventRecord, default_channel: str
) -> None:
    """Tell the requester 1:1, and IT's channel, that a request changed status."""
    key = f"procurement:{record.id}:event:{event.id}"
    await _to_requester(session, record, key, status_news(record, event))
    channel = await it_channel(session=session, default=default_channel)
    await _to_it(session, key, channel_status(record, event), channel=channel, screeners=False)


async def relay_question(
    *, session: AsyncSession, record: RequestRecord, question: EventRecord
) -> None:
    """Bring IT's question to the requester 1:1, as a card they can answer in."""
    key = f"procurement:{record.id}:question:{question.id}"
    await _to_requester(session, record, key, question_card(record, question))


async def relay_answer(
    *,
    session: AsyncSession,
    record: RequestRecord,
    question: EventRecord,
    answer: EventRecord,
    default_channel: str,
) -> None:
    """Bring the requester's answer back to the screener who asked, and to IT's channel."""
    payload = answer_news(record, question, answer)
    key = f"procurement:{record.id}:answer:{answer.id}"
    await _send_now(session, f"{key}:screener", payload, principal=question.actor)
    channel = await it_channel(session=session, default=default_channel)
    await _to_it(session, key, payload, channel=channel, screeners=False)


# --- the messages, one builder per kind -------------------------------------------------


def screening_stage(status: str) -> str:
    """Which of IT's buttons still make sense: all (new), all but "take" (being screened), or
    none (decided, withdrawn or reused)."""
    if status == RequestStatus.RECEIVED:
        return "new"
    if status in OPEN:
        return "screening"
    return "closed"


def screening_card(record: RequestRecord, tz: Any) -> ProcurementScreeningCard:
    """The card IT screens a request on (in Danish, IT's language), as it stands now: the
    first one posted, and each version shown in its place after a status change."""
    values = request_values(record, "da", tz)
    values["stage"] = screening_stage(record.status)
    values["status_text"] = status_label(record.status, "da")
    values["screener"] = record.screener_name
    values["decision_note"] = record.decision_note
    return ProcurementScreeningCard(
        id=values.pop("id"),
        requester_name=values.pop("requester_name"),
        date=values.pop("date"),
        summary=values,
    )


def status_news(record: RequestRecord, event: EventRecord) -> ProcurementStatusNews:
    """The requester's news that their request changed status, in their language."""
    return ProcurementStatusNews(
        **_status_values(record, event), status=status_label(record.status, _lang(record.lang))
    )


def channel_status(record: RequestRecord, event: EventRecord) -> ProcurementChannelStatus:
    """IT's channel's news that a request changed status."""
    return ProcurementChannelStatus(
        **_status_values(record, event), status=status_label(record.status, "da")
    )


def _status_values(record: RequestRecord, event: EventRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "need": short(record.need),
        "by": event.actor_name or event.actor,
        "note": event.text,
    }


def question_card(record: RequestRecord, question: EventRecord) -> ProcurementQuestion:
    """IT's question as a card the requester answers in."""
    return ProcurementQuestion(
        id=record.id,
        need=short(record.need, 200),
        by=question.actor_name or question.actor,
        question=question.text,
        question_id=question.id,
    )


def answer_news(
    record: RequestRecord, question: EventRecord, answer: EventRecord
) -> ProcurementAnswer:
    """The requester's answer, for the screener who asked and IT's channel."""
    return ProcurementAnswer(
        id=record.id,
        need=short(record.need),
        name=record.requester_name,
        question=question.text,
        answer=answer.text,
    )
