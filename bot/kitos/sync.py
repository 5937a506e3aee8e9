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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kitos.client import KitosClient, KitosError, format_time, parse_time
from knowledge.kitos_roles import KitosRoleMapping
from knowledge.text import name_key
from storage.db import Database
from storage.directory import KITOS_SOURCE
from storage.directory_apply import ImportRow, apply_import
from storage.identity import clean_email
from storage.kitos_runs import (
    high_water_marks,
    kitos_holders,
    record_run,
    set_high_water,
    systems_by_kitos_uuid,
)
from storage.models import Person, RoleAssignment
from storage.models.base import utcnow

USAGES = "ItSystemUsage"
CONTRACTS = "ItContract"
DELETIONS = "DeletedItSystemUsage"
CONTRACT_REF = "kitos:contract="
ACTOR = "kitos"

Progress = Callable[[str, int], object]


@dataclass(frozen=True)
class Conflict:
    """A KITOS role holder who cannot be matched to one directory person."""

    usage_uuid: str
    system: str
    user_uuid: str
    user_name: str
    reason: str  # "no_email_no_match" or "no_email_ambiguous"
    candidates: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The conflict as stored with the run."""
        return {
            "usage_uuid": self.usage_uuid,
            "system": self.system,
            "user_uuid": self.user_uuid,
            "user_name": self.user_name,
            "reason": self.reason,
            "candidates": list(self.candidates),
        }


@dataclass(frozen=True)
class UnmappedRole:
    """A KITOS role type the mapping does not name, and how many assignments it had."""

    uuid: str
    name: str
    assignments: int

    def as_dict(self) -> dict[str, Any]:
        """The role as stored with the run."""
        return {"uuid": self.uuid, "name": self.name, "assignments": self.assignments}


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
            "systems": self.systems,
            "deleted": self.deleted,
            "added": self.added,
            "changed": self.changed,
            "ended": self.ended,
            "people_added": self.people_added,
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


@dataclass
class _Read:
    """What was read from KITOS before anything is applied."""

    usages: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[dict[str, Any]] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)
    deleted_contracts: set[str] = field(default_factory=set)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    role_types: list[dict[str, Any]] = field(default_factory=list)
    contract_role_types: dict[str, str] = field(default_factory=dict)  # uuid → name
    usage_mark: datetime | None = None
    contract_mark: datetime | None = None
    deletion_mark: datetime | None = None


def _uuid(value: Any, what: str) -> str:
    if isinstance(value, dict):
        value = value.get("uuid")
    if not isinstance(value, str) or not value:
        raise KitosError(f"KITOS sent {what} without a uuid")
    return value.lower()


def _name(value: Any) -> str:
    return str(value.get("name") or "").strip() if isinstance(value, dict) else ""


async def _read(
    client: KitosClient,
    cvr: str,
    marks: dict[str, datetime],
    full: bool,
    progress: Progress | None,
) -> tuple[str, _Read]:
    organizations = await client.get("api/v2/organizations", {"cvrContent": cvr})
    if not isinstance(organizations, list) or not organizations:
        raise KitosError(f"KITOS knows no organisation with CVR {cvr} that the API user may read")
    match = [o for o in organizations if isinstance(o, dict) and o.get("cvr") == cvr]
    organization = _uuid((match or organizations)[0], "an organisation")
    read = _Read()
    types = await client.get(
        "api/v2/it-system-usage-role-types", {"organizationUuid": organization}
    )
    read.role_types = [t for t in types if isinstance(t, dict)] if isinstance(types, list) else []
    read.usages, read.usage_mark = await _changed_since(
        client, "api/v2/it-system-usages", organization, None if full else marks.get(USAGES),
        lambda n: progress("usages", n) if progress else None,
    )  # fmt: skip
    types = await client.get("api/v2/it-contract-role-types", {"organizationUuid": organization})
    for role_type in types if isinstance(types, list) else ():
        read.contract_role_types[_uuid(role_type, "a contract role type")] = _name(role_type)
    read.contracts, read.contract_mark = await _changed_since(
        client, "api/v2/it-contracts", organization, None if full else marks.get(CONTRACTS)
    )
    deleted_since = marks.get(DELETIONS) or (None if full else marks.get(USAGES))
    if deleted_since is not None:
        feed = {"deletedSinceUTC": format_time(deleted_since)}
        async for page in client.pages("api/v2/delta-feed/deleted-entities", feed):
            for event in page:
                kind = event.get("entityType")
                if kind not in (USAGES, CONTRACTS):
                    continue
                deleted = read.deleted if kind == USAGES else read.deleted_contracts
                deleted.add(_uuid(event.get("entityUuid"), "a deletion"))
                when = parse_time(event.get("occurredAtUtc"))
                if when and (read.deletion_mark is None or when > read.deletion_mark):
                    read.deletion_mark = when
    wanted = {
        _uuid(role.get("user"), "a role holder")
        for usage in read.usages
        for role in usage.get("roles") or ()
    } | {
        _uuid(role.get("userUuid"), "a contract role holder")
        for contract in read.contracts
        for role in contract.get("roles") or ()
    }
    if full:
        async for page in client.pages(f"api/v2/organizations/{organization}/users", {}):
            for user in page:
                read.users[_uuid(user, "a user")] = user
            if progress is not None:
                progress("users", len(page))
    for user_uuid in sorted(wanted - read.users.keys()):
        user = await client.get(f"api/v2/organizations/{organization}/users/{user_uuid}")
        if isinstance(user, dict):
            read.users[user_uuid] = user
    return organization, read


async def _changed_since(
    client: KitosClient,
    path: str,
    organization: str,
    since: datetime | None,
    progress: Callable[[int], object] | None = None,
) -> tuple[list[dict[str, Any]], datetime | None]:
    """Every item of a list endpoint changed since `since` (all when None), and the newest
    lastModified among them: the next run's mark."""
    params: dict[str, Any] = {"organizationUuid": organization}
    if since is not None:
        params["changedSinceGtEq"] = format_time(since)
    items: list[dict[str, Any]] = []
    newest: datetime | None = None
    async for page in client.pages(path, params):
        for item in page:
            _uuid(item, path)
            changed = parse_time(item.get("lastModified"))
            if changed and (newest is None or changed > newest):
                newest = changed
        items.extend(page)
        if progress is not None:
            progress(len(page))
    return items, newest


