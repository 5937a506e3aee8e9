"""Every procurement delivery as an outbox row: IT's card, status news, questions and answers.

Keys are fixed per event (`procurement:{id}:…`), so a retried turn never sends anything twice.
All rows are written in the caller's transaction, together with the change they announce.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.formats import spoken_day
from dialogs.language import recipient_language
from dialogs.procurement_view import request_values, short, status_label
from dialogs.texts import Lang
from storage import outbox
from storage.access import Role, list_grants
from storage.conversations import personal_conversation
from storage.identity import teams_user_ids
from storage.models.base import utcnow
from storage.outbox_payloads import (
    Payload,
    ProcurementAnswer,
    ProcurementChannelMissing,
    ProcurementChannelStatus,
    ProcurementQuestion,
    ProcurementRequesterCard,
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


async def requester_lang(session: AsyncSession, record: RequestRecord) -> Lang:
    """The requester's language now (their profile, else their own words in their 1:1 chat),
    else the language the request was written in; never the screener's."""
    chat = await personal_conversation(
        session=session,
        aad_object_id=record.requester_aad_object_id,
        email=None if record.requester_aad_object_id else record.requester_email,
    )
    return await recipient_language(session=session, conversation=chat, default=_lang(record.lang))


async def _to_requester(
    session: AsyncSession, record: RequestRecord, key: str, payload: Payload, lang: Lang
) -> None:
    await _send_now(
        session,
        key,
        payload.model_copy(update={"lang": lang}),
        principal=record.requester_aad_object_id or record.requester_email or record.requester,
    )


async def _to_it(
    session: AsyncSession,
    key: str,
    payload: Payload,
    *,
    channel: str | None,
    lang: Lang,
    screeners: bool = True,
    personal: Payload | None = None,
) -> bool:
    """Post to IT's channel; without one, to each screener 1:1 (`personal`, when they get
    another version). True when a channel got it.

    IT is told in `lang`, the municipality's language, as the card's values are written in it."""
    payload = payload.model_copy(update={"lang": lang})
    if channel:
        await _send_now(
            session,
            f"{key}:channel",
            payload,
            conversation_id=channel,
            kind="channel",
        )
        return True
    if screeners:
        own = (personal or payload).model_copy(update={"lang": lang})
        for grant in await list_grants(session=session, role=Role.IT_SCREENER):
            await _send_now(session, f"{key}:{grant.principal}", own, principal=grant.principal)
    return False


async def announce_request(
    *, session: AsyncSession, record: RequestRecord, default_channel: str, tz: Any, it_lang: Lang
) -> bool:
    """Send the screening card to IT (in `it_lang`); True when it goes to IT's channel.

    Without a channel the screeners get it 1:1, and govbot's admins are told to set one up.
    """
    channel = await it_channel(session=session, default=default_channel)
    key = f"procurement:{record.id}:it"
    to_channel = await _to_it(
        session,
        key,
        screening_card(record, tz, it_lang, refresh=await screener_ids(session)),
        channel=channel,
        lang=it_lang,
        personal=screening_card(record, tz, it_lang),
    )
    lang = await requester_lang(session, record)
    await _to_requester(
        session, record, requester_card_key(record.id), requester_card(record, lang, tz), lang
    )
    if not to_channel:
        notice = ProcurementChannelMissing(
            id=record.id,
            need=short(record.need),
            subject=f"procurement {record.id} without IT channel",
        )
        for grant in await list_grants(session=session, role=Role.ADMIN):
            # Not under it_card_key: the screening cards shown anew must not replace it.
            key_admin = f"procurement:{record.id}:channel_missing:{grant.principal}"
            await _send_now(session, key_admin, notice, principal=grant.principal)
    return to_channel


async def screener_ids(session: AsyncSession) -> list[str]:
    """The Teams user ids of IT's screeners, for the channel card's own views (at most 60,
    the most recently seen first: Teams refreshes no more)."""
    grants = await list_grants(session=session, role=Role.IT_SCREENER)
    return await teams_user_ids(session=session, principals=[g.principal for g in grants])


def requester_card_key(request_id: int) -> str:
    """The key of the requester's own card of a request."""
    return f"procurement:{request_id}:requester"


