"""GOVBOT_DATABASE_URL as DBAs and tools write it: each form read onto govbot's async drivers by
one function, and each form really opening the database (both backends)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.settings import Settings
from storage.db import (
    URL_FORMS_HINT,
    Database,
    UnsupportedDatabaseError,
    async_url,
    redacted,
    sync_url,
)
from storage.migrate import pending_heads, upgrade


@pytest.mark.parametrize(
    ("written", "used"),
    [
        ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("sqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
        ("sqlite+pysqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("sqlite+aiosqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("postgresql://user@host/db", "postgresql+psycopg://user@host/db"),
        ("postgres://user@host:5433/db", "postgresql+psycopg://user@host:5433/db"),
        ("postgresql+psycopg2://user@host/db", "postgresql+psycopg://user@host/db"),
        ("postgresql+psycopg://user@host/db", "postgresql+psycopg://user@host/db"),
        ("postgresql://user:s%40cret@host/db?sslmode=require",
         "postgresql+psycopg://user:s%40cret@host/db?sslmode=require"),
    ],
)  # fmt: skip
def test_every_written_form_maps_to_the_async_driver(written: str, used: str) -> None:
    assert async_url(written).render_as_string(hide_password=False) == used
    settings = Settings.model_validate({"database_url": written})
    assert settings.database_url == used


@pytest.mark.parametrize(
    ("written", "sync"),
    [
        ("sqlite:///var/x.db", "sqlite:///var/x.db"),
        ("postgres://user@host/db", "postgresql+psycopg://user@host/db"),
    ],
)
def test_migrations_read_the_same_forms(written: str, sync: str) -> None:
    assert sync_url(written).render_as_string(hide_password=False) == sync


@pytest.mark.parametrize("written", ["mysql://a:secret@b/c", "nonsense", "oracle://x"])
def test_other_databases_are_refused_with_a_way_on_and_no_password(written: str) -> None:
    with pytest.raises(UnsupportedDatabaseError) as refused:
        async_url(written)
    assert "secret" not in str(refused.value)
    with pytest.raises(ValueError, match=re.escape(URL_FORMS_HINT)):
        Settings.model_validate({"database_url": written})


def test_a_password_is_hidden_in_the_logged_form() -> None:
    assert redacted("postgres://u:secret@h/db") == "postgresql+psycopg://u:***@h/db"


def _as_written(database_url: str, scheme: str) -> str:
    """The test database's URL in a DBA's form (`sqlite`, `postgresql` or `postgres`)."""
    return make_url(database_url).set(drivername=scheme).render_as_string(hide_password=False)


async def _answers(url: str) -> int:
    database = Database.connect(url)
    try:
        async with database.transaction() as session:
            return int(await session.scalar(text("select 1")) or 0)
    finally:
        await database.dispose()


async def test_the_plain_forms_open_the_real_database(database_url: str) -> None:
    schemes = ["sqlite"] if database_url.startswith("sqlite") else ["postgresql", "postgres"]
    for scheme in schemes:
        written = _as_written(database_url, scheme)
        upgrade(written)  # migrations take the same form
        assert pending_heads(written) == set()
        assert await _answers(written) == 1


def test_db_upgrade_accepts_a_relative_sqlite_url(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVBOT_", "Microsoft"))}
    env["GOVBOT_DATABASE_URL"] = "sqlite:///var/x.db"
    env["PYTHONPATH"] = os.pathsep.join([str(Path.cwd()), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "x.db").exists()
    assert "sqlite+aiosqlite:///var/x.db" in result.stdout
