"""The "could not reach" notice: whoever a row names hears when its recipient cannot be reached."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.outbox import Delivery
from storage.outbox_payloads import PayloadError, UnreachableNotice


def unreachable_notice(delivery: Delivery) -> UnreachableNotice:
    """The notice that `delivery` did not reach its recipient (named as the row names them)."""
    try:
        message = delivery.message()
    except PayloadError:  # its recipient is still worth telling about
        who = subject = None
    else:
        who, subject = message.recipient_name, message.subject
    return UnreachableNotice(
        subject=f"unreachable {delivery.key}",
        who=who or delivery.recipient,
        about=subject or delivery.key,
    )


async def report_unreachable(*, session: AsyncSession, delivery: Delivery, now: datetime) -> None:
    """Plan the notice for everyone `delivery.report_to` names (the body's secretaries)."""
    notice = unreachable_notice(delivery)
    for target in delivery.report_to:
        await outbox.enqueue(
            session=session,
            key=f"{delivery.key}:unreachable:{_target_name(target)}",
            due_at=now,
            payload=notice,
            conversation_id=target.get("conversation_id"),
            principal=target.get("principal"),
            kind="channel" if target.get("conversation_id") else "personal",
            source="outbox",
        )


def _target_name(target: dict[str, str]) -> str:
    return target.get("principal") or target.get("conversation_id") or "?"
