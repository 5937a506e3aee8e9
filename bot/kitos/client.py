"""A KITOS API v2 client: a token from `api/authorize/GetToken`, paging to the end, a fresh
token when the old one expires, and patient retries on 429 and 5xx (Retry-After honoured).

Sleep and clock are injected so tests never wait on real time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.logs import fields

log = logging.getLogger(__name__)

PAGE_SIZE = 250  # KITOS' largest page
MAX_ATTEMPTS = 6
MAX_BACKOFF_SECONDS = 120.0
# A token this close to its expiry is replaced before the next request.
TOKEN_MARGIN = timedelta(minutes=5)
RETRYABLE = frozenset({429, 500, 502, 503, 504})

Sleep = Callable[[float], Awaitable[object]]
Clock = Callable[[], datetime]


class KitosError(Exception):
    """KITOS could not be read; the message says why (no secrets in it)."""


class KitosUnavailableError(KitosError):
    """KITOS did not answer after every retry."""


class KitosAuthError(KitosError):
    """KITOS refused the API user's credentials or rights."""


def utcnow() -> datetime:
    """The current instant in UTC (the default clock)."""
    return datetime.now(UTC)


def parse_time(value: object) -> datetime | None:
    """A KITOS timestamp (ISO 8601, UTC when no zone is given)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(value: datetime) -> str:
    """A timestamp as KITOS' query parameters take it."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def retry_after(header: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


class KitosClient:
    """Reads one KITOS installation as one API user."""

    def __init__(
        self,
        base_url: str,
        email: str,
        password: SecretStr,
        *,
        http: aiohttp.ClientSession,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = utcnow,
        page_size: int = PAGE_SIZE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._email = email
        self._password = password
        self._http = http
        self._sleep = sleep
        self._clock = clock
        self.page_size = page_size
        self._max_attempts = max_attempts
        self._token: str | None = None
        self._expires: datetime | None = None

    async def _fetch_token(self) -> None:
        body = {"email": self._email, "password": self._password.get_secret_value()}
        response = await self._send("POST", "api/authorize/GetToken", json=body, auth=False)
        payload = response.get("response", response) if isinstance(response, dict) else None
        token = payload.get("token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise KitosAuthError("KITOS gave no token (is the user an API user?)")
        self._token = token
        expires = parse_time(payload.get("expires")) if isinstance(payload, dict) else None
        # A clock far off KITOS' would make every token look expired; a 401 still renews it.
        self._expires = expires if expires and expires > self._clock() else None

    async def _auth_header(self) -> dict[str, str]:
        expired = self._expires is not None and self._clock() >= self._expires - TOKEN_MARGIN
        if self._token is None or expired:
            await self._fetch_token()
        return {"Authorization": f"Bearer {self._token}"}

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET one resource as JSON; a rejected token is replaced once."""
        try:
            return await self._send("GET", path, params=params)
        except _TokenRejected:
            self._token = None
            try:
                return await self._send("GET", path, params=params)
            except _TokenRejected:
                raise KitosAuthError(f"KITOS refused a fresh token for {path}") from None

    async def pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page of a list endpoint, from page 0 until a short page."""
        page = 0
        while True:
            items = await self.get(path, {**params, "page": page, "pageSize": self.page_size})
            if not isinstance(items, list):
                raise KitosError(f"KITOS answered {path} with something other than a list")
            yield items
            if len(items) < self.page_size:
                return
            page += 1

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        auth: bool = True,
    ) -> Any:
        url = f"{self._base}/{path}"
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        for attempt in range(1, self._max_attempts + 1):
            headers = await self._auth_header() if auth else {}
            wait: float | None
            try:
                async with self._http.request(
                    method, url, params=query, json=json, headers=headers
                ) as response:
                    if response.status == 401:
                        if not auth:
                            raise KitosAuthError("KITOS refused the API user's e-mail/password")
                        raise _TokenRejected
                    if response.status == 403:
                        raise KitosAuthError(f"the API user may not read {path}")
                    if response.status not in RETRYABLE:
                        if response.status >= 400:
                            raise KitosError(f"KITOS answered {path} with {response.status}")
                        return await response.json(content_type=None)
                    wait = retry_after(response.headers.get("Retry-After"), self._clock())
                    reason = str(response.status)
            except (aiohttp.ClientConnectionError, TimeoutError) as error:
                wait, reason = None, type(error).__name__
            except aiohttp.ContentTypeError:
                raise KitosError(f"KITOS answered {path} with something other than JSON") from None
            if attempt == self._max_attempts:
                break
            delay = min(wait if wait is not None else 2.0**attempt, MAX_BACKOFF_SECONDS)
            log.info("kitos retry", extra=fields(path=path, reason=reason, wait=delay))
            await self._sleep(delay)
        raise KitosUnavailableError(
            f"KITOS did not answer {path} after {self._max_attempts} attempts"
        )


class _TokenRejected(Exception):
    """KITOS answered 401 to a request with a token."""
