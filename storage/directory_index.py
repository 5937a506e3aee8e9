"""The directory's lookup index: a read-only snapshot in memory, rebuilt when the directory changes.

The database stays the truth. Lookups check the directory's change token (one primary-key
read, at most once a second, and at once after this process's own writes); a different token
means someone (this process, another `govbot serve`, or `govbot import roles`) changed the
directory, and the snapshot is rebuilt. The snapshot belongs to the `Database` object (see
DirectorySnapshots), never to a session, an engine or the process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.name_index import NameHit, NameIndex
from storage.directory import (
    SNAPSHOTS_KEY,
    Assignment,
    PersonInfo,
    SystemInfo,
    UnitInfo,
    directory_token,
    system_info,
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


# How stale another process's change may be before this process sees it.
TOKEN_CHECK_SECONDS = 1.0


class DirectorySnapshots:
    """One database's current directory snapshot in this process, and how fresh it is known to be.

    The `Database` the app holds owns one and hands it to each of its sessions (`session.info`),
    so every turn on that database shares the snapshot and nothing is kept per engine or process.
    `wrote` counts this database's own directory writes: a lookup after one re-reads the token at
    once. `after_build` runs after each rebuild (the app factory decides what, e.g. freezing the
    snapshot out of the garbage collector's scans).
    """

    def __init__(self, *, after_build: Callable[[], None] | None = None) -> None:
        self.after_build = after_build
        self._index: DirectoryIndex | None = None
        self._writes = 0
        self._checked: tuple[float, int] | None = None  # (when, writes then)
        self._lock = asyncio.Lock()

    def wrote(self) -> None:
        """Note a directory write through this database (its lookups re-read the token)."""
        self._writes += 1

    async def current(self, session: AsyncSession) -> DirectoryIndex:
        """The snapshot, rebuilt first if the directory changed.

        The token is read at most every TOKEN_CHECK_SECONDS (a database round trip costs more
        than a lookup); this database's own writes are seen at once, other processes' within
        that time.
        """
        index, checked = self._index, self._checked
        if (
            index is not None
            and checked is not None
            and checked[1] == self._writes
            and time.monotonic() - checked[0] < TOKEN_CHECK_SECONDS
        ):
            return index
        writes = self._writes
        token = await directory_token(session=session)
        self._checked = (time.monotonic(), writes)
        if self._index is not None and self._index.token == token:
            return self._index
        async with self._lock:
            if self._index is not None and self._index.token == token:
                return self._index
            index = await build_index(session=session, token=token)
            # Safe even when built inside an uncommitted write: its token is random and is only
            # ever seen again if that write commits.
            self._index = index
            if self.after_build is not None:
                self.after_build()
            return index


def snapshots_of(session: AsyncSession) -> DirectorySnapshots | None:
    """The snapshots of the database `session` came from (None for a session of no Database)."""
    return session.info.get(SNAPSHOTS_KEY)


async def directory_index(*, session: AsyncSession) -> DirectoryIndex:
    """The lookup index for the session's database, rebuilt if the directory changed."""
    snapshots = snapshots_of(session)
    if snapshots is None:  # nothing to keep it in: a snapshot for this caller alone
        return await build_index(session=session, token=await directory_token(session=session))
    return await snapshots.current(session)


async def build_index(*, session: AsyncSession, token: str) -> DirectoryIndex:
    """Read the whole current directory into a new snapshot."""
    units = {uid: name for uid, name in await session.execute(select(OrgUnit.id, OrgUnit.name))}
    systems = {
        row.id: system_info(row, units)
        for row in (
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
    }
    people = {
        row.id: PersonInfo(
            id=row.id,
            name=row.name,
            email=row.email,
            org_unit=units.get(row.org_unit_id) if row.org_unit_id else None,
            aad_object_id=row.aad_object_id,
        )
        for row in (
            await session.execute(
                select(
                    Person.id, Person.name, Person.email, Person.org_unit_id, Person.aad_object_id
                ).where(Person.anonymised.is_(False))
            )
        ).all()
    }
    rows = (
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
    assignments = [
        Assignment(
            id=row.id,
            role_key=row.role_key,
            person=people[row.person_id],
            system=systems.get(row.system_id) if row.system_id else None,
            org_unit=units.get(row.org_unit_id) if row.org_unit_id else None,
            valid_from=row.valid_from,
            valid_to=None,
            source=row.source,
        )
        for row in rows
        if row.person_id in people
    ]
    return DirectoryIndex(token, systems, people, assignments, units)
