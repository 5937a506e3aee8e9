"""Where each reminder of a meeting stands, per recipient: the secretary's delivery status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.meetings import Meeting
from storage.models.outbox import OutboxMessage
from storage.outbox import delivery_of
from storage.outbox_payloads import PayloadError
from storage.reminders import opted_out, parse_key

Standing = Literal[
    "acknowledged", "delivered", "unreachable", "opted_out", "planned", "not_sent", "cancelled"
]


@dataclass(frozen=True)
class RecipientStatus:
    """One recipient of one reminder rule of a meeting, and what became of their reminder."""

    rule: str
    recipient: str
    name: str
    standing: Standing
    due_at: datetime
    error: str | None = None


def _standing(status: str, acknowledged: bool, opted: bool) -> Standing:
    if status == "sent":
        return "acknowledged" if acknowledged else "delivered"
    if status == "unreachable":
        return "unreachable"
    if status == "cancelled":
        return "opted_out" if opted else "cancelled"
    if status in ("pending", "claimed"):
        return "planned"
    return "not_sent"  # missed, failed


async def meeting_delivery_status(
    *, session: AsyncSession, meeting_id: int
) -> list[RecipientStatus]:
    """Every personal reminder of the meeting, by rule and recipient (snoozed copies aside)."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        return []
    quiet = await opted_out(session, meeting.body_key)
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.key.startswith(f"meeting:{meeting_id}:", autoescape=True),
            OutboxMessage.kind == "personal",
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.key)
    )
    found: list[RecipientStatus] = []
    for row in rows:
        _, rule, recipient = parse_key(row.key)
        if ":" in recipient:  # a snoozed copy (`…:snooze:{day}`): its original row tells
            continue
        delivery = delivery_of(row)
        try:
            name = delivery.message().recipient_name or recipient
        except PayloadError:
            name = recipient
        standing = _standing(row.status, row.acknowledged_at is not None, recipient in quiet)
        found.append(RecipientStatus(rule, recipient, name, standing, row.due_at, row.last_error))
    return found
