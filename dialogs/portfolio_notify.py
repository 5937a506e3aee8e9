"""News of an initiative's move, 1:1 to whoever registered or joined it, through the outbox.

Keys are `portfolio:{id}:status:{n}:{principal}` (n = the history entry), so a retried turn
never tells anyone twice. Rows are written in the turn's transaction, with the move itself.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.language import recipient_language
from dialogs.texts import Lang, in_lang, text
from knowledge.packs import load_pack
from storage import outbox
from storage.access import Actor
from storage.conversations import personal_conversation
from storage.models.base import utcnow
from storage.outbox_payloads import InitiativeMoved
from storage.portfolio import InitiativeRecord
from storage.portfolio_followers import audience

SOURCE = "portfolio"


async def _lang_of(session: AsyncSession, principal: str, default: Lang) -> Lang:
    """The recipient's language (their profile or own words in their 1:1 chat, else `default`)."""
    by = {"email": principal} if "@" in principal else {"aad_object_id": principal}
    chat = await personal_conversation(session=session, **by)
    return await recipient_language(session=session, conversation=chat, default=default)


def _body_name(pack_key: str, body_key: str | None, lang: Lang) -> str | None:
    if body_key is None:
        return None
    try:
        body = load_pack(pack_key).body(body_key)
    except KeyError:
        return body_key
    return str(in_lang(body, "name", lang))


async def announce_move(
    *,
    session: AsyncSession,
    record: InitiativeRecord,
    actor: Actor,
    pack_key: str,
    default_lang: Lang,
) -> int:
    """Tell the registrant and followers (not the mover) who moved the initiative and why."""
    n = len(record.history) - 1
    planned = 0
    for principal in await audience(session=session, initiative_id=record.id):
        if principal in actor.principals:
            continue
        lang = await _lang_of(session, principal, default_lang)
        await outbox.enqueue(
            session=session,
            key=f"portfolio:{record.id}:status:{n}:{principal}",
            due_at=utcnow(),
            payload=moved_news(record, lang, pack_key),
            principal=principal,
            source=SOURCE,
        )
        planned += 1
    return planned


def moved_news(record: InitiativeRecord, lang: Lang, pack_key: str) -> InitiativeMoved:
    """The news of the initiative's latest move, in `lang`."""
    entry = record.history[-1]
    return InitiativeMoved(
        lang=lang,
        subject=f"portfolio {record.id} moved",
        id=record.id,
        title=record.title,
        from_status=text(f"portfolio.status.{entry.from_status}", lang)
        if entry.from_status
        else None,
        to_status=text(f"portfolio.status.{entry.to_status}", lang),
        by=entry.actor_name,
        body=_body_name(pack_key, entry.body_key, lang),
        reason=entry.reason,
    )
