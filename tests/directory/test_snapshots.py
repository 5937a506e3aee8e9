"""The directory index is built off the turns: before the first one, and again after changes.

Each build is held in its worker thread on an event (DirectorySnapshots.after_build runs
there), so what turns see while it is in flight is checked without waiting on the clock.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import DATABASE
from bot.settings import Settings
from storage.db import Database
from storage.directory_apply import apply_import
from storage.directory_import import read_import
from storage.directory_index import DirectoryIndex
from storage.directory_snapshots import directory_index
from tests.directory.helpers import DANISH_CSV, PACK, new_owner, write_csv
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import start_bot


@dataclass
class HeldBuilds:
    """An `after_build` that holds every build in its worker thread until released."""

    started: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    go: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    count: int = 0

    def __call__(self) -> None:
        self.count += 1
        self.started.release()
        self.go.acquire()

    async def in_flight(self) -> None:
        """Wait until a build is held in its thread."""
        await asyncio.to_thread(self.started.acquire)

    def release(self) -> None:
        self.go.release()


def joined(database: Database) -> asyncio.Event:
    """Set once a lookup asks the snapshots for a build (from now on)."""
    snapshots = database.directory
    asked = asyncio.Event()
    refresh = snapshots.refresh

    async def spy() -> DirectoryIndex:
        asked.set()
        return await refresh()

    snapshots.refresh = spy  # type: ignore[method-assign]
    return asked


async def _fill(database: Database, tmp_path: Path) -> None:
    async with database.transaction() as session:
        rows = read_import(write_csv(tmp_path / "roller.csv", DANISH_CSV), PACK)
        await apply_import(session=session, rows=rows, actor="test")


def _owner(index: DirectoryIndex, system: str) -> list[str]:
    found = index.find_system(system).systems[0]
    return [a.person.name for a in index.holders(["systemejer"], found.id)]


async def _lookup(database: Database) -> DirectoryIndex:
    async with database.transaction() as session:
        return await directory_index(session=session)


@pytest.fixture
async def kept(database: Database) -> AsyncIterator[tuple[Database, HeldBuilds]]:
    """The database with its keeper running as the app runs it, every build held."""
    held = HeldBuilds()
    database.directory.after_build = held
    database.directory.check_seconds = None  # only this process's commits wake it
    keeper = asyncio.create_task(database.directory.keep_current())
    yield database, held
    keeper.cancel()
    for _ in range(4):  # a build still held must not outlive the test's thread pool
        held.release()
    await asyncio.gather(keeper, return_exceptions=True)


async def test_a_lookup_before_the_first_index_waits_for_that_one_build(
    kept: tuple[Database, HeldBuilds], tmp_path: Path
) -> None:
    database, held = kept
    await held.in_flight()  # the keeper's first build, on the empty directory
    asked = joined(database)
    early = asyncio.create_task(_lookup(database))
    await asked.wait()
    await asyncio.sleep(0)
    assert not early.done(), "it waits for the build in flight"
    assert not database.directory.ready
    held.release()
    index = await early
    assert held.count == 1, "no second build"
    assert database.directory.ready and await _lookup(database) is index


async def test_turns_keep_the_previous_snapshot_until_the_new_one_is_ready(
    kept: tuple[Database, HeldBuilds], tmp_path: Path
) -> None:
    database, held = kept
    await held.in_flight()
    held.release()
    async with database.transaction() as session:
        await apply_import(
            session=session,
            rows=read_import(write_csv(tmp_path / "roller.csv", DANISH_CSV), PACK),
            actor="test",
        )
    await held.in_flight()  # the commit woke the keeper: a rebuild is under way
    before = await _lookup(database)
    assert before.find_system("SBSYS").outcome == "unknown", "the previous snapshot, at once"
    caught_up = asyncio.create_task(database.directory.caught_up(session))
    await asyncio.sleep(0)
    assert not caught_up.done(), "the writer's turn ends only once its change is in"
    held.release()
    await caught_up
    assert _owner(await _lookup(database), "SBSYS") == ["Mette Holm"]
    assert held.count == 2


async def test_a_session_looks_up_its_own_uncommitted_changes_and_only_it(
    database: Database, tmp_path: Path
) -> None:
    await _fill(database, tmp_path)
    shared = await _lookup(database)
    async with database.sessions() as session, session.begin():
        await new_owner(session, shared, "SBSYS")
        assert _owner(await directory_index(session=session), "SBSYS") == ["Nanna Ny"]
        assert await _lookup(database) is shared, "others see nothing uncommitted"
        await session.rollback()
    assert _owner(await _lookup(database), "SBSYS") == ["Mette Holm"]


async def test_another_process_change_is_seen_at_the_next_check(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    assert (await _lookup(database)).find_system("SBSYS").outcome == "unknown"
    other = Database.connect(database_url)  # `govbot import roles`, say
    try:
        await _fill(other, tmp_path)
    finally:
        await other.dispose()
    assert (await _lookup(database)).find_system("SBSYS").outcome == "unknown", "not yet checked"
    await database.directory.refresh()  # what keep_current does every check_seconds
    assert _owner(await _lookup(database), "SBSYS") == ["Mette Holm"]


async def test_a_refresh_asked_during_an_older_build_includes_what_was_committed_before_it(
    kept: tuple[Database, HeldBuilds], database_url: str, tmp_path: Path
) -> None:
    database, held = kept
    await held.in_flight()  # a build that read its token before the change below
    other = Database.connect(database_url)
    try:
        await _fill(other, tmp_path)
    finally:
        await other.dispose()
    seen = asyncio.create_task(database.directory.refresh())
    held.release()  # the older build ends; it does not hold the change
    rebuilt = asyncio.create_task(held.in_flight())
    await asyncio.wait({seen, rebuilt}, return_when=asyncio.FIRST_COMPLETED)
    if rebuilt.done():  # the refresh read the token again and builds anew
        held.release()
    else:  # it answered with the older build: let the waiting thread go, then fail below
        held.started.release()
        await rebuilt
    assert _owner(await seen, "SBSYS") == ["Mette Holm"]
    assert held.count == 2


async def test_the_server_answers_while_the_first_index_builds_and_is_healthy_after(
    make_settings: Callable[..., Settings], channel: TestChannel, database_url: str, tmp_path: Path
) -> None:
    filler = Database.connect(database_url)
    try:
        await _fill(filler, tmp_path)
    finally:
        await filler.dispose()
    held = HeldBuilds()

    def hold_builds(app: web.Application) -> None:
        app[DATABASE].directory.after_build = held

    bot = await start_bot(make_settings(), prepare=hold_builds)
    try:
        await held.in_flight()  # start-up began the first build
        asked = joined(bot.app[DATABASE])
        health = await bot.client.get(f"{bot.url}/healthz")
        assert health.status == 503, "not healthy before the server can answer at once"
        assert (await health.json())["directory"] == "building"
        turn = asyncio.create_task(
            bot.post(message("hvem er systemejer for SBSYS", service_url=channel.url))
        )
        await asked.wait()  # the turn's lookup waits for the build in flight
        assert not turn.done() and not channel.received
        held.release()
        assert (await turn).status == 201
        assert "Mette Holm" in channel.received[-1].text
        assert held.count == 1, "the turn waited for the start-up build, it built none"
        await bot.ready()
        health = await bot.client.get(f"{bot.url}/healthz")
        assert health.status == 200
        assert (await health.json())["directory"] == "ready"
    finally:
        held.release()
        await bot.stop()
