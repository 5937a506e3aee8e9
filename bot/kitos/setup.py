"""The KITOS sync as configured: its settings checked, its role mapping loaded, one run."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
from pydantic import SecretStr

from bot.kitos.client import Clock, KitosClient, Sleep, utcnow
from bot.kitos.reading import Progress
from bot.kitos.sync import SyncReport, run_sync
from bot.settings import Settings
from knowledge.kitos_roles import KitosRoleMapping, load_kitos_role_mapping
from knowledge.schema import Pack
from storage.db import Database

REQUEST_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class KitosConfig:
    """Where KITOS is, as whom govbot reads it, and what its roles mean here."""

    url: str
    user: str
    password: SecretStr
    cvr: str
    mapping: KitosRoleMapping
    interval_minutes: int


def kitos_config(settings: Settings, pack: Pack) -> KitosConfig | None:
    """The sync's configuration, or None when GOVBOT_KITOS_URL is empty.

    Raises KitosRoleMappingError when the mapping does not fit the pack (start-up stops).
    """
    if not settings.kitos_url:
        return None
    return KitosConfig(
        url=settings.kitos_url,
        user=settings.kitos_user,
        password=settings.kitos_password,
        cvr=settings.kitos_cvr,
        mapping=load_kitos_role_mapping(settings.kitos_role_mapping, pack),
        interval_minutes=settings.kitos_interval_minutes,
    )


async def sync_once(
    config: KitosConfig,
    database: Database,
    *,
    full: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = utcnow,
) -> SyncReport:
    """One sync run against the configured KITOS."""
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        client = KitosClient(
            config.url, config.user, config.password, http=http, sleep=sleep, clock=clock
        )
        return await run_sync(
            client=client,
            database=database,
            mapping=config.mapping,
            cvr=config.cvr,
            full=full,
            dry_run=dry_run,
            progress=progress,
        )
