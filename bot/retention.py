"""Retention inside govbot: one pass on demand (CLI) and a daily pass while serving."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

from bot.logs import fields
from bot.settings import Settings
from storage.db import Database
from storage.models.base import utcnow
from storage.retention import RetentionResult, purge_abandoned_dialogs, purge_idle

log = logging.getLogger(__name__)

RETENTION_INTERVAL_SECONDS = 24 * 60 * 60


async def run_retention(settings: Settings, database: Database) -> RetentionResult:
    """One retention pass in its own transaction."""
    now = utcnow()
    async with database.transaction() as session:
        purged = await purge_idle(
            session=session,
            state_before=now - timedelta(days=settings.state_retention_days),
            conversations_before=now - timedelta(days=settings.conversation_retention_days),
        )
        dialogs = await purge_abandoned_dialogs(
            session=session, idle_before=now - timedelta(minutes=settings.dialog_expiry_minutes)
        )
    result = replace(purged, abandoned_dialogs=dialogs)
    log.info(
        "retention",
        extra=fields(
            state=result.state_documents,
            conversations=result.conversations,
            dialogs=result.abandoned_dialogs,
        ),
    )
    return result


async def retention_loop(settings: Settings, database: Database) -> None:
    """Run retention at start-up and then daily; a failed pass is logged and retried tomorrow."""
    while True:
        try:
            await run_retention(settings, database)
        except Exception as error:
            log.warning("retention failed", extra=fields(error=type(error).__name__))
        await asyncio.sleep(RETENTION_INTERVAL_SECONDS)


@contextlib.asynccontextmanager
async def retention_running(settings: Settings, database: Database) -> AsyncIterator[None]:
    """Keep `retention_loop` running while the app serves."""
    task = asyncio.create_task(retention_loop(settings, database))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
