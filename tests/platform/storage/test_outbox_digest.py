"""The secretary's digest on a real database: one per batch and reader, never mixed between
meetings or bodies, and on PostgreSQL two dispatchers adding at once both land in one row."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from storage import outbox
from storage.db import Database
from storage.outbox_digest import add_to_digest
from storage.outbox_payloads import UnreachableDigest

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
SECRETARY = {"principal": "sekretaer@norddjurs.dk"}


def entry(who: str) -> dict[str, str]:
    return {"who": who, "why_da": f"{who} nås ikke", "why_en": f"{who} not reached"}


async def add(database: Database, key: str, who: str) -> str:
    async with database.transaction() as session:
        return await add_to_digest(
            session=session, key=key, target=SECRETARY, about=key, entry=entry(who), due_at=NOW
        )


async def named(database: Database, key: str) -> list[str]:
    async with database.transaction() as session:
        row = await outbox.get_delivery(session=session, key=key)
    assert row is not None
    message = row.message()
    assert isinstance(message, UnreachableDigest)
    return sorted(m["who"] for m in message.missed)


async def test_two_meetings_of_two_bodies_keep_their_own_digests(database: Database) -> None:
    # Meetings 1 (styregruppen) and 12 (direktionen) share a secretary; keys differ by meeting.
    first = "unreachable:meeting:1:member_reminder:sekretaer@norddjurs.dk"
    twelfth = "unreachable:meeting:12:member_reminder:sekretaer@norddjurs.dk"
    assert await add(database, first, "Anne") == f"{first}:1"
    assert await add(database, twelfth, "Bo") == f"{twelfth}:1"
    assert await add(database, first, "Carl") == f"{first}:1"
    assert await named(database, f"{first}:1") == ["Anne", "Carl"]
    assert await named(database, f"{twelfth}:1") == ["Bo"]


async def test_two_dispatchers_adding_at_once_both_land_in_one_digest(
    database: Database, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: two additions cannot overlap")
    key = "unreachable:meeting:3:member_reminder:sekretaer@norddjurs.dk"
    async with database.transaction() as first:
        await add_to_digest(
            session=first, key=key, target=SECRETARY, about=key, entry=entry("Anne"), due_at=NOW
        )
        # The second dispatcher's addition starts while the first's is not committed yet …
        second = asyncio.create_task(add(database, key, "Bo"))
        await _waiting_for_a_lock(database)
    # … and, once it is, adds to the row the first made instead of making its own.
    assert await second == f"{key}:1"
    assert await named(database, f"{key}:1") == ["Anne", "Bo"]


async def _waiting_for_a_lock(database: Database) -> None:
    """Until another session of this database waits for a lock (the second addition)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with asyncio.timeout(10):
        while True:
            async with database.engine.connect() as connection:
                if (await connection.execute(query)).scalar_one() >= 1:
                    return
            await asyncio.sleep(0.01)
