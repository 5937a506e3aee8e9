"""Reading KITOS: every system usage, contract and deletion changed since the last run's marks,
the role types, and the users who hold the roles, before anything is applied."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.kitos.client import KitosClient, KitosError, format_time, parse_time

USAGES = "ItSystemUsage"
CONTRACTS = "ItContract"
DELETIONS = "DeletedItSystemUsage"

Progress = Callable[[str, int], object]


@dataclass
class KitosRead:
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


def uuid_of(value: Any, what: str) -> str:
    """The lower-case uuid of a KITOS object (or a bare uuid); KitosError when it has none."""
    if isinstance(value, dict):
        value = value.get("uuid")
    if not isinstance(value, str) or not value:
        raise KitosError(f"KITOS sent {what} without a uuid")
    return value.lower()


def name_of(value: Any) -> str:
    """The name of a KITOS object, "" when it has none."""
    return str(value.get("name") or "").strip() if isinstance(value, dict) else ""


async def read_kitos(
    client: KitosClient,
    cvr: str,
    marks: dict[str, datetime],
    full: bool,
    progress: Progress | None,
) -> tuple[str, KitosRead]:
    """The organisation's uuid and everything changed since `marks` (everything when `full`)."""
    organizations = await client.get("api/v2/organizations", {"cvrContent": cvr})
    if not isinstance(organizations, list) or not organizations:
        raise KitosError(f"KITOS knows no organisation with CVR {cvr} that the API user may read")
    match = [o for o in organizations if isinstance(o, dict) and o.get("cvr") == cvr]
    organization = uuid_of((match or organizations)[0], "an organisation")
    read = KitosRead()
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
        read.contract_role_types[uuid_of(role_type, "a contract role type")] = name_of(role_type)
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
                deleted.add(uuid_of(event.get("entityUuid"), "a deletion"))
                when = parse_time(event.get("occurredAtUtc"))
                if when and (read.deletion_mark is None or when > read.deletion_mark):
                    read.deletion_mark = when
    wanted = {
        uuid_of(role.get("user"), "a role holder")
        for usage in read.usages
        for role in usage.get("roles") or ()
    } | {
        uuid_of(role.get("userUuid"), "a contract role holder")
        for contract in read.contracts
        for role in contract.get("roles") or ()
    }
    if full:
        async for page in client.pages(f"api/v2/organizations/{organization}/users", {}):
            for user in page:
                read.users[uuid_of(user, "a user")] = user
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
            uuid_of(item, path)
            changed = parse_time(item.get("lastModified"))
            if changed and (newest is None or changed > newest):
                newest = changed
        items.extend(page)
        if progress is not None:
            progress(len(page))
    return items, newest
