"""The directory's lookup index: a read-only snapshot of the directory, with fast name matching.

Building one has two halves: `read_directory` reads the current rows (database I/O, on the
event loop) and `index_from_rows` turns them into the index (pure CPU, fit for a worker
thread). When a snapshot is built and swapped is `storage.directory_snapshots`' business.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from sys import intern
from typing import Literal

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.name_index import NameHit, NameIndex
from storage.directory import (
    Assignment,
    PersonInfo,
    SystemInfo,
    UnitInfo,
    unit_name,
)
from storage.models import ItSystem, OrgUnit, Person, RoleAssignment

# A system name scoring this well, with no rival close behind, is taken as meant.
SURE = 85.0
# Rivals within this many points make the answer ambiguous.
RIVAL_GAP = 6.0
# Names this close are offered as "did you mean", never answered.
CLOSE = 75.0

SystemOutcome = Literal["found", "ambiguous", "unknown"]


@dataclass(frozen=True)
class SystemSearch:
    """What a system name in a question refers to."""

    query: str
    outcome: SystemOutcome
    systems: tuple[SystemInfo, ...] = ()  # one when found, the candidates when ambiguous
    suggestions: tuple[SystemInfo, ...] = ()  # close names when unknown
    exact: bool = False


@dataclass(frozen=True)
class PersonSearch:
    """Who a name or email in a question refers to."""

    query: str
    people: tuple[PersonInfo, ...]

    @property
    def person(self) -> PersonInfo | None:
        """The one person meant, when the name is unambiguous."""
        return self.people[0] if len(self.people) == 1 else None


class DirectoryIndex:
    """An immutable snapshot of the current directory with fast name matching."""

    def __init__(
        self,
        token: str,
        systems: dict[int, SystemInfo],
        people: dict[int, PersonInfo],
        assignments: Iterable[Assignment],
        units: dict[int, str] | None = None,
    ) -> None:
        self.token = token
        self._units = dict(units or {})
        self._systems = systems
        self._people = people
        self._by_system: dict[int | None, list[Assignment]] = {}
        self._by_person: dict[int, list[Assignment]] = {}
        for assignment in assignments:
            system_id = assignment.system.id if assignment.system else None
            self._by_system.setdefault(system_id, []).append(assignment)
            self._by_person.setdefault(assignment.person.id, []).append(assignment)
        self._system_names: NameIndex[int] = NameIndex(
            (s.id, (s.name, *s.aliases)) for s in systems.values()
        )
        self._person_names: NameIndex[int] = NameIndex((p.id, (p.name,)) for p in people.values())
        self._emails = {p.email: p.id for p in people.values()}
        self._unit_names: NameIndex[int] = NameIndex(
            (uid, (name,)) for uid, name in self._units.items()
        )

    @property
    def system_names(self) -> NameIndex[int]:
        """System names and aliases, by system id: for finding systems inside a sentence."""
        return self._system_names

    @property
    def person_names(self) -> NameIndex[int]:
        """People's full names, by person id."""
        return self._person_names

    def find_system(self, query: str) -> SystemSearch:
        """The system `query` names: found, ambiguous between several, or unknown."""
        hits = self._system_names.search(query, limit=8, cutoff=min(CLOSE, SURE))
        if not hits:
            return SystemSearch(query, "unknown")
        exact = [h for h in hits if h.score >= 100.0]
        if len(exact) == 1:
            return SystemSearch(query, "found", (self._systems[exact[0].key],), exact=True)
        if len(exact) > 1:
            return SystemSearch(query, "ambiguous", self._infos(exact))
        top = hits[0]
        rivals = [h for h in hits[1:] if h.score >= top.score - RIVAL_GAP and h.score >= SURE]
        if top.score >= SURE and not rivals:
            return SystemSearch(query, "found", (self._systems[top.key],))
        if top.score >= SURE:
            return SystemSearch(query, "ambiguous", self._infos([top, *rivals]))
        return SystemSearch(query, "unknown", suggestions=self._infos(hits[:3]))

    def _infos(self, hits: list[NameHit[int]]) -> tuple[SystemInfo, ...]:
        return tuple(self._systems[h.key] for h in hits)

    def find_people(self, query: str) -> PersonSearch:
        """People named `query` (an email, a full name or a first name), best first."""
        email_id = self._emails.get(query.strip().lower())
        if email_id is not None:
            return PersonSearch(query, (self._people[email_id],))
        hits = self._person_names.search(query, limit=10, cutoff=85.0)
        if not hits:
            return PersonSearch(query, ())
        top = hits[0].score
        close = [h for h in hits if h.score >= top - RIVAL_GAP]
        return PersonSearch(query, tuple(self._people[h.key] for h in close))

    def find_unit(self, query: str) -> UnitInfo | None:
        """The organisational unit `query` names, when one is meant without doubt."""
        hits = self._unit_names.search(query, limit=3, cutoff=SURE)
        if not hits:
            return None
        top = hits[0]
        rivals = [h for h in hits[1:] if h.score >= top.score - RIVAL_GAP]
        if rivals and top.score < 100.0:
            return None
        return UnitInfo(top.key, self._units[top.key])

    @property
    def system_count(self) -> int:
        """How many systems the directory holds."""
        return len(self._systems)

    def best_known_systems(self, limit: int) -> list[SystemInfo]:
        """The `limit` systems with the most role holders (the ones people ask about), by name
        among equals: examples for someone who does not know what to ask."""
        ranked = sorted(
            self._systems.values(),
            key=lambda s: (-len(self._by_system.get(s.id, ())), s.name.casefold()),
        )
        return ranked[:limit]

    def holders(self, role_keys: Iterable[str], system_id: int | None = None) -> list[Assignment]:
        """Current holders of any of `role_keys` for a system (None: organisation-wide)."""
        wanted = set(role_keys)
        return [a for a in self._by_system.get(system_id, ()) if a.role_key in wanted]

    def system_roles(self, system_id: int) -> list[Assignment]:
        """Every current assignment for a system."""
        return list(self._by_system.get(system_id, ()))

    def roles_of(self, person_id: int) -> list[Assignment]:
        """Every current assignment of a person."""
        return list(self._by_person.get(person_id, ()))


