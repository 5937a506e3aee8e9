"""The reminder and notification outbox: plan deliveries durably, claim them, record the outcome.

Each row has a fixed key (e.g. `meeting:{id}:{rule}:{recipient}`). Enqueueing an existing key
replaces a row that has not gone out; it never adds a second one. Dispatchers claim due rows
under a lease: on PostgreSQL with `SELECT … FOR UPDATE SKIP LOCKED`, so several processes share
the work without overlap; on SQLite the database's single writer serialises claims. A claimed
row whose dispatcher died becomes claimable again when its lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import String, and_, case, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.conversations import ConversationInfo, get_conversation, personal_conversation
from storage.data_subject import (
    PersonalData,
    Subject,
    anonymous_name,
    anonymous_principal,
    mentions,
    scrub,
)
from storage.models.base import utcnow
from storage.models.directory import Person
from storage.models.outbox import DispatcherHeartbeat, OutboxMessage
from storage.outbox_payloads import Payload, PayloadError, decode, stored_form

Kind = Literal["personal", "channel"]
DeliveryStatus = Literal[
    "pending", "claimed", "sent", "failed", "unreachable", "missed", "cancelled"
]
OPEN = ("pending", "claimed")
DONE = ("sent", "failed", "unreachable", "missed", "cancelled")


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

    @property
    def recipient(self) -> str:
        """Who or where it goes: the conversation id, else the principal, else `person:{id}`."""
        return self.conversation_id or self.principal or f"person:{self.person_id}"

    def message(self) -> Payload:
        """What the row says, as its message kind; PayloadError when the row holds none."""
        return decode(self.payload)


@dataclass(frozen=True)
class Claim:
    """Rows one dispatcher may send now, until `lease_until`."""

    worker: str
    lease_until: datetime
    deliveries: tuple[Delivery, ...] = field(default=())


def _delivery(row: OutboxMessage) -> Delivery:
    return Delivery(
        id=row.id,
        key=row.key,
        source=row.source,
        kind=row.kind,  # type: ignore[arg-type]
        conversation_id=row.conversation_id,
        person_id=row.person_id,
        principal=row.principal,
        payload=dict(row.payload),
        report_to=tuple(row.report_to or ()),
        due_at=row.due_at,
        expires_at=row.expires_at,
        status=row.status,  # type: ignore[arg-type]
        available_at=row.available_at,
        attempts=row.attempts,
        claimed_by=row.claimed_by,
        lease_until=row.lease_until,
        sent_at=row.sent_at,
        late=row.late,
        sent_to=row.sent_to,
        last_error=row.last_error,
        acknowledged_at=row.acknowledged_at,
    )


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


async def cancel(*, session: AsyncSession, key_prefix: str) -> int:
    """Cancel every not-yet-sent delivery whose key starts with `key_prefix`; returns how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_key_starts(key_prefix))
        .where(OutboxMessage.status.in_(OPEN))
        .values(status="cancelled", claimed_by=None, lease_until=None, updated_at=utcnow())
    )
    return result.rowcount or 0


async def cancel_keys(*, session: AsyncSession, keys: Sequence[str]) -> int:
    """Cancel the not-yet-sent deliveries with exactly these keys; returns how many."""
    if not keys:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key.in_(list(keys)), OutboxMessage.status.in_(OPEN))
        .values(status="cancelled", claimed_by=None, lease_until=None, updated_at=utcnow())
    )
    return result.rowcount or 0


async def expire_overdue(*, session: AsyncSession, now: datetime, grace: timedelta) -> int:
    """Record as missed what was due longer ago than `grace` (or has expired) and is unsent."""
    overdue = or_(
        OutboxMessage.due_at < now - grace,
        and_(OutboxMessage.expires_at.is_not(None), OutboxMessage.expires_at <= now),
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(_claimable(now), overdue)
        .values(
            status="missed",
            claimed_by=None,
            lease_until=None,
            last_error="not sent in time",
            updated_at=now,
        )
    )
    return result.rowcount or 0


def _key_starts(prefix: str) -> Any:
    return OutboxMessage.key.startswith(prefix, autoescape=True)


def _claimable(now: datetime) -> Any:
    return or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.available_at <= now),
        and_(OutboxMessage.status == "claimed", OutboxMessage.lease_until < now),
    )


def _recipient() -> Any:
    """Who a row goes to, as one value: rows with the same one share Teams' per-thread limits."""
    return func.coalesce(
        OutboxMessage.conversation_id,
        OutboxMessage.principal,
        "person:" + cast(OutboxMessage.person_id, String),
    )


