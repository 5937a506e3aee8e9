"""Fixtures for the KITOS sync: the stand-in KITOS, and a sync run against it with a recorded
sleep (backoff never waits on real time)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from pydantic import SecretStr

from bot.kitos.setup import KitosConfig, sync_once
from bot.kitos.sync import SyncReport
from knowledge.kitos_roles import load_kitos_role_mapping
from storage.db import Database
from tests.directory.helpers import PACK
from tests.support.kitos import API_EMAIL, API_PASSWORD, CVR, StandInKitos

SyncRun = Callable[..., Awaitable[SyncReport]]


@pytest.fixture
async def kitos() -> AsyncIterator[StandInKitos]:
    stand_in = await StandInKitos().start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
def kitos_config(kitos: StandInKitos) -> KitosConfig:
    return KitosConfig(
        url=kitos.url,
        user=API_EMAIL,
        password=SecretStr(API_PASSWORD),
        cvr=CVR,
        mapping=load_kitos_role_mapping(None, PACK),
        interval_minutes=30,
    )


@pytest.fixture
def slept() -> list[float]:
    """The backoff waits the client asked for, in order."""
    return []


@pytest.fixture
def sync(kitos_config: KitosConfig, database: Database, slept: list[float]) -> SyncRun:
    """Run one sync against the stand-in; keyword arguments go to `sync_once`."""

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def run(**kwargs: Any) -> SyncReport:
        return await sync_once(kitos_config, database, sleep=sleep, **kwargs)

    return run
