"""When the directory's lookup index is built: before the first turn, and again off the turns.

One `DirectorySnapshots` belongs to each `Database` object (never to a session, an engine or
the process). The app runs `keep_current` beside the web server: it builds the first
snapshot at start-up and a new one whenever the directory changes, at once after a commit
through this database and within `check_seconds` after another process's (`govbot import
roles`, a second `govbot serve`). A build reads the rows on the event loop and indexes them
in a worker thread, so turns go on meanwhile with the previous snapshot. A turn that arrives
before the first snapshot exists waits for that one build; it never starts a second.

A session that has written to the directory and not yet committed looks its own writes up
in a view of its own, built from its session and dropped with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from storage.directory import SNAPSHOTS_KEY, directory_token
from storage.directory_index import (
    DirectoryIndex,
    DirectoryRows,
    index_from_rows,
    read_directory,
)

log = logging.getLogger(__name__)

# How stale another process's directory change may be before this process looks again.
CHECK_SECONDS = 1.0

# Marks in a session's `info`: it wrote the directory and has not committed yet; its own view
# of its writes; which of this database's directory commits it made last; listening already.
_UNCOMMITTED = "directory_uncommitted"
_OWN_VIEW = "directory_own_view"
_COMMITTED = "directory_committed"
_WATCHED = "directory_watched"


class DirectorySnapshots:
    """One database's current directory snapshot in this process, and the one build of the next.

    `after_build` runs in the worker thread after each shared build (the app factory decides
    what, e.g. taking the snapshot out of the garbage collector's scans).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        check_seconds: float | None = CHECK_SECONDS,
        after_build: Callable[[], None] | None = None,
    ) -> None:
        self.check_seconds = check_seconds
        self.after_build = after_build
        self._sessions = sessions
        self._index: DirectoryIndex | None = None
        self._refreshing: asyncio.Task[DirectoryIndex] | None = None
        self._commits = 0  # directory commits through this database so far
        self._included = 0  # how many of them the snapshot is known to include
        self._changed = asyncio.Event()  # wakes keep_current after a commit

    @property
    def ready(self) -> bool:
        """Whether the first snapshot exists."""
        return self._index is not None

    async def current(self, session: AsyncSession) -> DirectoryIndex:
        """The snapshot for a lookup in `session`: never a rebuild in the turn's way.

        The one the turn finds, however fresh a newer build in flight would be; before the
        first exists, that first build, joined. A session's own uncommitted directory writes
        are looked up in its own view.
        """
        if session.info.get(_UNCOMMITTED):
            return await _own_view(session)
        if self._index is not None:
            return self._index
        return await self.refresh()

    async def refresh(self) -> DirectoryIndex:
        """A snapshot that includes every directory change committed before this call: the
        change token read now, and a rebuild if it moved. One refresh at a time: a refresh
        already under way may have read its token before the caller's change, so it is waited
        for (whatever its outcome) and the token read again, by a refresh shared with every
        caller that comes meanwhile. Reading an unchanged token builds nothing."""
        task = self._refreshing
        if task is not None and not task.done():
            await asyncio.wait([task])
            task = self._refreshing
        if task is None or task.done():
            task = self._refreshing = asyncio.create_task(self._refresh(), name="directory-index")
        return await asyncio.shield(task)

    async def caught_up(self, session: AsyncSession) -> None:
        """Wait until the snapshot includes what `session` committed to the directory.

        For the turn that made a change, after its transaction (and the writer lock) ended:
        its user's next message finds the change. No wait when it committed none.
        """
        wanted = session.info.pop(_COMMITTED, 0)
        while self._included < wanted:
            await self.refresh()

    async def keep_current(self) -> None:
        """Build the first snapshot, then a new one whenever the directory changes (until
        cancelled): at once after a commit here, within `check_seconds` after another's."""
        failing = False
        try:
            while True:
                self._changed.clear()
                try:
                    await self.refresh()
                    failing = False
                except Exception as error:  # the database may be down; turns say so themselves
                    if not failing:
                        log.warning(
                            "directory index not built", extra={"error": type(error).__name__}
                        )
                    failing = True
                try:
                    await asyncio.wait_for(self._changed.wait(), self.check_seconds)
                except TimeoutError:
                    pass
        finally:  # the server stops: no build may go on reading a database being closed
            task = self._refreshing
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    def touched(self, session: AsyncSession) -> None:
        """`session` wrote to the directory: it sees its own writes until it ends, and once it
        commits, the snapshot is rebuilt for everyone."""
        info = session.info
        info.pop(_OWN_VIEW, None)
        info[_UNCOMMITTED] = True
        if not info.get(_WATCHED):
            info[_WATCHED] = True
            event.listen(session.sync_session, "after_commit", self._after_commit)
            event.listen(session.sync_session, "after_rollback", _after_rollback)

    def _after_commit(self, session: Session) -> None:
        if not session.info.pop(_UNCOMMITTED, False):
            return
        session.info.pop(_OWN_VIEW, None)
        self._commits += 1
        session.info[_COMMITTED] = self._commits
        self._changed.set()

    async def _refresh(self) -> DirectoryIndex:
        commits = self._commits
        index = self._index
        async with self._sessions() as session:
            # The rows are read after the token, so they are never older than their label.
            token = await directory_token(session=session)
            rows = (
                await read_directory(session=session)
                if index is None or index.token != token
                else None
            )
        if rows is not None:  # the connection is back in the pool while indexing
            index = await asyncio.to_thread(self._build, token, rows)
        assert index is not None
        self._index = index
        self._included = max(self._included, commits)
        return index

    def _build(self, token: str, rows: DirectoryRows) -> DirectoryIndex:
        index = index_from_rows(token, rows)
        if self.after_build is not None:
            self.after_build()
        return index


def _after_rollback(session: Session) -> None:
    session.info.pop(_UNCOMMITTED, None)
    session.info.pop(_OWN_VIEW, None)


async def _own_view(session: AsyncSession) -> DirectoryIndex:
    """The directory as `session` sees it, its own uncommitted writes included."""
    view: DirectoryIndex | None = session.info.get(_OWN_VIEW)
    if view is None:
        token = await directory_token(session=session)
        rows = await read_directory(session=session)
        view = session.info[_OWN_VIEW] = await asyncio.to_thread(index_from_rows, token, rows)
    return view


async def directory_index(*, session: AsyncSession) -> DirectoryIndex:
    """The lookup index for a lookup in `session` (see DirectorySnapshots.current)."""
    snapshots: DirectorySnapshots | None = session.info.get(SNAPSHOTS_KEY)
    if snapshots is None:  # a session of no Database: a view for this caller alone
        return await _own_view(session)
    return await snapshots.current(session)
