"""The outbox services on a real session: idempotent keys, cancelling, claims, leases, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox, outbox_dispatch
from storage.db import Database
from storage.outbox import OutboxError
from storage.outbox_payloads import UnreachableNotice

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def payload(n: int = 1) -> UnreachableNotice:
    return UnreachableNotice(lang="da", who=str(n), about="x")


async def plan(session: AsyncSession, key: str, *, due: datetime = NOW, **kw: object) -> None:
    kw.setdefault("principal", "anne@norddjurs.dk")
    await outbox.enqueue(
        session=session, key=key, due_at=due, payload=payload(), source="test", **kw
    )


async def test_enqueue_twice_replaces_the_unsent_row(session: AsyncSession) -> None:
    await plan(session, "meeting:1:member_reminder:anne")
    await outbox.enqueue(
        session=session,
        key="meeting:1:member_reminder:anne",
        due_at=NOW + timedelta(days=1),
        payload=payload(2),
        principal="ANNE@norddjurs.dk",
        source="test",
    )
    rows = await outbox.deliveries(session=session)
    assert len(rows) == 1
    assert rows[0].due_at == NOW + timedelta(days=1)
    assert rows[0].message() == payload(2)
    assert rows[0].principal == "anne@norddjurs.dk"


async def test_a_sent_row_is_kept_unless_resent(session: AsyncSession) -> None:
    await plan(session, "k:1")
    claim = await outbox_dispatch.claim_due(session=session, worker="w", now=NOW, lease=LEASE)
    assert await outbox_dispatch.mark_sent(
        session=session, delivery_id=claim.deliveries[0].id, worker="w", sent_to="c"
    )
    await plan(session, "k:1", due=NOW + timedelta(hours=1))
    assert (await outbox.get_delivery(session=session, key="k:1")).status == "sent"

    await plan(session, "k:1", due=NOW + timedelta(hours=1), resend=True)
    row = await outbox.get_delivery(session=session, key="k:1")
    assert (row.status, row.due_at, row.attempts) == ("pending", NOW + timedelta(hours=1), 0)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"principal": None}, "no recipient"),
        ({"due": datetime(2027, 2, 1, 9, 0)}, "timezone-aware"),
    ],
)
async def test_enqueue_refuses_bad_plans(
    session: AsyncSession, kw: dict[str, object], message: str
) -> None:
    with pytest.raises(OutboxError, match=message):
        await plan(session, "bad", **kw)
    with pytest.raises(OutboxError, match="one of the message kinds"):
        await outbox.enqueue(
            session=session, key="x", due_at=NOW, payload={}, principal="a", source="t"
        )


async def test_cancel_by_prefix_is_exact_and_spares_sent_rows(session: AsyncSession) -> None:
    for key in ("meeting:1:a:x", "meeting:1:b:x", "meeting:10:a:x", "meeting_1:a"):
        await plan(session, key)
    claim = await outbox_dispatch.claim_due(
        session=session, worker="w", now=NOW, lease=LEASE, limit=1
    )
    await outbox_dispatch.mark_sent(
        session=session, delivery_id=claim.deliveries[0].id, worker="w", sent_to="c"
    )

    assert await outbox.cancel(session=session, key_prefix="meeting:1:") == 1
    statuses = {d.key: d.status for d in await outbox.deliveries(session=session)}
    assert statuses == {
        "meeting:1:a:x": "sent",
        "meeting:1:b:x": "cancelled",
        "meeting:10:a:x": "pending",
        "meeting_1:a": "pending",
    }


async def test_claims_take_due_rows_once_until_the_lease_ends(session: AsyncSession) -> None:
    await plan(session, "due:1")
    await plan(session, "due:2", due=NOW - timedelta(minutes=1))
    await plan(session, "later", due=NOW + timedelta(minutes=5))

    first = await outbox_dispatch.claim_due(session=session, worker="a", now=NOW, lease=LEASE)
    assert [d.key for d in first.deliveries] == ["due:2", "due:1"]
    assert all(d.status == "claimed" and d.attempts == 1 for d in first.deliveries)
    again = await outbox_dispatch.claim_due(session=session, worker="b", now=NOW, lease=LEASE)
    assert again.deliveries == ()

    # Worker a died: after its lease, b takes the rows over, and a can no longer record them.
    after = NOW + LEASE + timedelta(seconds=1)
    taken = await outbox_dispatch.claim_due(session=session, worker="b", now=after, lease=LEASE)
    assert [d.key for d in taken.deliveries] == ["due:2", "due:1"]
    assert [d.attempts for d in taken.deliveries] == [2, 2]
    stale = first.deliveries[0]
    assert not await outbox_dispatch.mark_sent(
        session=session, delivery_id=stale.id, worker="a", sent_to="c"
    )
    assert await outbox_dispatch.mark_sent(
        session=session, delivery_id=stale.id, worker="b", sent_to="c"
    )


async def test_retry_release_and_outcomes(session: AsyncSession) -> None:
    for key in ("r:1", "r:2", "r:3", "r:4"):
        await plan(session, key)
    claim = await outbox_dispatch.claim_due(session=session, worker="w", now=NOW, lease=LEASE)
    one, two, three, four = claim.deliveries
    later = NOW + timedelta(seconds=30)
    assert await outbox_dispatch.mark_retry(
        session=session, delivery_id=one.id, worker="w", retry_at=later, error="503"
    )
    assert await outbox_dispatch.mark_retry(
        session=session,
        delivery_id=two.id,
        worker="w",
        retry_at=later,
        error="429",
        count_attempt=False,
    )
    assert await outbox_dispatch.mark_unreachable(
        session=session, delivery_id=three.id, worker="w", error="403"
    )
    assert await outbox_dispatch.release(session=session, worker="w", ids=[four.id]) == 1

    assert [
        d.key
        for d in (
            await outbox_dispatch.claim_due(session=session, worker="w", now=NOW, lease=LEASE)
        ).deliveries
    ] == ["r:4"]
    rows = {d.key: d for d in await outbox.deliveries(session=session)}
    assert (rows["r:1"].status, rows["r:1"].attempts, rows["r:1"].available_at) == (
        "pending",
        1,
        later,
    )
    assert rows["r:2"].attempts == 0
    assert rows["r:3"].status == "unreachable"
    assert await outbox_dispatch.next_due(session=session) == later
    assert await outbox.status_counts(session=session, key_prefix="r:") == {
        "pending": 2,
        "unreachable": 1,
        "claimed": 1,
    }


async def test_after_downtime_old_rows_are_missed_and_recent_ones_stay(
    session: AsyncSession,
) -> None:
    await plan(session, "old", due=NOW - timedelta(days=2))
    await plan(session, "recent", due=NOW - timedelta(hours=3))
    await plan(session, "expired", due=NOW - timedelta(hours=1), expires_at=NOW)
    missed = await outbox_dispatch.expire_overdue(
        session=session, now=NOW, grace=timedelta(hours=24)
    )
    assert missed == 2
    statuses = {d.key: d.status for d in await outbox.deliveries(session=session)}
    assert statuses == {"old": "missed", "recent": "pending", "expired": "missed"}


async def test_acknowledge_once(session: AsyncSession) -> None:
    await plan(session, "ack:1")
    assert await outbox.acknowledge(session=session, key="ack:1", at=NOW)
    assert not await outbox.acknowledge(session=session, key="ack:1")
    assert (await outbox.get_delivery(session=session, key="ack:1")).acknowledged_at == NOW


async def test_concurrent_claims_skip_each_others_rows(database: Database) -> None:
    """Two open claim transactions on PostgreSQL never take the same row (SKIP LOCKED)."""
    if database.is_sqlite:
        pytest.skip("SQLite has one writer; concurrent claims are covered by the e2e test")
    async with database.transaction() as session:
        for n in range(10):
            await plan(session, f"c:{n}")
    async with database.sessions() as a, a.begin(), database.sessions() as b, b.begin():
        first = await outbox_dispatch.claim_due(
            session=a, worker="a", now=NOW, lease=LEASE, limit=6
        )
        second = await outbox_dispatch.claim_due(
            session=b, worker="b", now=NOW, lease=LEASE, limit=6
        )
    keys_a = {d.key for d in first.deliveries}
    keys_b = {d.key for d in second.deliveries}
    assert len(keys_a) == 6 and len(keys_b) == 4
    assert not keys_a & keys_b


async def test_claims_start_the_longest_backlog_and_interleave_the_rest(
    session: AsyncSession,
) -> None:
    """A busy channel's rows, planned first, neither fill the claim nor wait for the rest."""
    for n in range(30):
        await plan(session, f"busy:{n}", conversation_id="19:busy@thread", kind="channel")
    for person in range(5):
        for n in range(2):
            await plan(session, f"p{person}:{n}", principal=f"p{person}@norddjurs.dk")

    claim = await outbox_dispatch.claim_due(
        session=session, worker="a", now=NOW, lease=LEASE, limit=10, per_recipient=4
    )
    assert [d.key for d in claim.deliveries] == [
        *(f"busy:{n}" for n in range(4)),
        *(f"p{person}:0" for person in range(5)),
        "p0:1",
    ]
    # a holds four of the channel's rows: no more of them for a, none at all for b
    more = await outbox_dispatch.claim_due(
        session=session, worker="a", now=NOW, lease=LEASE, limit=10, per_recipient=4
    )
    assert [d.key for d in more.deliveries] == [f"p{person}:1" for person in range(1, 5)]
    other = await outbox_dispatch.claim_due(session=session, worker="b", now=NOW, lease=LEASE)
    assert other.deliveries == ()


async def test_heartbeats_count_the_live_dispatchers(session: AsyncSession) -> None:
    ttl = timedelta(seconds=5)
    assert await outbox_dispatch.heartbeat(session=session, worker="a", now=NOW, ttl=ttl) == 1
    assert await outbox_dispatch.heartbeat(session=session, worker="b", now=NOW, ttl=ttl) == 2
    later = NOW + timedelta(seconds=6)
    assert await outbox_dispatch.heartbeat(session=session, worker="a", now=later, ttl=ttl) == 1
    await outbox_dispatch.leave(session=session, worker="a")
    assert await outbox_dispatch.heartbeat(session=session, worker="b", now=later, ttl=ttl) == 1