class _People:
    """Directory people by e-mail and by normalised name, for matching KITOS users."""

    def __init__(self, people: list[Person]) -> None:
        self.by_email = {p.email: p for p in people if not p.anonymised}
        self.by_name: dict[str, list[Person]] = {}
        for person in self.by_email.values():
            self.by_name.setdefault(name_key(person.name), []).append(person)

    def match(self, name: str, email: str) -> tuple[str, str] | tuple[None, str]:
        """(email, name) of the person to use, or (None, conflict reason)."""
        if email and email in self.by_email:
            return email, self.by_email[email].name
        found = self.by_name.get(name_key(name), []) if name else []
        if len(found) == 1:
            return found[0].email, found[0].name
        if email:
            return email, name  # a new person, created by the import
        return None, "no_email_ambiguous" if found else "no_email_no_match"


class _Planner:
    """Turns what was read into import rows; collects conflicts and unmapped role types."""

    def __init__(self, read: _Read, people: _People, mapping: KitosRoleMapping) -> None:
        self._read = read
        self._people = people
        self._mapping = mapping
        self.rows: list[ImportRow] = []
        self.conflicts: list[Conflict] = []
        self._unmapped: dict[str, list[Any]] = {}
        types = {_uuid(t, "a role type"): _name(t) for t in read.role_types}
        for uuid, name in (*types.items(), *read.contract_role_types.items()):
            if mapping.roles_for(uuid, name) is None:
                self._unmapped.setdefault(uuid, [name, 0])

    def unmapped(self) -> list[UnmappedRole]:
        """Every KITOS role type without a mapping, with the assignments it had."""
        return [UnmappedRole(u, name, n) for u, (name, n) in sorted(self._unmapped.items())]

    def roles(self, uuid: str, name: str) -> tuple[str, ...] | None:
        """The govbot roles of a KITOS role type; None (and counted) when unmapped."""
        keys = self._mapping.roles_for(uuid, name)
        if keys is None:
            self._unmapped.setdefault(uuid, [name, 0])[1] += 1
        return keys

    def holder(
        self, role_keys: tuple[str, ...], user_uuid: str, fallback_name: str, usage_uuid: str,
        system: str, source_ref: str, *, aliases: tuple[str, ...] = (), unit: str | None = None,
    ) -> None:  # fmt: skip
        """Rows for one KITOS user holding `role_keys` on one system, or one conflict."""
        user = self._read.users.get(user_uuid, {})
        user_name = str(user.get("name") or fallback_name).strip()
        email, found = self._people.match(user_name, clean_email(str(user.get("email") or "")))
        if email is None:
            same_name = self._people.by_name.get(name_key(user_name), [])
            self.conflicts.append(
                Conflict(
                    usage_uuid,
                    system,
                    user_uuid,
                    user_name,
                    found,
                    tuple(p.name for p in same_name),
                )
            )
            return
        self.rows.extend(
            ImportRow(
                line=0,
                role_key=role_key,
                name=found,
                email=email,
                system=system,
                aliases=aliases,
                system_org_unit=unit,
                system_kitos_uuid=usage_uuid,
                source_ref=source_ref,
            )
            for role_key in role_keys
        )


