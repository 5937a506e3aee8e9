"""Shared fixtures: a fresh migrated database per test on every backend, the real app, a channel."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from storage.db import Database
from tests.support.channel import TestChannel
from tests.support.databases import (
    POSTGRES_ENV,
    PostgresTemplates,
    SqliteTemplates,
    backends,
)
from tests.support.server import RunningBot, start_bot

# Settings come from the test, never from a developer's .env or environment.
for _name in list(os.environ):
    if (_name.startswith("GOVBOT_") and _name != POSTGRES_ENV) or _name.startswith("Microsoft"):
        os.environ.pop(_name)


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteTemplates]:
    templates = SqliteTemplates(tmp_path_factory.mktemp("db"))
    yield templates
    templates.cleanup()


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[PostgresTemplates | None]:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        yield None
        return
    templates = PostgresTemplates(url)
    yield templates
    templates.cleanup()


@pytest.fixture(params=backends())
def database_url(
    request: pytest.FixtureRequest,
    sqlite_templates: SqliteTemplates,
    postgres_templates: PostgresTemplates | None,
) -> Iterator[str]:
    """A fresh, migrated, empty database for this test alone."""
    if request.param == "sqlite":
        yield sqlite_templates.new_url()
        return
    assert postgres_templates is not None
    url = postgres_templates.new_url()
    yield url
    postgres_templates.drop(url)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database.connect(database_url)
    yield db
    await db.dispose()


@pytest.fixture
async def session(database: Database) -> AsyncIterator[AsyncSession]:
    """A session in a transaction that is rolled back after the test."""
    async with database.sessions() as session, session.begin():
        yield session
        await session.rollback()


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Settings]:
    """Settings for the app under test; keyword arguments override fields."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"database_url": database_url, "demo_data": False}
        values.update(overrides)
        return Settings.model_validate(values)

    return make


@pytest.fixture
async def channel() -> AsyncIterator[TestChannel]:
    """A local Bot Connector service to receive the bot's replies."""
    test_channel = await TestChannel().start()
    yield test_channel
    await test_channel.stop()


@pytest.fixture
async def running_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    """The real app on a free port, on this test's database."""
    bot = await start_bot(make_settings())
    yield bot
    await bot.stop()
