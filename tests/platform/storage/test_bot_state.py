"""SqlStorage against botbuilder's own storage conformance cases, plus eTag conflicts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from botbuilder.testing import StorageBaseTests
from sqlalchemy import event, select, update

from bot.app import DATABASE
from bot.settings import Settings
from storage.bot_state import (
    ETagConflictError,
    SqlStorage,
    conversation_state_key,
    recently_active,
)
from storage.db import Database
from storage.models import BotStateDocument, ConversationRef
from storage.models.base import utcnow
from storage.retention import purge_idle
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import start_bot

CONFORMANCE = [
    "return_empty_object_when_reading_unknown_key",
    "handle_null_keys_when_reading",
    "handle_null_keys_when_writing",
    "does_not_raise_when_writing_no_items",
    "create_object",
    "handle_crazy_keys",
    "update_object",
    "delete_object",
    "delete_unknown_object",
    "perform_batch_operations",
    "proceeds_through_waterfall",
]


@pytest.mark.parametrize("case", CONFORMANCE)
async def test_botbuilder_storage_conformance(database: Database, case: str) -> None:
    assert await getattr(StorageBaseTests, case)(SqlStorage(database)) is True


async def test_stale_etag_is_refused_and_nothing_is_written(database: Database) -> None:
    storage = SqlStorage(database)
    await storage.write({"doc": {"count": 1, "e_tag": "*"}})
    first = (await storage.read(["doc"]))["doc"]
    second = dict(first)

    first["count"] = 2
    await storage.write({"doc": first})
    second["count"] = 3
    with pytest.raises(ETagConflictError):
        await storage.write({"doc": second, "other": {"count": 9}})

    stored = await storage.read(["doc", "other"])
    assert stored["doc"]["count"] == 2
    assert "other" not in stored, "a refused batch must not write any of its items"


async def test_state_survives_a_new_storage_instance(database_url: str) -> None:
    first = Database.connect(database_url)
    await SqlStorage(first).write({"conversation/x": {"DialogState": {"stack": [1, 2]}}})
    await first.dispose()
    second = Database.connect(database_url)
    try:
        stored = await SqlStorage(second).read(["conversation/x"])
    finally:
        await second.dispose()
    assert stored["conversation/x"]["DialogState"] == {"stack": [1, 2]}


# --- a turn writes its state only when it changed ----------------------------------------


async def _stored(database: Database) -> dict[str, tuple[str, datetime]]:
    """Each state document's and conversation reference's (eTag or stamp, updated_at)."""
    async with database.sessions() as session:
        state = await session.execute(
            select(BotStateDocument.key, BotStateDocument.etag, BotStateDocument.updated_at)
        )
        refs = await session.execute(
            select(ConversationRef.conversation_id, ConversationRef.last_seen)
        )
        return {key: (etag, at) for key, etag, at in state} | {
            ref: ("ref", seen) for ref, seen in refs
        }


# A read of state documents by key, as SQLite ("key" quoted) and PostgreSQL write it.
_BY_KEY = re.compile(r'FROM bot_state\s+WHERE bot_state\."?key"? IN')


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    """The SQL the app runs on `database` inside this block."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        seen.append(sql)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def _backdate(database: Database, when: datetime) -> None:
    async with database.transaction() as session:
        await session.execute(update(BotStateDocument).values(updated_at=when))
        await session.execute(update(ConversationRef).values(last_seen=when))


async def test_a_read_only_turn_writes_nothing_and_an_active_conversation_stays(
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = utcnow()
    clock = [started]
    monkeypatch.setattr("bot.handler.utcnow", lambda: clock[0])
    bot = await start_bot(make_settings())
    try:
        await bot.post(message("hej", service_url=channel.url))  # the welcome: state written
        await bot.post(message("tak", service_url=channel.url))
        settled = await _stored(database)
        assert len(settled) == 3, settled  # conversation state, user state, the reference

        clock[0] = started + timedelta(minutes=4)
        with _statements(bot.app[DATABASE]) as statements:
            await bot.post(message("tak", service_url=channel.url))
        assert await _stored(database) == settled, "a turn that changed nothing wrote"
        on_state = [sql for sql in statements if "bot_state" in sql]
        assert len(on_state) == 1, "both states are read in one query, and nothing written"
        assert on_state[0].lstrip().upper().startswith("SELECT")

        await bot.post(message("thanks", service_url=channel.url))  # now kept in English
        changed = await _stored(database)
        written = [key for key in changed if changed[key][0] != settled[key][0]]
        assert written == [conversation_state_key("msteams", "a:1personal-1user-anne")]

        # Long-lived and idle in between: by retention's clock, last written a day ago.
        await _backdate(database, started - timedelta(days=1))
        clock[0] = started + timedelta(minutes=6)
        await bot.post(message("thanks", service_url=channel.url))
    finally:
        await bot.stop()
    async with database.transaction() as session:
        purged = await purge_idle(
            session=session,
            state_before=started - timedelta(hours=1),
            conversations_before=started - timedelta(hours=1),
        )
    assert (purged.state_documents, purged.conversations) == (1, 0)  # the user state only
    assert len(channel.received) == 5


async def test_a_new_conversations_state_is_read_once_in_its_first_turn(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    """Nothing is stored yet, and botbuilder's own `load` would read again at every property
    access that finds the turn's copy empty."""
    bot = await start_bot(make_settings())
    try:
        with _statements(bot.app[DATABASE]) as statements:
            await bot.post(message("hej", service_url=channel.url))
    finally:
        await bot.stop()
    # The turn's reads by key (retention's sweep at start-up reads by pattern, not by key).
    reads = [sql for sql in statements if _BY_KEY.search(sql)]
    assert len(reads) == 1, reads
    assert channel.received, "the welcome was sent"


def test_last_active_counts_as_recent_for_five_minutes() -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert recently_active((now - timedelta(minutes=4, seconds=59)).isoformat(), now)
    assert not recently_active((now - timedelta(minutes=5)).isoformat(), now)
    assert not recently_active((now + timedelta(minutes=1)).isoformat(), now)  # clock moved back
    assert not recently_active(None, now)
    assert not recently_active("not a time", now)
