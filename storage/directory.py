"""The role directory's record services: import, set and end assignments, hand-over, export.

Every write lands in the audit log and changes the directory token, so the in-memory lookup
index (`storage.directory_index`) rebuilds on its next use. Services never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.schema import Pack
from knowledge.text import name_key
from storage.audit import record_change
from storage.data_subject import PersonalData, Subject, anonymous_name
from storage.errors import DomainError, UnknownPersonError
from storage.models import (
    AuditEntry,
    ConversationRef,
    ItSystem,
    OrgUnit,
    Person,
    RoleAssignment,
)
from storage.models.base import utcnow
from storage.models.directory import DirectoryState
from storage.sql import upsert

EXPORT_COLUMNS = ("System", "Rolle", "Navn", "Email", "Enhed", "Aliaser")
# Where a session finds its database's directory snapshots (storage.directory_index).
SNAPSHOTS_KEY = "directory_snapshots"


class DirectoryError(DomainError):
    """A directory change that cannot be made."""


class UnknownAssignmentError(DirectoryError):
    """No current assignment with that id."""


@dataclass(frozen=True)
class PersonInfo:
    """A person in the directory."""

    id: int
    name: str
    email: str
    org_unit: str | None = None
    aad_object_id: str | None = None


@dataclass(frozen=True)
class UnitInfo:
    """An organisational unit in the directory."""

    id: int
    name: str


@dataclass(frozen=True)
class SystemInfo:
    """An IT system in the directory."""

    id: int
    name: str
    aliases: tuple[str, ...] = ()
    vendor: str | None = None
    org_unit: str | None = None
    lifecycle_status: str = "i drift"
    kitos_uuid: str | None = None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or would do, on a dry run)."""

    added: int
    unchanged: int
    ended: int
    people_added: int
    systems_added: int
    rows: int


@dataclass(frozen=True)
class Handover:
    """One person's current roles moving to another."""

    source: PersonInfo
    target: PersonInfo
    moves: tuple[Assignment, ...]
    already_held: tuple[Assignment, ...] = field(default=())


# --- the change token -------------------------------------------------------------------


async def touch_directory(*, session: AsyncSession) -> None:
    """Mark the directory as changed (indexes built on the old token rebuild)."""
    snapshots = session.info.get(SNAPSHOTS_KEY)
    if snapshots is not None:  # this database's own lookups see the change at once
        snapshots.wrote()
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


# --- conversions ------------------------------------------------------------------------


def _person(row: Person, units: dict[int, str]) -> PersonInfo:
    return PersonInfo(
        id=row.id,
        name=row.name,
        email=row.email,
        org_unit=units.get(row.org_unit_id) if row.org_unit_id else None,
        aad_object_id=row.aad_object_id,
    )


def system_info(row: ItSystem | Row[Any], units: dict[int, str]) -> SystemInfo:
    """A system as plain data, from a model or a row with the same columns."""
    return SystemInfo(
        id=row.id,
        name=row.name,
        aliases=tuple(row.aliases or ()),
        vendor=row.vendor,
        org_unit=units.get(row.org_unit_id) if row.org_unit_id else None,
        lifecycle_status=row.lifecycle_status,
        kitos_uuid=row.kitos_uuid,
    )


async def _units(session: AsyncSession) -> dict[int, str]:
    return {uid: name for uid, name in await session.execute(select(OrgUnit.id, OrgUnit.name))}


async def _assignment(session: AsyncSession, row: RoleAssignment) -> Assignment:
    units = await _units(session)
    person = await session.get_one(Person, row.person_id)
    system = await session.get(ItSystem, row.system_id) if row.system_id else None
    return Assignment(
        id=row.id,
        role_key=row.role_key,
        person=_person(person, units),
        system=system_info(system, units) if system else None,
        org_unit=units.get(row.org_unit_id) if row.org_unit_id else None,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        source=row.source,
    )


def _audit_view(row: RoleAssignment) -> dict[str, Any]:
    return {
        "person_id": row.person_id,
        "role": row.role_key,
        "system_id": row.system_id,
        "org_unit_id": row.org_unit_id,
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
    }


def clean_email(email: str) -> str:
    """The canonical (lower-case, trimmed) form of an email address."""
    return email.strip().lower()


# --- people, units and systems ----------------------------------------------------------


def people_known_by(principals: Iterable[str]) -> Select[tuple[int]]:
    """The ids of directory people whose AAD object id or email is one of `principals`."""
    keys = list(dict.fromkeys(p.strip().lower() for p in principals if p))
    return select(Person.id).where(or_(Person.aad_object_id.in_(keys), Person.email.in_(keys)))