def _plan_rows(
    read: _Read, people: _People, mapping: KitosRoleMapping
) -> tuple[list[ImportRow], list[Conflict], list[UnmappedRole]]:
    planner = _Planner(read, people, mapping)
    names: dict[str, str] = {}
    for usage in read.usages:
        usage_uuid = _uuid(usage, "a system usage")
        system = _name(usage.get("systemContext")) or usage_uuid
        names[usage_uuid] = system
        if usage_uuid in read.deleted:
            continue
        alias = str((usage.get("general") or {}).get("localCallName") or "").strip()
        aliases = (alias,) if alias and name_key(alias) != name_key(system) else ()
        unit = _name((usage.get("organizationUsage") or {}).get("responsibleOrganizationUnit"))
        for assignment in usage.get("roles") or ():
            role = assignment.get("role") or {}
            keys = planner.roles(_uuid(role, "a role"), _name(role))
            if keys is None:
                continue
            user = assignment.get("user") or {}
            user_uuid = _uuid(user, "a role holder")
            planner.holder(
                keys, user_uuid, _name(user), usage_uuid, system,
                f"kitos:usage={usage_uuid};user={user_uuid}", aliases=aliases, unit=unit or None,
            )  # fmt: skip
    for contract in read.contracts:
        contract_uuid = _uuid(contract, "a contract")
        if contract_uuid in read.deleted_contracts:
            continue
        covered = [
            (_uuid(u, "a contract's system usage"), _name(u))
            for u in contract.get("systemUsages") or ()
        ]
        for assignment in contract.get("roles") or ():
            role_uuid = _uuid(assignment.get("roleUuid"), "a contract role")
            keys = planner.roles(role_uuid, read.contract_role_types.get(role_uuid, ""))
            if keys is None:
                continue
            user_uuid = _uuid(assignment.get("userUuid"), "a contract role holder")
            for usage_uuid, name in covered:
                if usage_uuid not in read.deleted:
                    system = names.get(usage_uuid) or name or usage_uuid
                    planner.holder(
                        keys, user_uuid, "", usage_uuid, system,
                        f"{CONTRACT_REF}{contract_uuid};user={user_uuid}",
                    )  # fmt: skip
    return planner.rows, planner.conflicts, planner.unmapped()


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
        _organization, read = await _read(client, cvr, marks, full, progress)
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
    read: _Read,
    mapping: KitosRoleMapping,
    full: bool,
    dry_run: bool,
    started: datetime,
    clock: float,
    progress: Progress | None,
) -> SyncReport:
    people = _People(list(await session.scalars(select(Person))))
    rows, conflicts, unmapped = _plan_rows(read, people, mapping)
    known = await systems_by_kitos_uuid(session=session)
    touched = {u for u in (*(_uuid(x, "") for x in read.usages), *read.deleted)}
    usage_scope = {known[u] for u in touched if u in known}
    deleted_scope = {known[u] for u in read.deleted if u in known}
    contract_scope = {_uuid(c, "") for c in read.contracts} | read.deleted_contracts
    covered = {_uuid(u, "") for c in read.contracts for u in c.get("systemUsages") or () if u}
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
        systems=len([u for u in read.usages if _uuid(u, "") not in read.deleted]),
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
