"""The reminder and notification outbox: plan deliveries durably, cancel them, read them back.

Each row has a fixed key (e.g. `meeting:{id}:{rule}:{recipient}`). Enqueueing an existing key
replaces a row that has not gone out; it never adds a second one. The dispatcher's side,
claiming due rows and recording what became of them, is storage.outbox_dispatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.data_subject import (
    PersonalData,
    Subject,
    anonymous_name,
    anonymous_principal,
    held_by,
    mentions,
    scrub,
)
from storage.models.base import utcnow
from storage.models.outbox import OutboxMessage
from storage.outbox_payloads import Payload, PayloadError, decode, stored_form
from storage.records import record_of
from storage.sql import rowcount

Kind = Literal["personal", "channel"]
DeliveryStatus = Literal[
    "pending", "claimed", "sent", "failed", "unreachable", "missed", "cancelled"
]
OPEN: tuple[DeliveryStatus, ...] = ("pending", "claimed")


class OutboxError(Exception):
    """A delivery was planned without a recipient or with a malformed payload."""


@dataclass(frozen=True)
class Delivery:
    """One outbox row, as plain data."""

    id: int
    key: str
    source: str
    kind: Kind
    conversation_id: str | None
    person_id: int | None
    principal: str | None
    payload: dict[str, Any]  # the stored form of its message; `message()` reads it
    report_to: tuple[dict[str, str], ...]
    due_at: datetime
    expires_at: datetime | None
    status: DeliveryStatus
    available_at: datetime
    attempts: int
    claimed_by: str | None
    lease_until: datetime | None
    sent_at: datetime | None
    late: bool
    sent_to: str | None
    last_error: str | None
    acknowledged_at: datetime | None
    activity_id: str | None = None  # the channel's id of the posted message (to update it)

    @property
    def recipient(self) -> str:
        """Who or where it goes: the conversation id, else the principal, else `person:{id}`."""
        return self.conversation_id or self.principal or f"person:{self.person_id}"

    def message(self) -> Payload:
        """What the row says, as its message kind; PayloadError when the row holds none."""
        return decode(self.payload)


def delivery_of(row: OutboxMessage) -> Delivery:
    """A row as plain data."""
    return record_of(Delivery, row, payload=dict(row.payload), report_to=tuple(row.report_to or ()))


async def enqueue(
    *,
    session: AsyncSession,
    key: str,
    due_at: datetime,
    payload: Payload,
    conversation_id: str | None = None,
    person_id: int | None = None,
    principal: str | None = None,
    kind: Kind = "personal",
    source: str,
    expires_at: datetime | None = None,
    report_to: Sequence[dict[str, str]] = (),
    resend: bool = False,
) -> None:
    """Plan one delivery under `key`; an unsent row with that key is replaced, never doubled.

    A row that already went out is left alone unless `resend` (e.g. the meeting moved).
    """
    if not (conversation_id or person_id or principal):
        raise OutboxError(f"{key}: no recipient")
    if due_at.tzinfo is None or (expires_at and expires_at.tzinfo is None):
        raise OutboxError(f"{key}: times must be timezone-aware")
    try:
        stored = stored_form(payload)
    except PayloadError as error:
        raise OutboxError(f"{key}: {error}") from error
    values: dict[str, Any] = {
        "source": source,
        "kind": kind,
        "conversation_id": conversation_id,
        "person_id": person_id,
        "principal": principal.lower() if principal else None,
        "payload": stored,
        "report_to": [dict(r) for r in report_to],
        "due_at": due_at,
        "expires_at": expires_at,
        "status": "pending",
        "available_at": due_at,
        "attempts": 0,
        "claimed_by": None,
        "lease_until": None,
        "sent_at": None,
        "late": False,
        "sent_to": None,
        "activity_id": None,
        "last_error": None,
        "acknowledged_at": None,
    }
    row = await session.scalar(
        select(OutboxMessage).where(OutboxMessage.key == key).with_for_update()
    )
    if row is None:
        session.add(OutboxMessage(key=key, **values))
        await session.flush()
        return
    if row.status == "sent" and not resend:
        return
    for name, value in values.items():
        setattr(row, name, value)
    await session.flush()


async def replace_pending_payload(*, session: AsyncSession, key: str, payload: Payload) -> bool:
    """Give a row that has not been claimed yet a newer message; False when it is no longer
    pending (claimed rows are never touched: their send may already be under way)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == key, OutboxMessage.status == "pending")
        .values(payload=stored_form(payload), updated_at=utcnow())
    )
    return bool(rowcount(result))