async def person_id_of(*, session: AsyncSession, principals: Iterable[str]) -> int | None:
    """The directory person known by any of `principals` (AAD object id or email), if any."""
    return await session.scalar(people_known_by(principals).order_by(Person.id).limit(1))


async def principals_of(
    *, session: AsyncSession, aad_object_id: str | None, email: str | None
) -> frozenset[str]:
    """Every principal a user is known by: their own, and their directory person's."""
    found = {p.strip().lower() for p in (aad_object_id, email) if p}
    if found:
        rows = await session.execute(
            select(Person.email, Person.aad_object_id).where(Person.id.in_(people_known_by(found)))
        )
        for person_email, person_aad in rows:
            found.update(p.strip().lower() for p in (person_email, person_aad) if p)
    return frozenset(found)


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
    actor: str,
    org_unit: str | None = None,
    source: str = "chat",
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
        session.add(row)
        await session.flush()
        await record_change(
            session=session,
            actor=actor,
            action="create",
            entity="person",
            entity_id=row.id,
            after={"email": email, "name": row.name},
            source=source,
        )
        await touch_directory(session=session)
    return _person(row, await _units(session))


async def get_person(*, session: AsyncSession, email: str) -> PersonInfo | None:
    """The person with `email`, if any."""
    row = await session.scalar(select(Person).where(Person.email == clean_email(email)))
    return _person(row, await _units(session)) if row else None


async def ensure_system(
    *, session: AsyncSession, name: str, actor: str, source: str = "chat"
) -> SystemInfo:
    """The system called `name` (compared normalised), created when new."""
    key = name_key(name)
    for row in await session.scalars(select(ItSystem)):
        if name_key(row.name) == key:
            return system_info(row, await _units(session))
    row = ItSystem(name=name.strip(), aliases=[])
    session.add(row)
    await session.flush()
    await record_change(
        session=session,
        actor=actor,
        action="create",
        entity="it_system",
        entity_id=row.id,
        after={"name": row.name},
        source=source,
    )
    await touch_directory(session=session)
    return system_info(row, await _units(session))


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
            session=session,
            actor=actor,
            action="link",
            entity="person",
            entity_id=row.id,
            after={"aad_object_id": aad_object_id},
            source="teams",
        )
    return _person(row, await _units(session))


async def record_user_email(*, session: AsyncSession, conversation_id: str, email: str) -> None:
    """Remember the email of a 1:1 conversation's user, so reminders can find them by email."""
    await session.execute(
        update(ConversationRef)
        .where(ConversationRef.conversation_id == conversation_id)
        .values(user_email=clean_email(email))
    )


async def person_by_aad(*, session: AsyncSession, aad_object_id: str) -> PersonInfo | None:
    """The directory person linked to a Teams user."""
    row = await session.scalar(select(Person).where(Person.aad_object_id == aad_object_id))
    return _person(row, await _units(session)) if row else None


# --- assignments ------------------------------------------------------------------------


async def set_assignment(
    *,
    session: AsyncSession,
    person_id: int,
    role_key: str,
    system_id: int | None,
    actor: str,
    org_unit: str | None = None,
    source: str = "chat",
) -> tuple[Assignment, bool]:
    """Give a person a role (for a system); returns the assignment and whether it is new."""
    org_unit_id = await _org_unit_id(session, org_unit)
    existing = await session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.person_id == person_id,
            RoleAssignment.role_key == role_key,
            RoleAssignment.system_id.is_(None)
            if system_id is None
            else RoleAssignment.system_id == system_id,
            RoleAssignment.org_unit_id.is_(None)
            if org_unit_id is None
            else RoleAssignment.org_unit_id == org_unit_id,
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
        source=source,
    )
    session.add(row)
    await session.flush()
    await record_change(
        session=session,
        actor=actor,
        action="assign",
        entity="role_assignment",
        entity_id=row.id,
        after=_audit_view(row),
        source=source,
    )
    await touch_directory(session=session)
    return await _assignment(session, row), True


async def end_assignment(
    *, session: AsyncSession, assignment_id: int, actor: str, source: str = "chat"
) -> Assignment:
    """End a current assignment (it stays in history)."""
    row = await session.get(RoleAssignment, assignment_id)
    if row is None or row.valid_to is not None:
        raise UnknownAssignmentError(str(assignment_id))
    before = _audit_view(row)
    row.valid_to = utcnow()
    await record_change(
        session=session,
        actor=actor,
        action="end",
        entity="role_assignment",
        entity_id=row.id,
        before=before,
        after=_audit_view(row),
        source=source,
    )
    await touch_directory(session=session)
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


