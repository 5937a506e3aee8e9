"""The role directory's records: people, units, systems and who holds which role.

Every write lands in the audit log and changes the directory token, so the in-memory lookup
index (`storage.directory_snapshots`) is rebuilt once it commits. Services never commit. Hand-over
(`storage.directory_handover`), applying an import (`storage.directory_apply`), the export
(`storage.directory_export`) and a person's data (`storage.directory_personal_data`) build on
these.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.text import name_key
from storage.audit import Author, record_change
from storage.errors import DomainError, UnknownPersonError, UnknownRecordError
from storage.identity import clean_email
from storage.models import (
    ItSystem,
    OrgUnit,
    Person,
    RoleAssignment,
)
from storage.models.base import utcnow
from storage.models.directory import DirectoryState
from storage.records import record_of
from storage.sql import matches, upsert

# Where a session finds its database's directory snapshots (storage.directory_snapshots).
SNAPSHOTS_KEY = "directory_snapshots"


class DirectoryWatcher(Protocol):
    """What a session's directory snapshots are told of its writes."""

    def touched(self, session: AsyncSession) -> None: ...


class DirectoryError(DomainError):
    """A directory change that cannot be made."""


class UnknownAssignmentError(DirectoryError, UnknownRecordError):
    """No current assignment with that id."""


class KitosManagedError(DirectoryError):
    """The assignment is kept by the KITOS sync: it is changed in KITOS, not in govbot."""

    default_key = "directory.kitos_managed"

    def __init__(self, system: str | None) -> None:
        super().__init__(system=system or "")
        self.system = system


# The assignment source of the KITOS sync; such assignments are changed in KITOS only.
KITOS_SOURCE = "kitos"


def refuse_kitos_managed(assignments: Sequence[Assignment], *, source: str) -> None:
    """Raise KitosManagedError when a change from `source` would touch a KITOS assignment."""
    if source == KITOS_SOURCE:
        return
    for assignment in assignments:
        if assignment.source == KITOS_SOURCE:
            raise KitosManagedError(assignment.system.name if assignment.system else None)


@dataclass(frozen=True, slots=True)
class PersonInfo:
    """A person in the directory."""

    id: int
    name: str
    email: str
    org_unit: str | None = None
    aad_object_id: str | None = None


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """An organisational unit in the directory."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class SystemInfo:
    """An IT system in the directory."""

    id: int
    name: str
    aliases: tuple[str, ...] = ()
    vendor: str | None = None
    org_unit: str | None = None
    lifecycle_status: str = "i drift"
    kitos_uuid: str | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """A person holding a role for a system, or organisation-wide when `system` is None."""

    id: int
    role_key: str
    person: PersonInfo
    system: SystemInfo | None
    org_unit: str | None
    valid_from: datetime
    valid_to: datetime | None
    source: str


# --- the change token -------------------------------------------------------------------


async def touch_directory(*, session: AsyncSession) -> None:
    """Mark the directory as changed (indexes built on the old token rebuild)."""
    snapshots: DirectoryWatcher | None = session.info.get(SNAPSHOTS_KEY)
    if snapshots is not None:  # the session sees its own change; its commit rebuilds the index
        snapshots.touched(session)
    await session.execute(
        upsert(
            session,
            DirectoryState,
            {"id": 1, "token": uuid.uuid4().hex, "changed_at": utcnow()},
            conflict_on=["id"],
            update=["token", "changed_at"],
        )
    )


async def directory_token(*, session: AsyncSession) -> str:
    """The current change token ("" before the first change)."""
    token = await session.scalar(select(DirectoryState.token).where(DirectoryState.id == 1))
    return token or ""


async def _changed(
    session: AsyncSession,
    action: str,
    entity: str,
    entity_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    by: Author,
) -> None:
    """Audit one directory change and mark the directory changed (lookup indexes rebuild)."""
    await record_change(
        session,
        entity,
        entity_id,
        by=by,
        action=action,
        before=before,
        after=after,
    )
    await touch_directory(session=session)


async def _add(
    session: AsyncSession,
    row: Person | ItSystem | RoleAssignment,
    entity: str,
    after: dict[str, Any],
    *,
    by: Author,
    action: str = "create",
) -> None:
    """Store a new directory row, audited, and mark the directory changed."""
    session.add(row)
    await session.flush()
    await _changed(session, action, entity, row.id, None, after, by=by)


# --- conversions ------------------------------------------------------------------------


def person_info(row: Person | Row[*tuple[Any, ...]], units: dict[int, str]) -> PersonInfo:
    """A person as plain data, from a model or a row with the same columns (`units`: unit
    names by id)."""
    return record_of(PersonInfo, row, org_unit=unit_name(row.org_unit_id, units))


def system_info(row: ItSystem | Row[*tuple[Any, ...]], units: dict[int, str]) -> SystemInfo:
    """A system as plain data, from a model or a row with the same columns."""
    return record_of(
        SystemInfo,
        row,
        aliases=tuple(row.aliases or ()),
        org_unit=unit_name(row.org_unit_id, units),
    )


def unit_name(unit_id: int | None, units: dict[int, str]) -> str | None:
    """The name of the unit `unit_id` (None for none)."""
    return units.get(unit_id) if unit_id else None


async def unit_names(session: AsyncSession) -> dict[int, str]:
    """Every organisational unit's name, by id."""
    return {uid: name for uid, name in await session.execute(select(OrgUnit.id, OrgUnit.name))}


async def _assignment(session: AsyncSession, row: RoleAssignment) -> Assignment:
    units = await unit_names(session)
    person = await session.get_one(Person, row.person_id)
    system = await session.get(ItSystem, row.system_id) if row.system_id else None
    return record_of(
        Assignment,
        row,
        person=person_info(person, units),
        system=system_info(system, units) if system else None,
        org_unit=unit_name(row.org_unit_id, units),
    )


