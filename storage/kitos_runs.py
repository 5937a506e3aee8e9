"""The KITOS sync's records: high-water marks per feed, the runs, and the holders it keeps.

Plain functions over the caller's session; the sync writes marks and its run in the same
transaction as the directory changes, so a failed run leaves all three as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.directory import KITOS_SOURCE
from storage.models import ItSystem, KitosHighWater, KitosSyncRun, RoleAssignment
from storage.records import record_of
from storage.sql import upsert


@dataclass(frozen=True)
class SyncRunInfo:
    """A finished (or failed) KITOS sync run."""

    id: int
    started_at: datetime
    finished_at: datetime
    full: bool
    status: str
    counts: dict[str, Any]
    conflicts: tuple[dict[str, Any], ...]
    unmapped_roles: tuple[dict[str, Any], ...]
    error: str | None


async def high_water_marks(*, session: AsyncSession) -> dict[str, datetime]:
    """Each feed's mark: changes up to it have been applied."""
    rows = await session.execute(select(KitosHighWater.entity_type, KitosHighWater.mark))
    return {entity_type: mark for entity_type, mark in rows}


async def set_high_water(*, session: AsyncSession, entity_type: str, mark: datetime) -> None:
    """Move one feed's mark (in the run's transaction)."""
    await session.execute(
        upsert(
            session,
            KitosHighWater,
            {"entity_type": entity_type, "mark": mark},
            conflict_on=["entity_type"],
            update=["mark"],
        )
    )


async def record_run(
    *,
    session: AsyncSession,
    started_at: datetime,
    finished_at: datetime,
    full: bool,
    status: str,
    counts: dict[str, Any],
    conflicts: Iterable[dict[str, Any]] = (),
    unmapped_roles: Iterable[dict[str, Any]] = (),
    error: str | None = None,
) -> None:
    """Store one run's outcome."""
    session.add(
        KitosSyncRun(
            started_at=started_at,
            finished_at=finished_at,
            full=full,
            status=status,
            counts=counts,
            conflicts=list(conflicts),
            unmapped_roles=list(unmapped_roles),
            error=error,
        )
    )
    await session.flush()


def _info(row: KitosSyncRun) -> SyncRunInfo:
    return record_of(
        SyncRunInfo,
        row,
        counts=dict(row.counts or {}),
        conflicts=tuple(row.conflicts or ()),
        unmapped_roles=tuple(row.unmapped_roles or ()),
    )


async def last_runs(*, session: AsyncSession) -> tuple[SyncRunInfo | None, SyncRunInfo | None]:
    """The newest run of any outcome, and the newest successful one."""
    newest = await session.scalar(select(KitosSyncRun).order_by(KitosSyncRun.id.desc()).limit(1))
    ok = await session.scalar(
        select(KitosSyncRun)
        .where(KitosSyncRun.status == "ok")
        .order_by(KitosSyncRun.id.desc())
        .limit(1)
    )
    return (_info(newest) if newest else None, _info(ok) if ok else None)


async def systems_by_kitos_uuid(*, session: AsyncSession) -> dict[str, int]:
    """The directory's system ids by KITOS usage UUID."""
    rows = await session.execute(
        select(ItSystem.kitos_uuid, ItSystem.id).where(ItSystem.kitos_uuid.is_not(None))
    )
    return {str(uuid): system_id for uuid, system_id in rows}


async def kitos_holders(
    *, session: AsyncSession, system_ids: set[int] | None
) -> dict[tuple[int, str], frozenset[int]]:
    """Current KITOS-sourced holders per (system id, role key), in `system_ids` or all."""
    query = select(
        RoleAssignment.system_id, RoleAssignment.role_key, RoleAssignment.person_id
    ).where(
        RoleAssignment.valid_to.is_(None),
        RoleAssignment.source == KITOS_SOURCE,
        RoleAssignment.system_id.is_not(None),
    )
    if system_ids is not None:
        query = query.where(RoleAssignment.system_id.in_(sorted(system_ids)))
    holders: dict[tuple[int, str], set[int]] = {}
    for system_id, role_key, person_id in await session.execute(query):
        if system_id is not None:
            holders.setdefault((system_id, role_key), set()).add(person_id)
    return {key: frozenset(people) for key, people in holders.items()}
