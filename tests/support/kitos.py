"""A stand-in KITOS on loopback: the API v2 endpoints the sync reads, with KITOS' own shapes
(camelCase, as the V2 response DTOs in os2kitos/kitos serialise them), 0-based paging with
pageSize 1–250, the changedSinceGtEq filter, the deleted-entities delta feed, a 24-hour JWT
from api/authorize/GetToken, and switches for what goes wrong: tokens expiring, 429 with
Retry-After, and the whole service answering 503 from some request on.
"""

from __future__ import annotations

import itertools
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from tests.support.loopback import serve_on_loopback

ORG_UUID = "7c0e4b5a-1f2d-4c7e-9a11-0000000000aa"
CVR = "29189919"
API_EMAIL = "govbot-api@kommune.dk"
API_PASSWORD = "hemmeligt-api-kodeord"
ROLE_TYPES = {
    "Systemejer": "0e8a3f1c-0000-4000-8000-000000000001",
    "Systemansvarlig": "0e8a3f1c-0000-4000-8000-000000000002",
    "Superbruger": "0e8a3f1c-0000-4000-8000-000000000003",
    "Dataejer": "0e8a3f1c-0000-4000-8000-000000000004",
    "Kaffeansvarlig": "0e8a3f1c-0000-4000-8000-000000000099",  # in no mapping
}
CONTRACT_ROLE_TYPES = {
    "Kontraktejer": "5b1c2d3e-0000-4000-8000-000000000001",
    "Kontraktmanager": "5b1c2d3e-0000-4000-8000-000000000002",
}


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _pair(uuid: str, name: str) -> dict[str, str]:
    return {"uuid": uuid, "name": name}


