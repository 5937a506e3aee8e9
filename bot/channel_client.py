"""The Bot Connector REST calls that carry govbot's messages, over one pooled aiohttp session.

botbuilder 4.17 sends every reply through msrest's pipeline, which runs `requests` on a worker
thread per call and opens connections from a pool of its own per client. govbot's replies,
proactive sends, card updates and new 1:1 chats go through here instead: the same URL, the same
JSON body (written by the connector's own serializer, then `json.dumps` as msrest does), the
same Bearer token from the SDK's credentials, on one `ClientSession` for the whole app.

A refusal raises `ChannelRefusedError`, an `ErrorResponseException` whose `response` has the
`status_code` and `headers` the dispatcher's 429/Retry-After handling reads, as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urljoin

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from bot.sdk import (
    Activity,
    ConnectorClient,
    ConversationParameters,
    ConversationResourceResponse,
    ErrorResponseException,
    ResourceResponse,
)

log = logging.getLogger(__name__)

# The statuses the Bot Connector answers a successful call with (as the SDK checks them).
ACCEPTED = frozenset({200, 201, 202})
# A token is asked of the credentials again after this long; msal hands back its cached token
# until shortly before it expires (Entra tokens live an hour or more), so this only bounds how
# stale a revoked secret can be, and keeps msal's blocking call off most sends.
TOKEN_REUSE_SECONDS = 300.0
REQUEST_TIMEOUT_SECONDS = 30.0
HEADERS = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8"}


class Credentials(Protocol):
    """botframework's AppCredentials, as far as the client uses them."""

    microsoft_app_id: str | None

    def get_access_token(self, force_refresh: bool = False) -> str: ...


@dataclass(frozen=True)
class RefusedResponse:
    """What the channel answered a refused call with (the part error handling reads)."""

    status_code: int
    headers: CIMultiDictProxy[str]
    text: str
    reason: str = ""


class ChannelRefusedError(ErrorResponseException):
    """The Bot Connector answered a status other than 200/201/202."""

    def __init__(self, response: RefusedResponse) -> None:
        # msrest's constructor would deserialize the body and call requests' raise_for_status;
        # the status, headers and text are all anyone reads.
        Exception.__init__(self, f"({response.status_code}) {response.text[:200]}")
        self.response = response
        self.error = None
        self.message = f"({response.status_code}) {response.text[:200]}"
        self.inner_exception = None


@dataclass
class _Token:
    value: str
    fetched_at: float


@dataclass
class ChannelClient:
    """One aiohttp session for every Bot Connector call govbot makes; `close()` on shutdown."""

    timeout_seconds: float = REQUEST_TIMEOUT_SECONDS
    clock: Callable[[], float] = time.monotonic
    _session: aiohttp.ClientSession | None = field(default=None, repr=False)
    _tokens: dict[tuple[str, str], _Token] = field(default_factory=dict, repr=False)
    _token_lock: asyncio.Lock | None = field(default=None, repr=False)

    async def send(self, connector: ConnectorClient, activity: Activity) -> ResourceResponse:
        """Post `activity` into its conversation, as a reply when it has a `reply_to_id`."""
        assert activity.conversation is not None and activity.conversation.id is not None
        path = f"v3/conversations/{quote(activity.conversation.id, safe='')}/activities"
        if activity.reply_to_id:
            path += f"/{quote(activity.reply_to_id, safe='')}"
        answer = await self._call(connector, "POST", path, activity, "Activity")
        return ResourceResponse(id=(answer or {}).get("id"))

    async def update(
        self, connector: ConnectorClient, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        """Replace the posted activity `activity_id` with `activity` (PUT)."""
        path = (
            f"v3/conversations/{quote(conversation_id, safe='')}"
            f"/activities/{quote(activity_id, safe='')}"
        )
        answer = await self._call(connector, "PUT", path, activity, "Activity")
        return ResourceResponse(id=(answer or {}).get("id"))

    async def create_conversation(
        self, connector: ConnectorClient, parameters: ConversationParameters
    ) -> ConversationResourceResponse:
        """Open a conversation (POST /v3/conversations)."""
        answer = await self._call(
            connector, "POST", "v3/conversations", parameters, "ConversationParameters"
        )
        answer = answer or {}
        return ConversationResourceResponse(
            id=answer.get("id"),
            activity_id=answer.get("activityId"),
            service_url=answer.get("serviceUrl"),
        )

    async def close(self) -> None:
        """Close the pooled connections (safe to call more than once, or never opened)."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _call(
        self, connector: ConnectorClient, method: str, path: str, body: Any, body_type: str
    ) -> dict[str, Any] | None:
        config = connector.config
        # As msrest's ServiceClient.format_url joins a relative operation URL to the base.
        # encoded: sent as quoted here (yarl would turn the SDK's %3A back into ':').
        url = URL(urljoin(str(config.base_url).rstrip("/") + "/", path), encoded=True)
        # The same serializer and the same json.dumps as the SDK's operation: the same bytes.
        data = json.dumps(connector._serialize.body(body, body_type))
        headers = dict(HEADERS)
        token = await self._token(config.credentials)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self._http().request(method, url, data=data, headers=headers) as response:
            text = await response.text()
            if response.status not in ACCEPTED:
                raise ChannelRefusedError(
                    RefusedResponse(response.status, response.headers, text, response.reason or "")
                )
        if not text:
            return None
        try:
            answer = json.loads(text)
        except ValueError:
            return None
        return answer if isinstance(answer, dict) else None

    def _http(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running loop, as aiohttp requires.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_seconds)
            )
        return self._session

    async def _token(self, credentials: Credentials | None) -> str | None:
        """The Bearer token the SDK would sign the call with; None when it signs none."""
        if credentials is None or not _signs(credentials):
            return None
        # One token per app and audience, as the SDK's credentials cache them.
        key = (credentials.microsoft_app_id or "", str(getattr(credentials, "oauth_scope", "")))
        token = self._tokens.get(key)
        now = self.clock()
        if token is not None and now - token.fetched_at < TOKEN_REUSE_SECONDS:
            return token.value
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:
            token = self._tokens.get(key)
            if token is None or now - token.fetched_at >= TOKEN_REUSE_SECONDS:
                # msal's call is blocking (it may go to Entra), so never on the event loop.
                value = await asyncio.to_thread(credentials.get_access_token)
                token = self._tokens[key] = _Token(value, self.clock())
        return token.value


def _signs(credentials: Credentials) -> bool:
    """Whether the SDK's AppCredentials would add a token (its `_should_set_token`)."""
    should_set = getattr(credentials, "_should_set_token", None)
    if should_set is None:
        return bool(credentials.microsoft_app_id)
    return bool(should_set(None))
