"""The KITOS sync inside `govbot serve`: changes every GOVBOT_KITOS_INTERVAL_MINUTES, and a
full reconcile the first run after NIGHTLY_HOUR each night (as OS2compliance does).

One failing run is logged and recorded; the loop goes on. Clock and sleep are injected.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.kitos.client import Clock, Sleep, utcnow
from bot.kitos.sync import SyncReport
from bot.logs import fields

log = logging.getLogger(__name__)

NIGHTLY_HOUR = 2  # local time; the full reconcile runs at the first chance after it


class KitosSchedule:
    """Runs `sync(full)` on the interval, full once a night."""

    def __init__(
        self,
        sync: Callable[[bool], Awaitable[SyncReport]],
        *,
        interval_minutes: int,
        tz: ZoneInfo,
        clock: Clock = utcnow,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._sync = sync
        self._interval = interval_minutes * 60.0
        self._tz = tz
        self._clock = clock
        self._sleep = sleep
        self._full_done_for: date | None = None
        self._unmapped_told: set[str] = set()

    def wants_full(self, now: datetime) -> bool:
        """True when tonight's full reconcile is still to run."""
        local = now.astimezone(self._tz)
        night = local.date() if local.time() >= time(NIGHTLY_HOUR) else None
        return night is not None and self._full_done_for != night

    async def run_once(self) -> SyncReport | None:
        """One run, full when the night calls for it; a failure is logged, not raised."""
        now = self._clock()
        full = self.wants_full(now)
        try:
            report = await self._sync(full)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("kitos sync failed", extra=fields(error=type(error).__name__))
            return None
        for role in report.unmapped:  # told once per process, not every half hour
            if role.uuid not in self._unmapped_told:
                self._unmapped_told.add(role.uuid)
                log.warning(
                    "kitos role type has no mapping",
                    extra=fields(role=role.name, uuid=role.uuid, skipped=role.assignments),
                )
        if report.full:  # a first sync is full too and counts as tonight's
            self._full_done_for = now.astimezone(self._tz).date()
        log.info("kitos sync", extra=fields(summary=report.summary_line()))
        return report

    async def run_forever(self) -> None:
        """Run, sleep the interval, run again, until cancelled."""
        while True:
            await self.run_once()
            await self._sleep(self._interval)
