"""One KITOS sync run: read what changed in KITOS, then apply it to the directory at once.

Everything is read first; only then is the directory changed, in one transaction through the
same apply path as a file import (`storage.directory_apply.apply_import`), together with the
new high-water marks and the run's record. KITOS going away halfway therefore changes nothing.

Users are matched to directory people by e-mail, then by a unique name; a KITOS user with no
e-mail whose name fits nobody or several people is a conflict reported with the KITOS UUIDs,
never a guess. Assignments the sync made (source "kitos") are changed in KITOS only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kitos.client import KitosClient
from bot.kitos.planning import CONTRACT_REF, Conflict, People, UnmappedRole, plan_rows
from bot.kitos.reading import (
    CONTRACTS,
    DELETIONS,
    USAGES,
    KitosRead,
    Progress,
    read_kitos,
    uuid_of,
)
from knowledge.kitos_roles import KitosRoleMapping
from storage.db import Database
from storage.directory import KITOS_SOURCE
from storage.directory_apply import apply_import
from storage.kitos_runs import (
    high_water_marks,
    kitos_holders,
    record_run,
    set_high_water,
    systems_by_kitos_uuid,
)
from storage.models import Person, RoleAssignment
from storage.models.base import utcnow

ACTOR = "kitos"
# The report's numbers stored with the run under their own names.
COUNTED = ("systems", "deleted", "added", "changed", "ended", "people_added")


@dataclass(frozen=True)
class SyncReport:
    """What a run did (or would do, on a dry run)."""

    full: bool
    dry_run: bool
    systems: int
    deleted: int
    added: int
    changed: int
    ended: int
    people_added: int
    conflicts: tuple[Conflict, ...]
    unmapped: tuple[UnmappedRole, ...]
    duration_seconds: float

    def counts(self) -> dict[str, Any]:
        """The numbers, as stored with the run."""
        return {
            **{name: getattr(self, name) for name in COUNTED},
            "conflicts": len(self.conflicts),
            "unmapped_roles": len(self.unmapped),
            "duration_seconds": round(self.duration_seconds, 2),
        }

    def summary_line(self) -> str:
        """One line for the shell and the log."""
        kind = "fuld" if self.full else "ændringer"
        dry = " (prøvekørsel — intet gemt)" if self.dry_run else ""
        return (
            f"KITOS ({kind}){dry}: {self.systems} systemer, {self.deleted} slettet, "
            f"tildelinger {self.added} tilføjet / {self.changed} ændret / {self.ended} afsluttet, "
            f"{self.people_added} nye personer, {len(self.conflicts)} konflikter, "
            f"{len(self.unmapped)} rolletyper uden mapning, {self.duration_seconds:.1f} s"
        )


def _changed(
    before: dict[tuple[int, str], frozenset[int]], after: dict[tuple[int, str], frozenset[int]]
) -> int:
    """Role slots (system, role) that had holders before and after, but other ones."""
    return sum(1 for key, held in before.items() if after.get(key) and after[key] != held)


async def run_sync(
    *,
    client: KitosClient,
    database: Database,
    mapping: KitosRoleMapping,
    cvr: str,
    full: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> SyncReport:
    """Read KITOS and apply it; a failure (not on a dry run) is recorded and raised again."""
    started, clock = utcnow(), time.perf_counter()
    async with database.transaction() as session:
        marks = await high_water_marks(session=session)
    full = full or USAGES not in marks
    try:
        _organization, read = await read_kitos(client, cvr, marks, full, progress)
        # One writer at a time on SQLite: the turns' writes wait here, not on the file lock.
        async with database.single_writer(), database.transaction() as session:
            report = await _apply(session, read, mapping, full, dry_run, started, clock, progress)
            if dry_run:
                await session.rollback()
    except Exception as error:
        if not dry_run:
            async with database.transaction() as session:
                await record_run(
                    session=session, started_at=started, finished_at=utcnow(), full=full,
                    status="failed", counts={}, error=str(error)[:500] or type(error).__name__,
                )  # fmt: skip
        raise
    return report


async def _apply(
    session: AsyncSession,
    read: KitosRead,
    mapping: KitosRoleMapping,
    full: bool,
    dry_run: bool,
    started: datetime,
    clock: float,
    progress: Progress | None,
) -> SyncReport:
    people = People(list(await session.scalars(select(Person))))
    rows, conflicts, unmapped = plan_rows(read, people, mapping)
    known = await systems_by_kitos_uuid(session=session)
    touched = {u for u in (*(uuid_of(x, "") for x in read.usages), *read.deleted)}
    usage_scope = {known[u] for u in touched if u in known}
    deleted_scope = {known[u] for u in read.deleted if u in known}
    contract_scope = {uuid_of(c, "") for c in read.contracts} | read.deleted_contracts
    covered = {uuid_of(u, "") for c in read.contracts for u in c.get("systemUsages") or () if u}
    scope: set[int] | None = (
        None if full else usage_scope | {known[u] for u in covered if u in known}
    )
    before = await kitos_holders(session=session, system_ids=scope)

    def in_scope(assignment: RoleAssignment) -> bool:
        """Whether this run speaks for the assignment: KITOS' own, from what was read."""
        if assignment.source != KITOS_SOURCE:
            return False  # hand-made and file-imported holders are not KITOS' to end
        if full or assignment.system_id in deleted_scope:
            return True
        ref = assignment.source_ref or ""
        if ref.startswith(CONTRACT_REF):  # a contract's role: only that contract decides
            return ref.removeprefix(CONTRACT_REF).split(";")[0] in contract_scope
        return assignment.system_id in usage_scope

    summary = await apply_import(
        session=session,
        rows=rows,
        actor=ACTOR,
        replace=True,
        source=KITOS_SOURCE,
        replace_only=in_scope,
        progress=(lambda n: progress("assignments", n)) if progress else None,
    )
    after = await kitos_holders(session=session, system_ids=scope)
    report = SyncReport(
        full=full,
        dry_run=dry_run,
        systems=len([u for u in read.usages if uuid_of(u, "") not in read.deleted]),
        deleted=len(read.deleted & known.keys()),
        added=summary.added,
        changed=_changed(before, after),
        ended=summary.ended,
        people_added=summary.people_added,
        conflicts=tuple(conflicts),
        unmapped=tuple(unmapped),
        duration_seconds=time.perf_counter() - clock,
    )
    stored = await high_water_marks(session=session)
    for entity_type, mark in ((USAGES, read.usage_mark), (CONTRACTS, read.contract_mark)):
        if mark is not None:
            await set_high_water(session=session, entity_type=entity_type, mark=mark)
        elif entity_type not in stored:
            await set_high_water(session=session, entity_type=entity_type, mark=started)
    marks = await high_water_marks(session=session)
    deletion_mark = read.deletion_mark or marks.get(DELETIONS) or read.usage_mark or started
    await set_high_water(session=session, entity_type=DELETIONS, mark=deletion_mark)
    await record_run(
        session=session,
        started_at=started,
        finished_at=utcnow(),
        full=full,
        status="ok",
        counts=report.counts(),
        conflicts=[c.as_dict() for c in conflicts],
        unmapped_roles=[u.as_dict() for u in unmapped],
    )
    return report
