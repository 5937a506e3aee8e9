"""The role directory's export: every current assignment as a row of the import format."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.schema import Pack
from storage.directory import unit_names
from storage.models import ItSystem, Person, RoleAssignment

EXPORT_COLUMNS = ("System", "Rolle", "Navn", "Email", "Enhed", "Aliaser")


async def export_rows(*, session: AsyncSession, pack: Pack) -> list[dict[str, str]]:
    """Every current assignment as a row of the import format (EXPORT_COLUMNS)."""
    units = await unit_names(session)
    people = {p.id: p for p in await session.scalars(select(Person))}
    systems = {s.id: s for s in await session.scalars(select(ItSystem))}
    rows: list[dict[str, str]] = []
    for a in await session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.valid_to.is_(None))
        .order_by(RoleAssignment.system_id, RoleAssignment.role_key, RoleAssignment.id)
    ):
        person = people[a.person_id]
        system = systems.get(a.system_id) if a.system_id else None
        rows.append(
            {
                "System": system.name if system else "",
                "Rolle": _role_label(pack, a.role_key),
                "Navn": person.name,
                "Email": person.email,
                "Enhed": units.get(a.org_unit_id, "") if a.org_unit_id else "",
                "Aliaser": "|".join(system.aliases or ()) if system else "",
            }
        )
    return sorted(rows, key=lambda r: (r["System"] == "", r["System"].casefold(), r["Rolle"]))


def _role_label(pack: Pack, role_key: str) -> str:
    try:
        return pack.role(role_key).label_da
    except KeyError:
        return role_key
