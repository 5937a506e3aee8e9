"""SqlStorage against botbuilder's own storage conformance cases, plus eTag conflicts."""

from __future__ import annotations

import pytest
from botbuilder.testing import StorageBaseTests

from storage.bot_state import ETagConflictError, SqlStorage
from storage.db import Database

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
