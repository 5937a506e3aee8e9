"""The schedule inside `govbot serve`: every interval, full once a night, failures survived.
Clock and sleep are injected; nothing waits on real time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.kitos.schedule import KitosSchedule
from bot.kitos.sync import SyncReport

TZ = ZoneInfo("Europe/Copenhagen")


def _report(full: bool) -> SyncReport:
    return SyncReport(full, False, 0, 0, 0, 0, 0, 0, (), (), 0.0)


async def test_runs_every_interval_full_once_after_two_at_night_and_survives_a_failure() -> None:
    now = [datetime(2026, 12, 2, 0, 30, tzinfo=UTC)]  # 01:30 in Copenhagen
    asked: list[bool] = []
    waits: list[float] = []

    async def sync(full: bool) -> SyncReport:
        asked.append(full)
        if len(asked) == 3:
            raise ConnectionError("KITOS is away")
        return _report(full)

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += timedelta(seconds=seconds)
        if len(waits) == 5:
            raise asyncio.CancelledError

    schedule = KitosSchedule(sync, interval_minutes=30, tz=TZ, clock=lambda: now[0], sleep=sleep)
    with pytest.raises(asyncio.CancelledError):
        await schedule.run_forever()
    # 01:30 changes; 02:00 the night's full run; 02:30 fails (logged); then changes again.
    assert waits == [1800.0] * 5
    assert asked == [False, True, False, False, False]


async def test_a_failed_full_run_is_tried_again_next_time() -> None:
    now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    asked: list[bool] = []

    async def sync(full: bool) -> SyncReport:
        asked.append(full)
        if len(asked) == 1:
            raise ConnectionError("KITOS is away")
        return _report(full)

    schedule = KitosSchedule(sync, interval_minutes=30, tz=TZ, clock=lambda: now)
    assert await schedule.run_once() is None
    assert (await schedule.run_once()) is not None
    assert await schedule.run_once() is not None
    assert asked == [True, True, False]
