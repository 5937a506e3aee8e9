"""Engine and session set-up for SQLite (aiosqlite) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.directory import SNAPSHOTS_KEY
from storage.directory_snapshots import DirectorySnapshots

SQLITE_BUSY_TIMEOUT_MS = 5000

# Errors that mean "the database is unreachable right now", not "this request is wrong".
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    OSError,
    TimeoutError,
)


def is_database_unavailable(error: BaseException) -> bool:
    """True when an exception means the database could not be reached."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, UNAVAILABLE_ERRORS)


# The URL forms DBAs and tools write, each mapped to the async driver govbot runs on.
ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgresql+psycopg2": "postgresql+psycopg",
    "postgresql+asyncpg": "postgresql+psycopg",
}
URL_FORMS_HINT = "use sqlite:///PATH or postgresql://USER@HOST/DB"


class UnsupportedDatabaseError(ValueError):
    """A database URL that is neither SQLite nor PostgreSQL, or not a URL at all."""


def async_url(url: str | URL) -> URL:
    """`url` on govbot's async driver: `sqlite:///var/x.db`, `sqlite:////abs/x.db`,
    `postgresql://user@host/db` and `postgres://…` are read as every DBA and tool writes them
    (aiosqlite for SQLite, psycopg 3 for PostgreSQL)."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise UnsupportedDatabaseError(
            f"not a database URL ({_redacted_text(str(url))}): {URL_FORMS_HINT}"
        ) from error
    driver = ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise UnsupportedDatabaseError(
            f"unsupported database {parsed.drivername!r}: {URL_FORMS_HINT}"
        )
    return parsed.set(drivername=driver)


def _redacted_text(url: str) -> str:
    """A URL-like string with anything between "://" and "@" hidden (it may hold a password)."""
    head, sep, rest = url.partition("://")
    return f"{head}{sep}***@{rest.split('@', 1)[1]}" if sep and "@" in rest else url


def sync_url(url: str | URL) -> URL:
    """The same database for synchronous drivers (Alembic, scripts)."""
    parsed = async_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        return parsed.set(drivername="sqlite")
    return parsed


def redacted(url: str | URL) -> str:
    """The URL with any password hidden, for logs."""
    return async_url(url).render_as_string(hide_password=True)


def _existing_sqlite_file(url: URL) -> URL:
    """Open the file read-write but never create it: a missing database is an outage, and
    silently starting on an empty file would hide it. `storage.migrate.upgrade` creates it."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return url
    return url.set(database=f"file:{Path(database).absolute()}?mode=rw", query={"uri": "true"})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode")
    (mode,) = cursor.fetchone()
    if mode != "wal":  # migrations leave the file in WAL (storage.migrate): only an older one
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine with the per-dialect settings govbot relies on."""
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(
            _existing_sqlite_file(parsed),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_async_engine(parsed, connect_args={"connect_timeout": 5}, **kwargs)


@dataclass(frozen=True)
class Database:
    """An engine, its session factory and this process's directory snapshots of it.

    One session per turn or per job; each session carries the snapshots in `session.info`,
    so the directory lookups of every turn on this database share one.
    """

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    directory: DirectorySnapshots
    _writer: asyncio.Lock = field(default_factory=asyncio.Lock, compare=False, repr=False)

    @classmethod
    def connect(cls, url: str, **kwargs: Any) -> Database:
        """Create the engine (lazily connecting) for `url`."""
        engine = create_engine(url, **kwargs)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        directory = DirectorySnapshots(sessions)
        sessions.configure(info={SNAPSHOTS_KEY: directory})
        return cls(engine, sessions, directory)

    @property
    def is_sqlite(self) -> bool:
        """SQLite allows one writer and has no row locks."""
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.sessions.begin() as session:
            yield session

    @asynccontextmanager
    async def single_writer(self) -> AsyncIterator[None]:
        """On SQLite, one writing unit of work at a time in this process; elsewhere a no-op.

        SQLite has one write lock per file. Writers that meet it inside the driver poll for it
        while each holds a pooled connection, so under load they starve the writer they wait
        for (and fail after the busy timeout); waiting here holds nothing.
        """
        if not self.is_sqlite:
            yield
            return
        async with self._writer:
            yield

    async def ping(self) -> None:
        """One round-trip; raises when the database is unreachable."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