def assignment_audit(row: RoleAssignment) -> dict[str, Any]:
    """What the audit log records of an assignment."""
    return {
        "person_id": row.person_id,
        "role": row.role_key,
        "system_id": row.system_id,
        "org_unit_id": row.org_unit_id,
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        **({"source_ref": row.source_ref} if row.source_ref else {}),
    }


# --- people, units and systems ----------------------------------------------------------


async def _org_unit_id(session: AsyncSession, name: str | None) -> int | None:
    if not name or not name.strip():
        return None
    name = name.strip()
    existing = await session.scalar(select(OrgUnit.id).where(OrgUnit.name == name))
    if existing is not None:
        return existing
    unit = OrgUnit(name=name)
    session.add(unit)
    await session.flush()
    return unit.id


async def ensure_person(
    *,
    session: AsyncSession,
    email: str,
    name: str | None,
    by: Author,
    org_unit: str | None = None,
) -> PersonInfo:
    """The person with `email`, created when new (a new person needs a name)."""
    email = clean_email(email)
    row = await session.scalar(select(Person).where(Person.email == email))
    if row is None:
        if not name:
            raise UnknownPersonError(email)
        row = Person(
            email=email, name=name.strip(), org_unit_id=await _org_unit_id(session, org_unit)
        )
        after = {"email": email, "name": row.name}
        await _add(session, row, "person", after, by=by)
    return person_info(row, await unit_names(session))


async def get_person(*, session: AsyncSession, email: str) -> PersonInfo | None:
    """The person with `email`, if any."""
    row = await session.scalar(select(Person).where(Person.email == clean_email(email)))
    return person_info(row, await unit_names(session)) if row else None


async def ensure_system(*, session: AsyncSession, name: str, by: Author) -> SystemInfo:
    """The system called `name` (compared normalised), created when new."""
    key = name_key(name)
    for row in await session.scalars(select(ItSystem)):
        if name_key(row.name) == key:
            return system_info(row, await unit_names(session))
    row = ItSystem(name=name.strip(), aliases=[])
    await _add(session, row, "it_system", {"name": row.name}, by=by)
    return system_info(row, await unit_names(session))


async def link_identity(
    *, session: AsyncSession, email: str, aad_object_id: str, actor: str
) -> PersonInfo | None:
    """Record the Teams (AAD) identity of the directory person with `email`, if there is one.

    A person already linked to another AAD object id keeps it: the directory is not rewritten
    from a chat client's claim.
    """
    row = await session.scalar(select(Person).where(Person.email == clean_email(email)))
    if row is None:
        return None
    if row.aad_object_id is None:
        taken = await session.scalar(select(Person.id).where(Person.aad_object_id == aad_object_id))
        if taken is not None:
            return None
        row.aad_object_id = aad_object_id
        await record_change(
            session,
            "person",
            row.id,
            by=Author(actor, "teams"),
            action="link",
            after={"aad_object_id": aad_object_id},
        )
    return person_info(row, await unit_names(session))


# --- assignments ------------------------------------------------------------------------


async def set_assignment(
    *,
    session: AsyncSession,
    person_id: int,
    role_key: str,
    system_id: int | None,
    by: Author,
    org_unit: str | None = None,
) -> tuple[Assignment, bool]:
    """Give a person a role (for a system); returns the assignment and whether it is new."""
    org_unit_id = await _org_unit_id(session, org_unit)
    existing = await session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.person_id == person_id,
            RoleAssignment.role_key == role_key,
            matches(RoleAssignment.system_id, system_id),
            matches(RoleAssignment.org_unit_id, org_unit_id),
            RoleAssignment.valid_to.is_(None),
        )
    )
    if existing is not None:
        return await _assignment(session, existing), False
    row = RoleAssignment(
        person_id=person_id,
        role_key=role_key,
        system_id=system_id,
        org_unit_id=org_unit_id,
        valid_from=utcnow(),
        source=by.source,
    )
    after = assignment_audit(row)
    await _add(session, row, "role_assignment", after, by=by, action="assign")
    return await _assignment(session, row), True


async def end_assignment(*, session: AsyncSession, assignment_id: int, by: Author) -> Assignment:
    """End a current assignment (it stays in history)."""
    row = await session.get(RoleAssignment, assignment_id)
    if row is None or row.valid_to is not None:
        raise UnknownAssignmentError(assignment_id)
    refuse_kitos_managed([await _assignment(session, row)], source=by.source)
    before = assignment_audit(row)
    row.valid_to = utcnow()
    await _changed(
        session, "end", "role_assignment", row.id, before, assignment_audit(row),
        by=by,
    )  # fmt: skip
    return await _assignment(session, row)


async def current_assignments(
    *,
    session: AsyncSession,
    person_id: int | None = None,
    role_key: str | None = None,
    system_id: int | None = None,
    organisation_wide: bool = False,
) -> list[Assignment]:
    """Current assignments, filtered (straight from the database, for writes and export)."""
    query = select(RoleAssignment).where(RoleAssignment.valid_to.is_(None))
    if person_id is not None:
        query = query.where(RoleAssignment.person_id == person_id)
    if role_key is not None:
        query = query.where(RoleAssignment.role_key == role_key)
    if system_id is not None:
        query = query.where(RoleAssignment.system_id == system_id)
    elif organisation_wide:
        query = query.where(RoleAssignment.system_id.is_(None))
    rows = list(await session.scalars(query.order_by(RoleAssignment.id)))
    return [await _assignment(session, row) for row in rows]
