"""Cards kept current: a posted card is replaced in place (PUT on its activity id) when what it
shows changes, so its buttons never offer what is already done."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.logs import fields
from bot.outbox_render import render
from bot.proactive import ProactiveSender
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
) -> bool:
    """Show `message` in place of the card `delivery` posted; False when it kept no activity id
    or its conversation is gone (then there is nothing to update)."""
    if not delivery.activity_id or not delivery.sent_to:
        return False
    async with database.transaction() as session:
        conversation = await get_conversation(session=session, conversation_id=delivery.sent_to)
    if conversation is None:
        return False
    activity = render(
        message, locale=conversation.locale, due_at=delivery.due_at, late=False, tz=tz
    )
    await sender.update(conversation, delivery.activity_id, activity)
    log.info("card updated in place", extra=fields(key=delivery.key))
    return True
