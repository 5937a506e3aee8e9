"""Alembic, driven from code: `govbot db upgrade` and the app's start-up call these."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from storage.db import sync_url


def alembic_config(url: str) -> Config:
    """An Alembic config for govbot's migrations against `url`."""
    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    config.set_main_option("sqlalchemy.url", sync_url(url).render_as_string(hide_password=False))
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema (every branch head)."""
    _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), "heads")
    _into_wal(url)


def pending_heads(url: str) -> set[str]:
    """Heads the database has not reached yet (empty when up to date)."""
    script = ScriptDirectory.from_config(alembic_config(url))
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return set(script.get_heads()) - current


def _ensure_sqlite_dir(url: str) -> None:
    parsed = sync_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _into_wal(url: str) -> None:
    """Put a SQLite file in WAL mode once, here, where one connection is open: the mode stays
    with the file. New connections switching it side by side fail with "database is locked"
    (the switch needs the file to itself and does not wait), so `storage.db` only checks."""
    parsed = sync_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    engine = create_engine(parsed, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    finally:
        engine.dispose()
