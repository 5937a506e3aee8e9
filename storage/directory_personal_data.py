"""What the role directory keeps about a person, and erasing it (storage.personal_data lists
these): their directory record and the roles they held."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.data_subject import PersonalData, Subject, anonymous_name
from storage.directory import touch_directory
from storage.models import ItSystem, Person, RoleAssignment
from storage.models.base import utcnow
from storage.sql import rowcount


async def _export_person(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    if subject.person_id is None:
        return []
    person = await session.get(Person, subject.person_id)
    if person is None:
        return []
    return [
        {
            "name": person.name,
            "email": person.email,
            "aad_object_id": person.aad_object_id,
            "anonymised": person.anonymised,
        }
    ]


async def _erase_person(session: AsyncSession, subject: Subject) -> int:
    if subject.person_id is None:
        return 0
    person = await session.get(Person, subject.person_id)
    if person is None:
        return 0
    person.name = anonymous_name(subject)
    person.email = f"anonymised-{person.id}@invalid"
    person.aad_object_id = None
    person.anonymised = True
    await touch_directory(session=session)  # the lookup index must forget them too
    return 1


async def _export_roles(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    if subject.person_id is None:
        return []
    rows = await session.execute(
        select(RoleAssignment, ItSystem.name)
        .outerjoin(ItSystem, ItSystem.id == RoleAssignment.system_id)
        .where(RoleAssignment.person_id == subject.person_id)
        .order_by(RoleAssignment.valid_from, RoleAssignment.id)
    )
    return [
        {
            "role": row.role_key,
            "system": system,  # a person reads the name; the id is for IT's records
            "system_id": row.system_id,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
            "source": row.source,
        }
        for row, system in rows
    ]


async def _erase_roles(session: AsyncSession, subject: Subject) -> int:
    """End the person's roles; the assignments stay as history of who held what."""
    if subject.person_id is None:
        return 0
    result = await session.execute(
        update(RoleAssignment)
        .where(RoleAssignment.person_id == subject.person_id, RoleAssignment.valid_to.is_(None))
        .values(valid_to=utcnow())
    )
    ended = rowcount(result)
    if ended:
        await touch_directory(session=session)
    return ended


PERSONAL_DATA = (
    PersonalData(
        "person",
        (Person.name, Person.email, Person.aad_object_id),
        export=_export_person,
        erase=_erase_person,
    ),
    PersonalData("roles", (RoleAssignment.person_id,), export=_export_roles, erase=_erase_roles),
)
