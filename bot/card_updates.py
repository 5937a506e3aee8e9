"""Cards kept current: a posted card is replaced in place (PUT on its activity id) when what it
shows changes, so its buttons never offer what is already done."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from bot.logs import fields
from bot.outbox_render import render
from bot.proactive import ProactiveSender
from dialogs.language import recipient_language
from dialogs.texts import Lang
from storage import outbox
from storage.conversations import get_conversation
from storage.db import Database
from storage.outbox import Delivery
from storage.outbox_payloads import Payload

log = logging.getLogger(__name__)


async def update_posted(
    *,
    database: Database,
    sender: ProactiveSender,
    delivery: Delivery,
    message: Payload,
    tz: ZoneInfo,
    language: Lang,
) -> bool:
    """Show `message` in place of the card `delivery` posted; False when it kept no activity id
    or its conversation is gone (then there is nothing to update).

    A message planned without a language is shown in the recipient's, by the same rule as its
    send (`language`: the municipality's)."""
    if not delivery.activity_id or not delivery.sent_to:
        return False
    async with database.transaction() as session:
        conversation = await get_conversation(session=session, conversation_id=delivery.sent_to)
        if conversation is None:
            return False
        lang = await recipient_language(
            session=session, conversation=conversation, default=language
        )
    activity = render(message, lang=lang, due_at=delivery.due_at, late=False, tz=tz)
    await sender.update(conversation, delivery.activity_id, activity)
    log.info("card updated in place", extra=fields(key=delivery.key))
    return True


async def keep_current(
    *,
    database: Database,
    sender: ProactiveSender,
    key_prefix: str,
    message: Payload | Callable[[Delivery], Payload],
    tz: ZoneInfo,
    language: Lang,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    attempts: int = 50,
) -> int:
    """Make every card planned under `key_prefix` show `message` (or the message it gives for
    each row: a channel's card and a person's may differ): posted ones are updated in place,
    unsent ones get it as their message; one being sent right now is waited for (a few
    seconds at most) and then updated. Returns how many posted cards were updated."""

    def message_for(row: Delivery) -> Payload:
        return message if isinstance(message, Payload) else message(row)

    updated: set[str] = set()
    for _ in range(attempts):
        async with database.transaction() as session:
            rows = await outbox.deliveries(session=session, key_prefix=key_prefix)
            in_flight = False
            for row in rows:
                if row.status == "pending":
                    if not await outbox.replace_pending_payload(
                        session=session, key=row.key, payload=message_for(row)
                    ):
                        in_flight = True  # claimed since it was read
                elif row.status == "claimed":
                    in_flight = True
        for row in rows:
            if row.status == "sent" and row.key not in updated:
                if await update_posted(
                    database=database, sender=sender, delivery=row, message=message_for(row),
                    tz=tz, language=language,
                ):  # fmt: skip
                    updated.add(row.key)
        if not in_flight:
            return len(updated)
        await sleep(0.1)
    log.warning("card still being sent; left as it was", extra=fields(key=key_prefix))
    return len(updated)
