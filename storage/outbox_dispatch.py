"""The dispatcher's side of the outbox: claim due rows under a lease, record each outcome.

Dispatchers claim due rows under a lease: on PostgreSQL with `SELECT … FOR UPDATE SKIP
LOCKED`, so several processes share the work without overlap; on SQLite the database's single
writer serialises claims. A claimed row whose dispatcher died becomes claimable again when its
lease runs out. Live dispatchers say so in heartbeats and split the global rate between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.conversations import (
    ConversationInfo,
    PersonalTarget,
    TenantEndpoint,
    get_conversation,
    personal_conversation,
    tenant_endpoint,
)
from storage.models.base import utcnow
from storage.models.directory import Person
from storage.models.outbox import DispatcherHeartbeat, OutboxMessage
from storage.outbox import Delivery, delivery_of
from storage.records import record_of
from storage.sql import rowcount


@dataclass(frozen=True)
class Claim:
    """Rows one dispatcher may send now, until `lease_until`."""

    worker: str
    lease_until: datetime
    deliveries: tuple[Delivery, ...] = field(default=())


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
    return Claim(worker, lease_until, tuple(delivery_of(row) for row in claimed_rows))


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
    return rowcount(result)


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
    return bool(rowcount(result))


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
    return rowcount(result)


async def next_due(*, session: AsyncSession) -> datetime | None:
    """When the earliest pending row becomes sendable (for the dispatcher's sleep)."""
    return await session.scalar(
        select(func.min(OutboxMessage.available_at)).where(OutboxMessage.status == "pending")
    )


NO_ENTRA_ID = "no Entra object id known for the recipient"
NOT_IN_DIRECTORY = "the recipient is not in the directory"
NO_SERVICE_URL = "no serviceUrl known for the tenant"
NO_CONVERSATION = "no stored conversation with the recipient"


@dataclass(frozen=True)
class Recipient:
    """Who a personal row goes to, as far as the directory knows them."""

    aad_object_id: str | None = None
    email: str | None = None
    name: str | None = None


async def recipient_of(*, session: AsyncSession, delivery: Delivery) -> Recipient | None:
    """The person a personal row names, with the Entra object id the directory links them to."""
    if delivery.person_id is not None:
        person = await session.get(Person, delivery.person_id)
        if person is None:
            return None
        return Recipient(person.aad_object_id, person.email, person.name)
    if not delivery.principal:
        return None
    column = Person.email if "@" in delivery.principal else Person.aad_object_id
    person = await session.scalar(select(Person).where(column == delivery.principal))
    if person is not None:  # the directory links an email to the AAD id Teams reports
        return Recipient(person.aad_object_id, person.email, person.name)
    if "@" in delivery.principal:
        return Recipient(email=delivery.principal.lower())
    return Recipient(aad_object_id=delivery.principal)


async def resolve_recipient(
    *, session: AsyncSession, delivery: Delivery
) -> ConversationInfo | None:
    """The conversation to send `delivery` to: its channel, or the person's newest 1:1 chat."""
    if delivery.conversation_id:
        return await get_conversation(session=session, conversation_id=delivery.conversation_id)
    recipient = await recipient_of(session=session, delivery=delivery)
    if recipient is None:
        return None
    found = None
    if recipient.aad_object_id:
        found = await personal_conversation(session=session, aad_object_id=recipient.aad_object_id)
    if found is None and recipient.email:
        found = await personal_conversation(session=session, email=recipient.email)
    return found


async def personal_target(
    *, session: AsyncSession, delivery: Delivery, configured: TenantEndpoint | None = None
) -> PersonalTarget | str:
    """Whom to open a 1:1 chat with for a personal row that has none, or why it cannot be.

    The tenant's serviceUrl is the one of the newest conversation seen in the tenant, else the
    configured one (a fresh install that has seen no conversation yet).
    """
    if delivery.conversation_id:
        return NO_CONVERSATION
    recipient = await recipient_of(session=session, delivery=delivery)
    if recipient is None:
        return NOT_IN_DIRECTORY
    if not recipient.aad_object_id:
        return NO_ENTRA_ID
    tenant = configured.tenant_id if configured else None
    endpoint = await tenant_endpoint(session=session, tenant_id=tenant) or configured
    if endpoint is None:
        return NO_SERVICE_URL
    return record_of(
        PersonalTarget, recipient, tenant_id=endpoint.tenant_id, service_url=endpoint.service_url
    )


async def heartbeat(*, session: AsyncSession, worker: str, now: datetime, ttl: timedelta) -> int:
    """Note that `worker` is dispatching; returns how many dispatchers were seen within `ttl`."""
    updated = await session.execute(
        update(DispatcherHeartbeat).where(DispatcherHeartbeat.worker == worker).values(seen_at=now)
    )
    if not rowcount(updated):
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
