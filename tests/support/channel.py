"""A local Bot Connector service: the `serviceUrl` the bot replies to in end-to-end tests.

It serves the parts of the Bot Connector REST API govbot uses, records every activity it
receives, and can answer with Teams' error statuses (429 with Retry-After, 403, 5xx).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.activities import TENANT_ID
from tests.support.loopback import serve_on_loopback

# Teams cuts a suggested action's or card button's title at about this width ("ommunen selv
# (ikke"): every label the bot sends must fit whole, with any detail beside it in the card.
MAX_BUTTON_LABEL = 20


@dataclass(frozen=True)
class Received:
    """One activity the bot sent to the channel."""

    conversation_id: str
    activity: dict[str, Any]
    reply_to: str | None
    method: str
    activity_id: str | None = None  # the id the channel gave a posted activity

    @property
    def text(self) -> str:
        """The message text plus the visible text of any Adaptive Card."""
        parts = [self.activity.get("text") or ""]
        for attachment in self.activity.get("attachments") or []:
            parts.append(_card_text(attachment.get("content")))
        return "\n".join(p for p in parts if p)

    @property
    def card(self) -> dict[str, Any] | None:
        """The first Adaptive Card attached, if any."""
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment.get("content")
        return None


def long_labels(activity: dict[str, Any]) -> list[str]:
    """Every suggested action and card button title in `activity` longer than Teams shows."""
    suggested = (activity.get("suggestedActions") or {}).get("actions") or []
    titles = [str(a.get("title") or "") for a in suggested]
    for attachment in activity.get("attachments") or []:
        titles += _button_titles(attachment.get("content"))
    return [t for t in titles if len(t) > MAX_BUTTON_LABEL]


def _button_titles(node: Any) -> list[str]:
    """The titles of every action in a card, nested ones (ActionSet, ShowCard) included."""
    if isinstance(node, list):
        return [title for item in node for title in _button_titles(item)]
    if not isinstance(node, dict):
        return []
    is_action = str(node.get("type", "")).startswith("Action.")
    titles = [str(node.get("title") or "")] if is_action else []
    for value in node.values():
        titles += _button_titles(value)
    return titles


def _card_text(node: Any) -> str:
    if isinstance(node, dict):
        texts = [
            str(node[key]) for key in ("text", "title", "value") if isinstance(node.get(key), str)
        ]
        for key, value in node.items():
            # an action's `data` goes back to the bot on a press; nobody sees it
            if isinstance(value, (dict, list)) and key != "data":
                texts.append(_card_text(value))
        return "\n".join(t for t in texts if t)
    if isinstance(node, list):
        return "\n".join(_card_text(item) for item in node)
    return ""


@dataclass
class Failure:
    """A canned error answer for the next matching sends."""

    status: int
    retry_after: float | None = None
    conversation_id: str | None = None


@dataclass(frozen=True)
class Request:
    """One HTTP request as it came in: for checks of the exact bytes a client sends."""

    method: str
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class HeldMember:
    """A member look-up held in flight: `asked` is set when it arrives, it answers on `answer`."""

    asked: asyncio.Event = field(default_factory=asyncio.Event)
    answer: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class TestChannel:
    """The Bot Connector API on a local port; `url` is the serviceUrl to put in activities."""

    __test__ = False  # not a pytest test class

    received: list[Received] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    held_members: dict[str, HeldMember] = field(default_factory=dict)
    # Chats asked for (POST /v3/conversations bodies), creations held in flight by member id,
    # and the Entra object ids the app is not installed for (their creations answer 403).
    created: list[dict[str, Any]] = field(default_factory=list)
    held_creations: dict[str, HeldMember] = field(default_factory=dict)
    not_installed: set[str] = field(default_factory=set)
    # Team (or group chat) id → the user ids of its members, listed in pages of `page_size`.
    rosters: dict[str, list[str]] = field(default_factory=dict)
    page_size: int = 2
    roster_pages: list[tuple[str, str | None]] = field(default_factory=list)
    failures: deque[Failure] = field(default_factory=deque)
    gate: Callable[[str], Failure | None] | None = None  # e.g. a rate limiter
    url: str = ""
    too_long: list[str] = field(default_factory=list)  # labels over MAX_BUTTON_LABEL
    requests: list[Request] = field(default_factory=list)  # every request, raw
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def start(self) -> TestChannel:
        app = web.Application(middlewares=[self._keep_raw])
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{uid}", self._member)
        app.router.add_get("/v3/conversations/{cid}/pagedmembers", self._paged_members)
        self._runner, url = await serve_on_loopback(app)
        self.url = f"{url}/"
        return self

    async def stop(self) -> None:
        """Shut down; fail the test that used the channel if any label was too long for Teams."""
        if self._runner:
            await self._runner.cleanup()
        if self.too_long:
            labels = sorted(set(self.too_long))
            raise AssertionError(
                f"button labels over {MAX_BUTTON_LABEL} characters, cut off in Teams: {labels}"
            )

    @web.middleware
    async def _keep_raw(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.read()  # aiohttp keeps it, so the handler reads it again
        self.requests.append(Request(request.method, request.path_qs, body, dict(request.headers)))
        response: web.StreamResponse = await handler(request)
        return response

    def fail_next(
        self,
        status: int,
        *,
        count: int = 1,
        retry_after: float | None = None,
        conversation_id: str | None = None,
    ) -> None:
        """Answer the next `count` sends (to `conversation_id`, or any) with `status`."""
        for _ in range(count):
            self.failures.append(Failure(status, retry_after, conversation_id))

    def add_member(self, user_id: str, *, email: str, name: str, aad_object_id: str) -> None:
        """Make GET …/members/{user_id} answer with this person."""
        self.members[user_id] = {
            "id": user_id,
            "name": name,
            "aadObjectId": aad_object_id,
            "email": email,
            "userPrincipalName": email,
            "tenantId": TENANT_ID,
        }

    def hold_member(self, user_id: str) -> HeldMember:
        """Make GET …/members/{user_id} wait, once it arrives, until `answer` is set."""
        held = self.held_members[user_id] = HeldMember()
        return held

    def hold_creation(self, aad_object_id: str) -> HeldMember:
        """Make POST /v3/conversations for this member wait, once it arrives, for `answer`."""
        held = self.held_creations[aad_object_id] = HeldMember()
        return held

    def to(self, conversation_id: str) -> list[Received]:
        """Everything sent to one conversation, in order."""
        return [r for r in self.received if r.conversation_id == conversation_id]

    async def arrived(self, conversation_id: str, needle: str) -> Received:
        """The newest message to a conversation containing `needle`, once it has come (the
        outbox delivers after the turn)."""
        async with asyncio.timeout(10):
            while not any(needle in r.text for r in self.to(conversation_id)):
                count = len(self.to(conversation_id)) + 1
                await self.wait_for(count, conversation_id=conversation_id)
        return [r for r in self.to(conversation_id) if needle in r.text][-1]

    async def wait_for(
        self, count: int, *, conversation_id: str | None = None, seconds: float = 10.0
    ) -> list[Received]:
        """Wait until at least `count` activities arrived (in one conversation, or in all)."""

        def arrived() -> list[Received]:
            return self.to(conversation_id) if conversation_id else list(self.received)

        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(lambda: len(arrived()) >= count)
        return arrived()

    async def replies_to(
        self, activity: dict[str, Any], *, count: int = 1, seconds: float = 10.0
    ) -> list[Received]:
        """The bot's replies to one activity sent to it, in order, once `count` have come.

        Only what the bot sent in answer to that activity (its `replyToId`) counts, so a
        notice the outbox delivers late from an earlier turn is never taken for a reply.
        """
        conversation_id = activity["conversation"]["id"]

        def replies() -> list[Received]:
            return [
                r
                for r in self.to(conversation_id)
                if activity["id"] in (r.reply_to, r.activity.get("replyToId"))
            ]

        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(lambda: len(replies()) >= count)
        return replies()

    def _take_failure(self, conversation_id: str) -> Failure | None:
        for failure in list(self.failures):
            if failure.conversation_id in (None, conversation_id):
                self.failures.remove(failure)
                return failure
        return self.gate(conversation_id) if self.gate else None

    @staticmethod
    def _failure_response(failure: Failure) -> web.Response:
        headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after else {}
        return web.json_response(
            {"error": {"code": "Throttled" if failure.status == 429 else "Error"}},
            status=failure.status,
            headers=headers,
        )

    async def _record(self, received: Received) -> None:
        self.too_long += long_labels(received.activity)
        async with self._changed:
            self.received.append(received)
            self._changed.notify_all()

    async def _send(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["cid"]
        failure = self._take_failure(conversation_id)
        if failure:
            return self._failure_response(failure)
        activity = await request.json()
        activity_id = f"1:{uuid.uuid4().hex}"
        await self._record(
            Received(conversation_id, activity, request.match_info.get("aid"), "POST", activity_id)
        )
        return web.json_response({"id": activity_id})

    async def _update(self, request: web.Request) -> web.Response:
        activity = await request.json()
        await self._record(
            Received(request.match_info["cid"], activity, request.match_info["aid"], "PUT")
        )
        return web.json_response({"id": request.match_info["aid"]})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        """Teams' answer: the one 1:1 chat of the bot and the member (the same id as the chat
        their own messages come from), or 403 when the app is not installed for them."""
        parameters = await request.json()
        member_id = str(((parameters.get("members") or [{}])[0]).get("id", "x"))
        self.created.append(parameters)
        held = self.held_creations.pop(member_id, None)
        if held is not None:
            held.asked.set()
            await held.answer.wait()
        failure = self._take_failure(f"create:{member_id}")
        if failure:
            return self._failure_response(failure)
        if member_id in self.not_installed:
            return web.json_response(
                {
                    "error": {
                        "code": "Forbidden",
                        "message": "Bot is not installed in user's personal scope",
                    }
                },
                status=403,
            )
        user_id = next(
            (uid for uid, m in self.members.items() if m["aadObjectId"] == member_id), member_id
        )
        conversation_id = f"a:1personal-{user_id.removeprefix('29:')}"
        activity = parameters.get("activity")
        if activity:
            await self._record(Received(conversation_id, activity, None, "POST"))
        return web.json_response(
            {"id": conversation_id, "activityId": f"1:{uuid.uuid4().hex}", "serviceUrl": self.url}
        )

    async def _paged_members(self, request: web.Request) -> web.Response:
        """One page of a roster; its continuationToken is where the next page starts."""
        roster_id = request.match_info["cid"]
        token = request.query.get("continuationToken")
        self.roster_pages.append((roster_id, token))
        if roster_id not in self.rosters:
            return web.json_response({"error": {"code": "ConversationNotFound"}}, status=404)
        size = min(int(request.query.get("pageSize", self.page_size)), self.page_size)
        start = int(token or 0)
        ids = self.rosters[roster_id][start : start + size]
        body: dict[str, Any] = {"members": [self.members[uid] for uid in ids]}
        if start + size < len(self.rosters[roster_id]):
            body["continuationToken"] = str(start + size)
        return web.json_response(body)

    async def _member(self, request: web.Request) -> web.Response:
        held = self.held_members.get(request.match_info["uid"])
        if held is not None:
            held.asked.set()
            await held.answer.wait()
        member = self.members.get(request.match_info["uid"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
        return web.json_response(member)