async def cancel(*, session: AsyncSession, key_prefix: str) -> int:
    """Cancel every not-yet-sent delivery whose key starts with `key_prefix`; returns how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_key_starts(key_prefix))
        .where(OutboxMessage.status.in_(OPEN))
        .values(status="cancelled", claimed_by=None, lease_until=None, updated_at=utcnow())
    )
    return rowcount(result)


async def cancel_keys(*, session: AsyncSession, keys: Sequence[str]) -> int:
    """Cancel the not-yet-sent deliveries with exactly these keys; returns how many."""
    if not keys:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key.in_(list(keys)), OutboxMessage.status.in_(OPEN))
        .values(status="cancelled", claimed_by=None, lease_until=None, updated_at=utcnow())
    )
    return rowcount(result)


def _key_starts(prefix: str) -> Any:
    return OutboxMessage.key.startswith(prefix, autoescape=True)


async def acknowledge(*, session: AsyncSession, key: str, at: datetime | None = None) -> bool:
    """Note that the recipient acknowledged the delivery ("Set"); False when unknown."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == key, OutboxMessage.acknowledged_at.is_(None))
        .values(acknowledged_at=at or utcnow())
    )
    return bool(rowcount(result))


async def get_delivery(*, session: AsyncSession, key: str) -> Delivery | None:
    """The delivery planned under `key`, if any."""
    row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    return delivery_of(row) if row else None


async def deliveries(
    *,
    session: AsyncSession,
    key_prefix: str | None = None,
    status: Sequence[DeliveryStatus] | None = None,
    due_from: datetime | None = None,
    due_until: datetime | None = None,
    principal: str | None = None,
) -> list[Delivery]:
    """Deliveries by key prefix, status, due window and principal, in due order."""
    query = select(OutboxMessage)
    if key_prefix:
        query = query.where(_key_starts(key_prefix))
    if principal:
        query = query.where(OutboxMessage.principal == principal.lower())
    if status:
        query = query.where(OutboxMessage.status.in_(list(status)))
    if due_from:
        query = query.where(OutboxMessage.due_at >= due_from)
    if due_until:
        query = query.where(OutboxMessage.due_at <= due_until)
    rows = await session.scalars(query.order_by(OutboxMessage.due_at, OutboxMessage.id))
    return [delivery_of(row) for row in rows]


async def status_counts(*, session: AsyncSession, key_prefix: str | None = None) -> dict[str, int]:
    """How many deliveries are in each status."""
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if key_prefix:
        query = query.where(_key_starts(key_prefix))
    return {status: count for status, count in (await session.execute(query)).all()}


# --- personal data (storage.personal_data lists these) ------------------------------------


def _addressed_to(subject: Subject) -> ColumnElement[bool]:
    return held_by(subject, OutboxMessage.principal, OutboxMessage.person_id)


async def _export_deliveries(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    """The messages planned for the person that have not gone out."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(_addressed_to(subject), OutboxMessage.status.in_(OPEN))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    return [
        {
            "source": row.source,
            "subject": row.payload.get("subject"),
            "due_at": row.due_at,
            "status": row.status,
        }
        for row in rows
    ]


async def _erase_deliveries(session: AsyncSession, subject: Subject) -> int:
    """Cancel what was planned for the person, and take them out of every row that names them
    (its key, payload, or the list of who hears when it cannot be delivered).

    Every row is read, as for the audit log: a name can stand in any row's payload.
    """
    principals = {p.lower() for p in subject.principals}
    changed = 0
    for row in list(await session.scalars(select(OutboxMessage))):
        addressed = row.principal in principals or (
            subject.person_id is not None and row.person_id == subject.person_id
        )
        report_to = [r for r in row.report_to or [] if r.get("principal") not in principals]
        payload = scrub(row.payload, subject)
        if addressed and payload.get("recipient_name"):
            payload["recipient_name"] = anonymous_name(subject)
        named = mentions(row.key, subject)
        if not (addressed or named or payload != row.payload or report_to != row.report_to):
            continue
        if addressed:
            if row.status in OPEN:
                row.status, row.claimed_by, row.lease_until = "cancelled", None, None
            if row.principal:
                row.principal = anonymous_principal(subject)
        if named:
            row.key = f"erased:{row.id}"
        row.payload, row.report_to = payload, report_to
        changed += 1
    return changed


# Where a message names the person: its key, recipient, payload and who hears of a failure.
_NAMING = (
    OutboxMessage.key,
    OutboxMessage.principal,
    OutboxMessage.person_id,
    OutboxMessage.payload,
    OutboxMessage.report_to,
)
PERSONAL_DATA = (
    PersonalData("deliveries", _NAMING, export=_export_deliveries, erase=_erase_deliveries),
)
