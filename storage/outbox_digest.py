"""The secretary's digest: everyone one batch could not reach, gathered in one outbox row.

A failure joins the digest row of its batch and reader while that row is still pending; once
it is claimed or sent, the next failure starts the next part, so no entry is lost and no
message is rewritten after it went out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.models.outbox import OutboxMessage
from storage.outbox import delivery_of
from storage.outbox_payloads import PayloadError, UnreachableDigest
from storage.sql import dialect_name


async def add_to_digest(
    *,
    session: AsyncSession,
    key: str,
    target: dict[str, str],
    about: str,
    entry: dict[str, str],
    due_at: datetime,
) -> str:
    """Add `entry` ({"who", "why_da", "why_en"}) to `target`'s digest `key`; returns the row key.

    On PostgreSQL two dispatchers may add to one digest at once, and neither row lock holds a
    row that does not exist yet: a lock on the key (until this transaction ends) makes the
    second wait for the first and then add to its row, instead of both creating it. The lock
    is the key's 64-bit hash; two keys sharing one only wait for each other, they never mix."""
    if dialect_name(session) == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    part = 1
    while True:
        part_key = f"{key}:{part}"
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.key == part_key).with_for_update()
        )
        if row is not None and row.status != "pending":
            part += 1
            continue
        missed: list[dict[str, str]] = []
        if row is not None:
            try:
                message = delivery_of(row).message()
            except PayloadError:
                message = None
            if isinstance(message, UnreachableDigest):
                missed = [m for m in message.missed if m.get("who") != entry.get("who")]
        await outbox.enqueue(
            session=session,
            key=part_key,
            due_at=row.due_at if row is not None else due_at,
            payload=UnreachableDigest(
                subject=f"unreachable {key}", about=about, missed=[*missed, entry]
            ),
            conversation_id=target.get("conversation_id"),
            principal=target.get("principal"),
            kind="channel" if target.get("conversation_id") else "personal",
            source="outbox",
        )
        return part_key