async def claim_due(
    *,
    session: AsyncSession,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int = 50,
    per_recipient: int | None = None,
) -> Claim:
    """Claim up to `limit` due rows for `worker` until `now + lease`.

    Recipients with the longest backlog come first (their per-thread limits make them the
    slowest to drain), each recipient's rows in due order; with `per_recipient`, the worker
    holds at most that many rows of one recipient at a time. A recipient another dispatcher
    holds rows of is left to it, so one process paces each conversation. Rows locked by another
    dispatcher's open claim are skipped, not waited for.
    """
    lease_until = now + lease
    recipient = _recipient()
    held = and_(OutboxMessage.status == "claimed", OutboxMessage.lease_until >= now)
    backlog = (
        select(
            OutboxMessage.id.label("id"),
            func.row_number()
            .over(partition_by=recipient, order_by=(OutboxMessage.due_at, OutboxMessage.id))
            .label("rank"),
            func.count().over(partition_by=recipient).label("size"),
            func.max(case((and_(held, OutboxMessage.claimed_by != worker), 1), else_=0))
            .over(partition_by=recipient)
            .label("elsewhere"),
        )
        .where(or_(_claimable(now), held))
        .subquery()
    )
    candidates = (
        select(OutboxMessage.id)
        .join(backlog, backlog.c.id == OutboxMessage.id)
        .where(_claimable(now), backlog.c.elsewhere == 0)
        .order_by(backlog.c.size.desc(), backlog.c.rank, OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    if per_recipient is not None:
        candidates = candidates.where(backlog.c.rank <= per_recipient)
    wanted = list((await session.scalars(candidates)).all())
    if not wanted:
        return Claim(worker, lease_until)
    # The claimable test is repeated in the UPDATE: on SQLite the SELECT above takes no lock,
    # so two dispatchers may pick the same ids, but only one UPDATE can still match them.
    claimed = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(wanted), _claimable(now))
        .values(
            status="claimed",
            claimed_by=worker,
            lease_until=lease_until,
            attempts=OutboxMessage.attempts + 1,
            updated_at=now,
        )
        .returning(OutboxMessage.id)
    )
    won = set(claimed.all())
    ids = [row_id for row_id in wanted if row_id in won]
    if not ids:
        return Claim(worker, lease_until)
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .execution_options(populate_existing=True)
    )
    order = {row_id: n for n, row_id in enumerate(ids)}
    claimed_rows = sorted(rows, key=lambda row: order[row.id])
    return Claim(worker, lease_until, tuple(_delivery(row) for row in claimed_rows))


async def _finish(session: AsyncSession, delivery_id: int, worker: str, **values: Any) -> bool:
    """Update a row this worker still holds; False when the claim was lost meanwhile."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == delivery_id,
            OutboxMessage.status == "claimed",
            OutboxMessage.claimed_by == worker,
        )
        .values(claimed_by=None, lease_until=None, updated_at=utcnow(), **values)
    )
    return bool(result.rowcount)


async def mark_sent(
    *,
    session: AsyncSession,
    delivery_id: int,
    worker: str,
    sent_to: str,
    activity_id: str | None = None,
    late: bool = False,
) -> bool:
    """Record a delivery as sent; False when this worker no longer held it."""
    return await _finish(
        session,
        delivery_id,
        worker,
        status="sent",
        sent_at=utcnow(),
        sent_to=sent_to,
        activity_id=activity_id,
        late=late,
        last_error=None,
    )


async def mark_retry(
    *,
    session: AsyncSession,
    delivery_id: int,
    worker: str,
    retry_at: datetime,
    error: str,
    count_attempt: bool = True,
) -> bool:
    """Give a row back to be tried again at `retry_at` (throttled or a transient error)."""
    values: dict[str, Any] = {
        "status": "pending",
        "available_at": retry_at,
        "last_error": error[:500],
    }
    if not count_attempt:
        values["attempts"] = OutboxMessage.attempts - 1
    return await _finish(session, delivery_id, worker, **values)


async def mark_failed(*, session: AsyncSession, delivery_id: int, worker: str, error: str) -> bool:
    """Give up on a row (too many attempts, or a permanent error)."""
    return await _finish(session, delivery_id, worker, status="failed", last_error=error[:500])


async def mark_unreachable(
    *, session: AsyncSession, delivery_id: int, worker: str, error: str
) -> bool:
    """Record that the recipient cannot be reached (bot blocked, uninstalled, never talked to)."""
    return await _finish(session, delivery_id, worker, status="unreachable", last_error=error[:500])


async def mark_missed(*, session: AsyncSession, delivery_id: int, worker: str, error: str) -> bool:
    """Record a claimed row as missed (its time passed while it waited)."""
    return await _finish(session, delivery_id, worker, status="missed", last_error=error[:500])


async def release(*, session: AsyncSession, worker: str, ids: Sequence[int]) -> int:
    """Hand claimed rows back untouched (a dispatcher stopping cleanly)."""
    if not ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.status == "claimed",
            OutboxMessage.claimed_by == worker,
        )
        .values(
            status="pending",
            claimed_by=None,
            lease_until=None,
            attempts=OutboxMessage.attempts - 1,
        )
    )
    return result.rowcount or 0


async def acknowledge(*, session: AsyncSession, key: str, at: datetime | None = None) -> bool:
    """Note that the recipient acknowledged the delivery ("Set"); False when unknown."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == key, OutboxMessage.acknowledged_at.is_(None))
        .values(acknowledged_at=at or utcnow())
    )
    return bool(result.rowcount)


