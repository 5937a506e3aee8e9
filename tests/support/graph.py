"""A local Microsoft Graph: the token endpoint, users by mail, the app catalog, installedApps.

Installing the app for a user makes the stand-in Teams channel open chats with them again (it
no longer answers 403) and, as Teams does, tells the bot about the new installation by posting
an installationUpdate to its messaging endpoint. It can answer 429 with Retry-After.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.channel import TestChannel
from tests.support.loopback import serve_on_loopback

CATALOG_ID = "a1b2c3d4-0000-0000-0000-00000000cafe"
_MAIL_FILTER = re.compile(r"^mail eq '((?:[^']|'')*)'$")
_EXTERNAL_FILTER = re.compile(r"^externalId eq '((?:[^']|'')*)'$")


@dataclass
class StandInGraph:
    """Graph on a local port; `url` is GOVBOT_GRAPH_URL and `login_url` GOVBOT_GRAPH_LOGIN_URL."""

    channel: TestChannel
    manifest_id: str = ""
    users: dict[str, str] = field(default_factory=dict)  # mail → Entra object id
    installed: list[str] = field(default_factory=list)  # user ids the app was installed for
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    tokens_issued: int = 0
    throttle: deque[float] = field(default_factory=deque)  # Retry-After of the next 429s
    # When set, a users look-up waits until this many are in flight at once (or a few seconds
    # have passed): look-ups made one after another never meet.
    meet: int = 0
    most_in_flight: int = 0
    # Called with the user id after an installation (the test posts Teams' installationUpdate).
    on_install: Callable[[str], Awaitable[None]] | None = None
    url: str = ""
    login_url: str = ""
    _runner: web.AppRunner | None = None
    _in_flight: int = 0
    _met: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> StandInGraph:
        app = web.Application()
        app.router.add_post("/login/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/v1.0/users", self._users)
        app.router.add_get("/v1.0/appCatalogs/teamsApps", self._catalog)
        app.router.add_post("/v1.0/users/{uid}/teamwork/installedApps", self._install)
        self._runner, base = await serve_on_loopback(app)
        self.url = f"{base}/v1.0"
        self.login_url = f"{base}/login"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def _authorised(self, request: web.Request) -> web.Response | None:
        self.requests.append((request.method, request.path))
        if not request.headers.get("Authorization", "").startswith("Bearer graph-token-"):
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        if self.throttle:
            retry_after = self.throttle.popleft()
            return web.json_response(
                {"error": {"code": "TooManyRequests"}},
                status=429,
                headers={"Retry-After": f"{retry_after:g}"},
            )
        return None

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials" or not form.get("client_secret"):
            return web.json_response({"error": "invalid_client"}, status=401)
        self.tokens_issued += 1
        return web.json_response(
            {"access_token": f"graph-token-{uuid.uuid4().hex}", "expires_in": 3599}
        )

    async def _users(self, request: web.Request) -> web.Response:
        refused = self._authorised(request)
        if refused:
            return refused
        match = _MAIL_FILTER.match(request.query.get("$filter", ""))
        if not match:
            return web.json_response({"error": {"code": "BadRequest"}}, status=400)
        mail = match.group(1).replace("''", "'").lower()
        self._in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self._in_flight)
        try:
            if self._in_flight >= self.meet:
                self._met.set()
            if self.meet:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(5):
                        await self._met.wait()
        finally:
            self._in_flight -= 1
        found = self.users.get(mail)
        return web.json_response({"value": [{"id": found, "mail": mail}] if found else []})

    async def _catalog(self, request: web.Request) -> web.Response:
        refused = self._authorised(request)
        if refused:
            return refused
        match = _EXTERNAL_FILTER.match(request.query.get("$filter", ""))
        known = match is not None and match.group(1) == self.manifest_id
        app: list[dict[str, Any]] = [{"id": CATALOG_ID, "externalId": self.manifest_id}]
        return web.json_response({"value": app if known else []})

    async def _install(self, request: web.Request) -> web.Response:
        refused = self._authorised(request)
        if refused:
            return refused
        body = await request.json()
        if body.get("teamsApp@odata.bind") != f"{self.url}/appCatalogs/teamsApps/{CATALOG_ID}":
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        user_id = request.match_info["uid"]
        if user_id in self.installed:
            return web.json_response({"error": {"code": "Conflict"}}, status=409)
        self.installed.append(user_id)
        self.channel.not_installed.discard(user_id)
        if self.on_install is not None:
            await self.on_install(user_id)
        return web.Response(status=201)
