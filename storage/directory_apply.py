"""Applying an import of the role directory: validated rows in, one audited bulk change out.

Rows come from `storage.directory_import` (files), the KITOS sync (`bot.kitos.sync`) or the demo
data; re-applying the same rows changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.text import name_key
from storage.directory import assignment_audit, touch_directory, unit_names
from storage.models import AuditEntry, ItSystem, OrgUnit, Person, RoleAssignment
from storage.models.base import utcnow


@dataclass(frozen=True)
class ImportRow:
    """One validated assignment from an import file, with the file line it came from."""

    line: int
    role_key: str
    name: str
    email: str
    system: str | None = None
    org_unit: str | None = None
    aliases: tuple[str, ...] = ()
    system_org_unit: str | None = None
    # The system's identity in KITOS (its usage UUID): the system is found by it before its name.
    system_kitos_uuid: str | None = None
    # Where the assignment came from outside govbot, kept on it and in its audit entry.
    source_ref: str | None = None


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or would do, on a dry run)."""

    added: int
    unchanged: int
    ended: int
    people_added: int
    systems_added: int
    rows: int


async def apply_import(
    *,
    session: AsyncSession,
    rows: Sequence[ImportRow],
    actor: str,
    replace: bool = False,
    source: str = "import",
    progress: Callable[[int], object] | None = None,
    replace_only: Callable[[RoleAssignment], bool] | None = None,
) -> ImportSummary:
    """Apply validated rows: new people, systems and assignments are added, known ones kept.

    Re-applying the same rows changes nothing; `replace` ends current assignments absent from
    `rows` (only those `replace_only` accepts, when given). Run it inside a transaction the
    caller rolls back for a dry run.
    """
    now = utcnow()
    units = {name: uid for uid, name in (await unit_names(session)).items()}

    async def unit_id(name: str | None) -> int | None:
        if not name or not name.strip():
            return None
        name = name.strip()
        if name not in units:
            unit = OrgUnit(name=name)
            session.add(unit)
            await session.flush()
            units[name] = unit.id
        return units[name]

    people = {row.email: row for row in await session.scalars(select(Person))}
    all_systems = list(await session.scalars(select(ItSystem)))
    systems = {name_key(row.name): row for row in all_systems}
    by_kitos = {row.kitos_uuid: row for row in all_systems if row.kitos_uuid}
    current = {
        (a.person_id, a.role_key, a.system_id, a.org_unit_id): a
        for a in await session.scalars(
            select(RoleAssignment).where(RoleAssignment.valid_to.is_(None))
        )
    }
    people_added = systems_added = 0
    audit: list[dict[str, Any]] = []
    for row in rows:
        if row.email not in people:
            person = Person(email=row.email, name=row.name, org_unit_id=await unit_id(row.org_unit))
            session.add(person)
            people[row.email] = person
            people_added += 1
        if row.system:
            system_key = name_key(row.system)
            system = by_kitos.get(row.system_kitos_uuid or "") or systems.get(system_key)
            if system is None:
                system = ItSystem(name=row.system.strip(), aliases=[])
                session.add(system)
                systems_added += 1
            systems[system_key] = system
            if row.system_kitos_uuid and system.kitos_uuid is None:
                system.kitos_uuid = row.system_kitos_uuid
                by_kitos[row.system_kitos_uuid] = system
            new_aliases = [a for a in row.aliases if a not in (system.aliases or [])]
            if new_aliases:
                system.aliases = [*(system.aliases or []), *new_aliases]
            if row.system_org_unit and system.org_unit_id is None:
                system.org_unit_id = await unit_id(row.system_org_unit)
    await session.flush()

    seen: set[tuple[int, str, int | None, int | None]] = set()
    new_rows: list[dict[str, Any]] = []
    unchanged = 0
    for done, row in enumerate(rows, start=1):
        system_id = systems[name_key(row.system)].id if row.system else None
        key = (people[row.email].id, row.role_key, system_id, await unit_id(row.org_unit))
        if key in seen:
            continue
        seen.add(key)
        if key in current:
            unchanged += 1
        else:
            new_rows.append(
                {
                    "person_id": key[0],
                    "role_key": key[1],
                    "system_id": key[2],
                    "org_unit_id": key[3],
                    "valid_from": now,
                    "source": source,
                    "source_ref": row.source_ref,
                }
            )
        if progress is not None and done % 500 == 0:
            progress(500)
    if progress is not None:
        progress(len(rows) % 500)
    if new_rows:
        ids = (
            await session.scalars(insert(RoleAssignment).returning(RoleAssignment.id), new_rows)
        ).all()
        for assignment_id, values in zip(ids, new_rows, strict=True):
            audit.append(_import_audit(actor, "assign", assignment_id, None, values, source, now))
    ended = 0
    if replace:
        for key, assignment in current.items():
            if key not in seen and (replace_only is None or replace_only(assignment)):
                before = assignment_audit(assignment)
                assignment.valid_to = now
                audit.append(
                    _import_audit(
                        actor,
                        "end",
                        assignment.id,
                        before,
                        assignment_audit(assignment),
                        source,
                        now,
                    )
                )
                ended += 1
    if audit:
        await session.execute(insert(AuditEntry), audit)
    if new_rows or ended or people_added or systems_added:
        await touch_directory(session=session)
    await session.flush()
    return ImportSummary(
        added=len(new_rows),
        unchanged=unchanged,
        ended=ended,
        people_added=people_added,
        systems_added=systems_added,
        rows=len(rows),
    )


def _import_audit(
    actor: str,
    action: str,
    entity_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    source: str,
    at: datetime,
) -> dict[str, Any]:
    after = {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in after.items()
        if not (k == "source_ref" and v is None)
    }
    return {
        "at": at,
        "actor": actor,
        "action": action,
        "entity": "role_assignment",
        "entity_id": str(entity_id),
        "before": before,
        "after": after,
        "source": source,
    }