async def get_delivery(*, session: AsyncSession, key: str) -> Delivery | None:
    """The delivery planned under `key`, if any."""
    row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    return _delivery(row) if row else None


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
    return [_delivery(row) for row in rows]


async def status_counts(*, session: AsyncSession, key_prefix: str | None = None) -> dict[str, int]:
    """How many deliveries are in each status."""
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if key_prefix:
        query = query.where(_key_starts(key_prefix))
    return {status: count for status, count in (await session.execute(query)).all()}


async def next_due(*, session: AsyncSession) -> datetime | None:
    """When the earliest pending row becomes sendable (for the dispatcher's sleep)."""
    return await session.scalar(
        select(func.min(OutboxMessage.available_at)).where(OutboxMessage.status == "pending")
    )


async def resolve_recipient(
    *, session: AsyncSession, delivery: Delivery
) -> ConversationInfo | None:
    """The conversation to send `delivery` to: its channel, or the person's newest 1:1 chat."""
    if delivery.conversation_id:
        return await get_conversation(session=session, conversation_id=delivery.conversation_id)
    aad_object_id = email = None
    if delivery.person_id is not None:
        person = await session.get(Person, delivery.person_id)
        if person is None:
            return None
        aad_object_id, email = person.aad_object_id, person.email
    elif delivery.principal:
        column = Person.email if "@" in delivery.principal else Person.aad_object_id
        person = await session.scalar(select(Person).where(column == delivery.principal))
        if person is not None:  # the directory links an email to the AAD id Teams reports
            aad_object_id, email = person.aad_object_id, person.email
        elif "@" in delivery.principal:
            email = delivery.principal
        else:
            aad_object_id = delivery.principal
    found = None
    if aad_object_id:
        found = await personal_conversation(session=session, aad_object_id=aad_object_id)
    if found is None and email:
        found = await personal_conversation(session=session, email=email)
    return found


async def heartbeat(*, session: AsyncSession, worker: str, now: datetime, ttl: timedelta) -> int:
    """Note that `worker` is dispatching; returns how many dispatchers were seen within `ttl`."""
    updated = await session.execute(
        update(DispatcherHeartbeat).where(DispatcherHeartbeat.worker == worker).values(seen_at=now)
    )
    if not updated.rowcount:
        session.add(DispatcherHeartbeat(worker=worker, seen_at=now))
    await session.execute(
        delete(DispatcherHeartbeat).where(DispatcherHeartbeat.seen_at < now - ttl * 10)
    )
    await session.flush()
    live = await session.scalar(
        select(func.count()).where(DispatcherHeartbeat.seen_at >= now - ttl)
    )
    return max(1, int(live or 0))


async def leave(*, session: AsyncSession, worker: str) -> None:
    """Forget `worker`'s heartbeat (it stopped dispatching), so the others speed up at once."""
    await session.execute(delete(DispatcherHeartbeat).where(DispatcherHeartbeat.worker == worker))


# --- personal data (storage.personal_data lists these) ------------------------------------


def _addressed_to(subject: Subject) -> Any:
    conditions = [OutboxMessage.principal.in_(subject.principals)]
    if subject.person_id is not None:
        conditions.append(OutboxMessage.person_id == subject.person_id)
    return or_(*conditions)


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


PERSONAL_DATA = (
    PersonalData(
        "deliveries",
        (
            OutboxMessage.key,
            OutboxMessage.principal,
            OutboxMessage.person_id,
            OutboxMessage.payload,
            OutboxMessage.report_to,
        ),
        export=_export_deliveries,
        erase=_erase_deliveries,
    ),
)
