"""From what was read in KITOS to import rows: each role holder matched to one directory person
(by e-mail, then by a unique name), or a conflict; role types the mapping does not name counted."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.kitos.reading import KitosRead, name_of, uuid_of
from knowledge.kitos_roles import KitosRoleMapping
from knowledge.text import name_key
from storage.directory_apply import ImportRow
from storage.identity import clean_email
from storage.models import Person

CONTRACT_REF = "kitos:contract="


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
        return {**asdict(self), "candidates": list(self.candidates)}


@dataclass(frozen=True)
class UnmappedRole:
    """A KITOS role type the mapping does not name, and how many assignments it had."""

    uuid: str
    name: str
    assignments: int

    def as_dict(self) -> dict[str, Any]:
        """The role as stored with the run."""
        return asdict(self)


class People:
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

    def __init__(self, read: KitosRead, people: People, mapping: KitosRoleMapping) -> None:
        self._read = read
        self._people = people
        self._mapping = mapping
        self.rows: list[ImportRow] = []
        self.conflicts: list[Conflict] = []
        self._unmapped: dict[str, list[Any]] = {}
        types = {uuid_of(t, "a role type"): name_of(t) for t in read.role_types}
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


def plan_rows(
    read: KitosRead, people: People, mapping: KitosRoleMapping
) -> tuple[list[ImportRow], list[Conflict], list[UnmappedRole]]:
    """The import rows for what was read, the conflicts, and the unmapped role types."""
    planner = _Planner(read, people, mapping)
    names: dict[str, str] = {}
    for usage in read.usages:
        usage_uuid = uuid_of(usage, "a system usage")
        system = name_of(usage.get("systemContext")) or usage_uuid
        names[usage_uuid] = system
        if usage_uuid in read.deleted:
            continue
        alias = str((usage.get("general") or {}).get("localCallName") or "").strip()
        aliases = (alias,) if alias and name_key(alias) != name_key(system) else ()
        unit = name_of((usage.get("organizationUsage") or {}).get("responsibleOrganizationUnit"))
        for assignment in usage.get("roles") or ():
            role = assignment.get("role") or {}
            keys = planner.roles(uuid_of(role, "a role"), name_of(role))
            if keys is None:
                continue
            user = assignment.get("user") or {}
            user_uuid = uuid_of(user, "a role holder")
            planner.holder(
                keys, user_uuid, name_of(user), usage_uuid, system,
                f"kitos:usage={usage_uuid};user={user_uuid}", aliases=aliases, unit=unit or None,
            )  # fmt: skip
    for contract in read.contracts:
        contract_uuid = uuid_of(contract, "a contract")
        if contract_uuid in read.deleted_contracts:
            continue
        covered = [
            (uuid_of(u, "a contract's system usage"), name_of(u))
            for u in contract.get("systemUsages") or ()
        ]
        for assignment in contract.get("roles") or ():
            role_uuid = uuid_of(assignment.get("roleUuid"), "a contract role")
            keys = planner.roles(role_uuid, read.contract_role_types.get(role_uuid, ""))
            if keys is None:
                continue
            user_uuid = uuid_of(assignment.get("userUuid"), "a contract role holder")
            for usage_uuid, name in covered:
                if usage_uuid not in read.deleted:
                    system = names.get(usage_uuid) or name or usage_uuid
                    planner.holder(
                        keys, user_uuid, "", usage_uuid, system,
                        f"{CONTRACT_REF}{contract_uuid};user={user_uuid}",
                    )  # fmt: skip
    return planner.rows, planner.conflicts, planner.unmapped()