def it_card_key(request_id: int) -> str:
    """The key prefix of the screening cards posted for a request (channel or screeners)."""
    return f"procurement:{request_id}:it:"


async def announce_status(
    *,
    session: AsyncSession,
    record: RequestRecord,
    event: EventRecord,
    default_channel: str,
    it_lang: Lang,
) -> None:
    """Tell the requester 1:1, and IT's channel (in `it_lang`), that a request changed status."""
    key = f"procurement:{record.id}:event:{event.id}"
    lang = await requester_lang(session, record)
    await _to_requester(session, record, key, status_news(record, event, lang), lang)
    channel = await it_channel(session=session, default=default_channel)
    news = channel_status(record, event, it_lang)
    await _to_it(session, key, news, channel=channel, lang=it_lang, screeners=False)


async def relay_question(
    *, session: AsyncSession, record: RequestRecord, question: EventRecord
) -> None:
    """Bring IT's question to the requester 1:1, as a card they can answer in."""
    key = f"procurement:{record.id}:question:{question.id}"
    lang = await requester_lang(session, record)
    await _to_requester(session, record, key, question_card(record, question), lang)


async def relay_answer(
    *,
    session: AsyncSession,
    record: RequestRecord,
    question: EventRecord,
    answer: EventRecord,
    default_channel: str,
    it_lang: Lang,
) -> None:
    """Bring the requester's answer back to the screener who asked, and to IT's channel."""
    payload = answer_news(record, question, answer)
    key = f"procurement:{record.id}:answer:{answer.id}"
    await _send_now(session, f"{key}:screener", payload, principal=question.actor)
    channel = await it_channel(session=session, default=default_channel)
    await _to_it(session, key, payload, channel=channel, lang=it_lang, screeners=False)


# --- the messages, one builder per kind -------------------------------------------------


def screening_stage(status: str) -> str:
    """Which of IT's buttons still make sense: all (new), all but "take" (being screened), or
    none (decided, withdrawn or reused)."""
    if status == RequestStatus.RECEIVED:
        return "new"
    if status in OPEN:
        return "screening"
    return "closed"


def screening_card(
    record: RequestRecord,
    tz: Any,
    lang: Lang,
    *,
    refresh: list[str] | None = None,
    buttons: bool | None = None,
) -> ProcurementScreeningCard:
    """The card IT screens a request on, in IT's language `lang`, as it stands now: the first
    one posted, and each version shown in its place after a status change.

    With `refresh` (the channel's card: the screeners' Teams ids) it is the card everyone in
    the channel sees, read-only, and Teams asks govbot for each listed screener's own view;
    `buttons` then says whether a view offers the screener's buttons (a screener's 1:1 card
    always does)."""
    values = request_values(record, lang, tz)
    values["buttons"] = refresh is None if buttons is None else buttons
    values["refresh"] = refresh
    values["stage"] = screening_stage(record.status)
    values["status_text"] = status_label(record.status, lang)
    values["screener"] = record.screener_name
    values["decision_note"] = record.decision_note
    return ProcurementScreeningCard(
        id=values.pop("id"),
        requester_name=values.pop("requester_name"),
        date=values.pop("date"),
        summary=values,
    )


def requester_card(record: RequestRecord, lang: Lang, tz: Any) -> ProcurementRequesterCard:
    """The requester's card of their request as it stands now, in their language `lang`."""
    return ProcurementRequesterCard(
        id=record.id,
        need=short(record.need, 200),
        status=status_label(record.status, lang),
        date=spoken_day(record.created_at, lang, tz),
        screener=record.screener_name,
        note=record.decision_note,
        lang=lang,
    )


def status_news(record: RequestRecord, event: EventRecord, lang: Lang) -> ProcurementStatusNews:
    """The requester's news that their request changed status, in their language `lang`."""
    return ProcurementStatusNews(
        **_status_values(record, event), status=status_label(record.status, lang)
    )


def channel_status(
    record: RequestRecord, event: EventRecord, lang: Lang
) -> ProcurementChannelStatus:
    """IT's channel's news that a request changed status, in IT's language `lang`."""
    return ProcurementChannelStatus(
        **_status_values(record, event), status=status_label(record.status, lang)
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