async def plan_handover(*, session: AsyncSession, source_id: int, target_id: int) -> Handover:
    """What handing every current role of `source_id` over to `target_id` would change."""
    if source_id == target_id:
        raise DirectoryError("same person")
    units = await _units(session)
    source = await session.get(Person, source_id)
    target = await session.get(Person, target_id)
    if source is None or target is None:
        raise UnknownPersonError(str(source_id if source is None else target_id))
    held = {
        (a.role_key, a.system.id if a.system else None, a.org_unit)
        for a in await current_assignments(session=session, person_id=target_id)
    }
    moves: list[Assignment] = []
    already: list[Assignment] = []
    for assignment in await current_assignments(session=session, person_id=source_id):
        key = (
            assignment.role_key,
            assignment.system.id if assignment.system else None,
            assignment.org_unit,
        )
        (already if key in held else moves).append(assignment)
    return Handover(_person(source, units), _person(target, units), tuple(moves), tuple(already))


async def apply_handover(
    *, session: AsyncSession, source_id: int, target_id: int, actor: str, source: str = "chat"
) -> Handover:
    """Move every current role of `source_id` to `target_id`; ends the old assignments."""
    plan = await plan_handover(session=session, source_id=source_id, target_id=target_id)
    for assignment in (*plan.moves, *plan.already_held):
        await end_assignment(
            session=session, assignment_id=assignment.id, actor=actor, source=source
        )
    for assignment in plan.moves:
        await set_assignment(
            session=session,
            person_id=target_id,
            role_key=assignment.role_key,
            system_id=assignment.system.id if assignment.system else None,
            org_unit=assignment.org_unit,
            actor=actor,
            source=source,
        )
    await record_change(
        session=session,
        actor=actor,
        action="handover",
        entity="person",
        entity_id=source_id,
        before={"roles": [a.id for a in (*plan.moves, *plan.already_held)]},
        after={"to_person_id": target_id},
        source=source,
    )
    return plan


# --- import -----------------------------------------------------------------------------


async def apply_import(
    *,
    session: AsyncSession,
    rows: Sequence[ImportRow],
    actor: str,
    replace: bool = False,
    source: str = "import",
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Apply validated rows: new people, systems and assignments are added, known ones kept.

    Re-applying the same rows changes nothing; `replace` ends current assignments absent from
    `rows`. Run it inside a transaction the caller rolls back for a dry run.
    """
    now = utcnow()
    units = {name: uid for uid, name in (await _units(session)).items()}

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
    systems = {name_key(row.name): row for row in await session.scalars(select(ItSystem))}
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
            key = name_key(row.system)
            system = systems.get(key)
            if system is None:
                system = ItSystem(name=row.system.strip(), aliases=[])
                session.add(system)
                systems[key] = system
                systems_added += 1
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
            if key not in seen:
                before = _audit_view(assignment)
                assignment.valid_to = now
                audit.append(
                    _import_audit(
                        actor, "end", assignment.id, before, _audit_view(assignment), source, now
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
    after = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in after.items()}
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


# --- export -----------------------------------------------------------------------------


async def export_rows(*, session: AsyncSession, pack: Pack) -> list[dict[str, str]]:
    """Every current assignment as a row of the import format (EXPORT_COLUMNS)."""
    units = await _units(session)
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


def role_order(pack: Pack) -> dict[str, int]:
    """Catalogue position of each role key, for listing roles in a stable, sensible order."""
    return {role.key: i for i, role in enumerate(pack.roles)}


def distinct(values: Iterable[str]) -> list[str]:
    """`values` without repeats, in first-seen order."""
    return list(dict.fromkeys(values))


# --- personal data (storage.personal_data lists these) ------------------------------------


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
    return 1


async def _export_roles(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    if subject.person_id is None:
        return []
    rows = await session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.person_id == subject.person_id)
        .order_by(RoleAssignment.valid_from)
    )
    return [
        {
            "role": row.role_key,
            "system_id": row.system_id,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
            "source": row.source,
        }
        for row in rows
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
    return int(result.rowcount or 0)


PERSONAL_DATA = (
    PersonalData(
        "person",
        (Person.name, Person.email, Person.aad_object_id),
        export=_export_person,
        erase=_erase_person,
    ),
    PersonalData("roles", (RoleAssignment.person_id,), export=_export_roles, erase=_erase_roles),
)
