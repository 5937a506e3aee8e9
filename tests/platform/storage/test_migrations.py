"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, pool

from storage.db import sync_url
from storage.migrate import pending_heads, upgrade
from storage.models import Base


def test_migrated_database_matches_the_models(database_url: str) -> None:
    engine = create_engine(sync_url(database_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_upgrade_is_idempotent_and_reaches_every_head(database_url: str) -> None:
    upgrade(database_url)
    assert pending_heads(database_url) == set()


def test_upgrade_creates_a_new_sqlite_file_and_its_folder(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/nested/dir/govbot.db"
    upgrade(url)
    assert (tmp_path / "nested/dir/govbot.db").exists()
    assert pending_heads(url) == set()
