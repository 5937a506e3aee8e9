"""Microsoft Graph with the app's own credentials: find a member by email, install the app.

Tokens come from the client-credentials grant and are reused until shortly before they
expire. Graph's 429 is waited out as its Retry-After says (with an injected sleep, so tests do
not wait); after `max_wait_seconds` in all, the call gives up with GraphThrottledError and the
caller retries later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from time import monotonic
from typing import Any

import aiohttp

from bot.logs import fields
from bot.settings import Settings

log = logging.getLogger(__name__)

GRAPH_URL = "https://graph.microsoft.com/v1.0"
LOGIN_URL = "https://login.microsoftonline.com"
SCOPE = "https://graph.microsoft.com/.default"


class GraphError(Exception):
    """Graph refused a call; `status` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status} from Graph: {message}")
        self.status = status


class GraphThrottledError(GraphError):
    """Graph kept answering 429 for longer than the caller may wait; retry after `retry_after`."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(429, "throttled")
        self.retry_after = retry_after


def _odata_string(value: str) -> str:
    """`value` as an OData string literal (a quote is doubled)."""
    return "'" + value.replace("'", "''") + "'"


@dataclass
class GraphClient:
    """The few Graph calls govbot makes, as the app (not as a user)."""

    tenant_id: str
    client_id: str
    client_secret: str
    graph_url: str = GRAPH_URL
    login_url: str = LOGIN_URL
    max_wait_seconds: float = 60.0
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    clock: Callable[[], float] = monotonic
    # Called before every Graph request (the dispatcher's limiter takes its share here).
    pace: Callable[[], Awaitable[None]] | None = None
    _token: str = ""
    _token_until: float = 0.0
    _session: aiohttp.ClientSession | None = None
    _token_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def user_id_by_mail(self, email: str) -> str | None:
        """The Entra object id of the user whose mail is `email`, if Graph knows one."""
        body = await self._call(
            "GET",
            "/users",
            params={"$filter": f"mail eq {_odata_string(email)}", "$select": "id,mail"},
        )
        users = body.get("value") or []
        return str(users[0]["id"]) if users else None

    async def catalog_app_id(self, external_id: str) -> str | None:
        """The org catalog id of the Teams app whose manifest id is `external_id`."""
        body = await self._call(
            "GET",
            "/appCatalogs/teamsApps",
            params={"$filter": f"externalId eq {_odata_string(external_id)}"},
        )
        apps = body.get("value") or []
        return str(apps[0]["id"]) if apps else None

    async def install_for_user(self, user_id: str, catalog_id: str) -> None:
        """Install the app in `user_id`'s personal scope (already installed counts as done)."""
        try:
            await self._call(
                "POST",
                f"/users/{user_id}/teamwork/installedApps",
                json={
                    "teamsApp@odata.bind": f"{self.graph_url}/appCatalogs/teamsApps/{catalog_id}"
                },
            )
        except GraphError as error:
            if error.status != 409:  # 409: it is installed already
                raise

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def _access_token(self) -> str:
        async with self._token_lock:
            if self._token and self.clock() < self._token_until:
                return self._token
            url = f"{self.login_url}/{self.tenant_id}/oauth2/v2.0/token"
            form = {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": SCOPE,
            }
            async with self._http().post(url, data=form) as response:
                body = await response.json(content_type=None)
                if response.status != 200 or "access_token" not in body:
                    raise GraphError(response.status, str(body.get("error", "no token")))
            self._token = str(body["access_token"])
            # A minute early, so a token never runs out between being read and being used.
            self._token_until = self.clock() + float(body.get("expires_in", 3600)) - 60
            return self._token

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        waited = 0.0
        while True:
            if self.pace is not None:
                await self.pace()
            headers = {"Authorization": f"Bearer {await self._access_token()}"}
            async with self._http().request(
                method, f"{self.graph_url}{path}", params=params, json=json, headers=headers
            ) as response:
                if response.status == 429:
                    wait = _retry_after(response.headers.get("Retry-After"))
                    if waited + wait > self.max_wait_seconds:
                        raise GraphThrottledError(wait)
                    log.info("graph throttled", extra=fields(retry_after=wait))
                    waited += wait
                    await self.sleep(wait)
                    continue
                body = (
                    await response.json(content_type=None) if response.content_length != 0 else {}
                )
                if response.status >= 300:
                    message = (body or {}).get("error", {}).get("code", "error")
                    raise GraphError(response.status, str(message))
                return body or {}


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0


def graph_for(settings: Settings) -> GraphClient | None:
    """The Graph client settings configure, or None when Graph is not configured."""
    if not settings.graph_configured:
        return None
    return GraphClient(
        tenant_id=settings.graph_tenant_id,
        client_id=settings.graph_client_id,
        client_secret=settings.graph_client_secret.get_secret_value(),
        graph_url=(settings.graph_url or GRAPH_URL).rstrip("/"),
        login_url=(settings.graph_login_url or LOGIN_URL).rstrip("/"),
    )