@dataclass
class StandInKitos:
    """The stand-in's data and its failure switches; `url` once started."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    usages: dict[str, dict[str, Any]] = field(default_factory=dict)
    contracts: dict[str, dict[str, Any]] = field(default_factory=dict)
    deletions: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    throttle: int = 0  # this many coming API requests get 429
    retry_after: str = "7"
    down_from: int | None = None  # the API request number from which everything is 503
    expire_at: str | None = None  # the first request to this path finds every token expired
    valid_tokens: set[str] = field(default_factory=set)
    tokens_issued: int = 0
    url: str = ""
    _runner: web.AppRunner | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # --- data the tests set up ----------------------------------------------------------

    def tick(self, minutes: int = 1) -> datetime:
        """Move the stand-in's clock on (lastModified and deletions are stamped with it)."""
        self.now += timedelta(minutes=minutes)
        return self.now

    def _uuid(self, kind: int) -> str:
        return str(uuidlib.UUID(int=(kind << 64) + next(self._ids)))

    def add_user(self, name: str, email: str | None) -> str:
        """A KITOS user (email may be empty: KITOS allows users without one for roles)."""
        user_uuid = self._uuid(1)
        first, _, last = name.partition(" ")
        self.users[user_uuid] = {
            "uuid": user_uuid,
            "name": name,
            "firstName": first,
            "lastName": last,
            "email": email or "",
            "phoneNumber": None,
            "apiAccess": False,
            "roles": ["User"],
        }
        return user_uuid

    def add_usage(
        self, system: str, roles: list[tuple[str, str]], *, unit: str | None = None,
        local_name: str | None = None,
    ) -> str:  # fmt: skip
        """A system usage with (role type name, user uuid) pairs; returns the usage uuid."""
        usage_uuid = self._uuid(2)
        unit_ref = _pair(self._uuid(3), unit) if unit else None
        self.usages[usage_uuid] = {
            "uuid": usage_uuid,
            "createdBy": _pair(self._uuid(4), "Lokal Admin"),
            "lastModified": _iso(self.now),
            "lastModifiedBy": _pair(self._uuid(4), "Lokal Admin"),
            "systemContext": _pair(self._uuid(5), system),
            "organizationContext": {"uuid": ORG_UUID, "name": "Rebild Kommune", "cvr": CVR},
            "general": {
                "localCallName": local_name,
                "localSystemId": None,
                "systemVersion": None,
                "notes": None,
                "numberOfExpectedUsers": None,
                "validity": {"valid": True, "lifeCycleStatus": "Operational"},
                "mainContract": None,
                "associatedProjects": [],
                "containsAITechnology": None,
            },
            "roles": [],
            "organizationUsage": {
                "usingOrganizationUnits": [unit_ref] if unit_ref else [],
                "responsibleOrganizationUnit": unit_ref,
            },
            "localKLEDeviations": {"addedKLE": [], "removedKLE": []},
            "externalReferences": [],
            "archiving": {},
            "gdpr": {"dataSensitivityLevels": [], "riskAssessmentConducted": "Undecided"},
            "outgoingSystemRelations": [],
        }
        self.set_roles(usage_uuid, roles)
        return usage_uuid

    def set_roles(self, usage_uuid: str, roles: list[tuple[str, str]]) -> None:
        """Replace a usage's role assignments (its lastModified moves to now)."""
        usage = self.usages[usage_uuid]
        usage["roles"] = [
            {
                "user": _pair(user, self.users[user]["name"]),
                "role": _pair(ROLE_TYPES[role], role),
            }
            for role, user in roles
        ]
        usage["lastModified"] = _iso(self.now)

    def add_contract(self, name: str, usages: list[str], roles: list[tuple[str, str]]) -> str:
        """A contract covering `usages` with (contract role type, user uuid) pairs."""
        contract_uuid = self._uuid(6)
        self.contracts[contract_uuid] = {
            "uuid": contract_uuid,
            "name": name,
            "organizationContext": {"uuid": ORG_UUID, "name": "Rebild Kommune", "cvr": CVR},
            "lastModified": _iso(self.now),
            "lastModifiedBy": _pair(self._uuid(4), "Lokal Admin"),
            "createdBy": _pair(self._uuid(4), "Lokal Admin"),
            "parentContract": None,
            "general": {"contractId": None, "notes": None, "validity": {"valid": True}},
            "systemUsages": [_pair(u, self.usages[u]["systemContext"]["name"]) for u in usages],
            "dataProcessingRegistrations": [],
            "roles": [],
            "externalReferences": [],
        }
        self.set_contract_roles(contract_uuid, roles)
        return contract_uuid

    def set_contract_roles(self, contract_uuid: str, roles: list[tuple[str, str]]) -> None:
        """Replace a contract's roles; KITOS gives them as {userUuid, roleUuid}."""
        contract = self.contracts[contract_uuid]
        contract["roles"] = [
            {"userUuid": user, "roleUuid": CONTRACT_ROLE_TYPES[role]} for role, user in roles
        ]
        contract["lastModified"] = _iso(self.now)

    def delete_usage(self, usage_uuid: str) -> None:
        """Delete a usage; the delta feed reports it."""
        del self.usages[usage_uuid]
        self.deletions.append(
            {
                "occurredAtUtc": _iso(self.now),
                "entityUuid": usage_uuid,
                "entityType": "ItSystemUsage",
            }
        )

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (as after its 24 hours)."""
        self.valid_tokens.clear()

    # --- serving --------------------------------------------------------------------------

    async def start(self) -> StandInKitos:
        app = web.Application(middlewares=[self._gate])
        app.router.add_post("/api/authorize/GetToken", self._token)
        app.router.add_get("/api/v2/organizations", self._organizations)
        app.router.add_get("/api/v2/it-system-usage-role-types", self._role_types)
        app.router.add_get("/api/v2/it-system-usages", self._usages)
        app.router.add_get("/api/v2/delta-feed/deleted-entities", self._deleted)
        app.router.add_get("/api/v2/it-contract-role-types", self._contract_role_types)
        app.router.add_get("/api/v2/it-contracts", self._contracts)
        app.router.add_get("/api/v2/organizations/{org}/users", self._users)
        app.router.add_get("/api/v2/organizations/{org}/users/{user}", self._user)
        self._runner, self.url = await serve_on_loopback(app)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.query)))
        if self.down_from is not None and len(self.requests) >= self.down_from:
            return web.json_response({"message": "Service Unavailable"}, status=503)
        if request.path == "/api/authorize/GetToken":
            return await handler(request)
        if request.path == self.expire_at:
            self.expire_at = None
            self.expire_tokens()
        if self.throttle > 0:
            self.throttle -= 1
            return web.json_response(
                {"message": "Too many requests"},
                status=429,
                headers={"Retry-After": self.retry_after},
            )
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return web.json_response({"message": "Authorization has been denied"}, status=401)
        return await handler(request)

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("email") != API_EMAIL or body.get("password") != API_PASSWORD:
            return web.Response(status=401)
        self.tokens_issued += 1
        token = f"jwt-{self.tokens_issued}-{uuidlib.uuid4().hex}"
        self.valid_tokens.add(token)
        expires = datetime.now(UTC) + timedelta(hours=24)  # KITOS' JWTs live 24 hours
        return web.json_response(
            {
                "msg": "",
                "response": {
                    "token": token,
                    "email": API_EMAIL,
                    "loginSuccessful": True,
                    "expires": _iso(expires),
                },
            }
        )

    @staticmethod
    def _page(request: web.Request, items: list[Any]) -> web.Response:
        try:
            page = int(request.query.get("page", "0"))
            size = int(request.query.get("pageSize", "100"))
        except ValueError:
            return web.json_response({"message": "page and pageSize must be numbers"}, status=400)
        if page < 0 or not 1 <= size <= 250:
            return web.json_response({"message": "pageSize must be between 1 and 250"}, status=400)
        return web.json_response(items[page * size : (page + 1) * size])

    def _org_check(self, request: web.Request) -> web.Response | None:
        if request.query.get("organizationUuid") != ORG_UUID:
            return web.json_response({"message": "organizationUuid is required"}, status=400)
        return None

    async def _organizations(self, request: web.Request) -> web.Response:
        found = CVR.startswith(request.query.get("cvrContent", "")) or not request.query.get(
            "cvrContent"
        )
        org = {
            "uuid": ORG_UUID,
            "name": "Rebild Kommune",
            "cvr": CVR,
            "organizationType": "Kommune",
        }
        return self._page(request, [org] if found else [])

    def _role_types_of(self, request: web.Request, types: dict[str, str]) -> web.Response:
        if (bad := self._org_check(request)) is not None:
            return bad
        found = [
            {"uuid": uuid, "name": name, "writeAccess": True, "description": None}
            for name, uuid in types.items()
        ]
        return self._page(request, found)

    def _changed_since(self, request: web.Request, items: list[dict[str, Any]]) -> web.Response:
        """The list in KITOS' order for a delta read (lastModified, then uuid), filtered by
        changedSinceGtEq and paged."""
        if (bad := self._org_check(request)) is not None:
            return bad
        ordered = sorted(items, key=lambda item: (item["lastModified"], item["uuid"]))
        since = request.query.get("changedSinceGtEq")
        if since:
            ordered = [i for i in ordered if _parse(i["lastModified"]) >= _parse(since)]
        return self._page(request, ordered)

    async def _role_types(self, request: web.Request) -> web.Response:
        return self._role_types_of(request, ROLE_TYPES)

    async def _contract_role_types(self, request: web.Request) -> web.Response:
        return self._role_types_of(request, CONTRACT_ROLE_TYPES)

    async def _usages(self, request: web.Request) -> web.Response:
        return self._changed_since(request, list(self.usages.values()))

    async def _contracts(self, request: web.Request) -> web.Response:
        return self._changed_since(request, list(self.contracts.values()))

    async def _deleted(self, request: web.Request) -> web.Response:
        items = list(self.deletions)
        since = request.query.get("deletedSinceUTC")
        if since:
            items = [d for d in items if _parse(d["occurredAtUtc"]) >= _parse(since)]
        kind = request.query.get("entityType")
        if kind:
            items = [d for d in items if d["entityType"] == kind]
        return self._page(request, items)

    async def _users(self, request: web.Request) -> web.Response:
        if request.match_info["org"] != ORG_UUID:
            return web.Response(status=404)
        return self._page(request, list(self.users.values()))

    async def _user(self, request: web.Request) -> web.Response:
        user = self.users.get(request.match_info["user"])
        if request.match_info["org"] != ORG_UUID or user is None:
            return web.Response(status=404)
        return web.json_response(user)