@dataclass(frozen=True)
class DirectoryRows:
    """The current directory as read from the database, before it is indexed."""

    units: Sequence[Row[int, str]]
    systems: Sequence[Row[int, str, list[str], str | None, int | None, str, str | None]]
    people: Sequence[Row[int, str, str, int | None, str | None]]
    assignments: Sequence[Row[int, str, int, int | None, int | None, datetime, str]]


async def read_directory(*, session: AsyncSession) -> DirectoryRows:
    """Every unit, system, (not anonymised) person and current assignment, as plain rows."""
    units = (await session.execute(select(OrgUnit.id, OrgUnit.name))).all()
    systems = (
        await session.execute(
            select(
                ItSystem.id,
                ItSystem.name,
                ItSystem.aliases,
                ItSystem.vendor,
                ItSystem.org_unit_id,
                ItSystem.lifecycle_status,
                ItSystem.kitos_uuid,
            )
        )
    ).all()
    people = (
        await session.execute(
            select(
                Person.id, Person.name, Person.email, Person.org_unit_id, Person.aad_object_id
            ).where(Person.anonymised.is_(False))
        )
    ).all()
    assignments = (
        await session.execute(
            select(
                RoleAssignment.id,
                RoleAssignment.role_key,
                RoleAssignment.person_id,
                RoleAssignment.system_id,
                RoleAssignment.org_unit_id,
                RoleAssignment.valid_from,
                RoleAssignment.source,
            )
            .where(RoleAssignment.valid_to.is_(None))
            .order_by(RoleAssignment.id)
        )
    ).all()
    return DirectoryRows(units, systems, people, assignments)


def index_from_rows(token: str, rows: DirectoryRows) -> DirectoryIndex:
    """The index of `rows`, labelled with the change token they were read at (pure CPU).

    The records are built from the rows' columns by position (the order `read_directory`
    selects them in): tens of thousands of them, where looking each field up by name took
    most of the build. Role keys, sources, vendors and statuses repeat across thousands of
    rows, each read as a string of its own; the index keeps one of each (interned).
    """
    units: dict[int, str] = {uid: name for uid, name in rows.units}
    systems = {
        sid: SystemInfo(
            id=sid,
            name=name,
            aliases=tuple(aliases or ()),
            vendor=intern(vendor) if vendor else vendor,
            org_unit=unit_name(unit, units),
            lifecycle_status=intern(status),
            kitos_uuid=kitos_uuid,
        )
        for sid, name, aliases, vendor, unit, status, kitos_uuid in rows.systems
    }
    people = {
        pid: PersonInfo(
            id=pid,
            name=name,
            email=email,
            org_unit=unit_name(unit, units),
            aad_object_id=aad_object_id,
        )
        for pid, name, email, unit, aad_object_id in rows.people
    }
    assignments = [
        Assignment(
            id=aid,
            role_key=intern(role_key),
            person=people[person_id],
            system=systems.get(system_id) if system_id else None,
            org_unit=unit_name(unit, units),
            valid_from=valid_from,
            valid_to=None,
            source=intern(source),
        )
        for aid, role_key, person_id, system_id, unit, valid_from, source in rows.assignments
        if person_id in people
    ]
    return DirectoryIndex(token, systems, people, assignments, units)
