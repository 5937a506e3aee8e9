"""A lean local Bot Connector in the driver process: the serviceUrl both bots reply to.

It counts what arrives per conversation, wakes the load driver when a turn's reply lands, and
can enforce Teams' rate limits (429 with Retry-After) for the reminder fan-out.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from dataclasses import dataclass, field
from time import perf_counter

from aiohttp import web

from bench.limits import TeamsLimits


@dataclass
class BenchChannel:
    """Bot Connector endpoints on 127.0.0.1; `url` is the serviceUrl to put in activities."""

    limits: TeamsLimits | None = None
    received: Counter[str] = field(default_factory=Counter)  # conversation id → activities
    texts: list[tuple[str, str]] = field(default_factory=list)  # (conversation id, text)
    arrivals: list[float] = field(default_factory=list)  # perf_counter() of each accepted send
    senders: Counter[int] = field(default_factory=Counter)  # the sender's TCP port → sends
    throttled: int = 0
    created: int = 0  # 1:1 chats opened
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # set on every accepted send
    url: str = ""
    _waiters: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=itertools.count)
    _runner: web.AppRunner | None = None

    async def start(self) -> BenchChannel:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    @property
    def port(self) -> int:
        """The port this channel listens on."""
        return int(self.url.rsplit(":", 1)[1].strip("/"))

    async def stop(self) -> None:
        """Close the listener."""
        if self._runner:
            await self._runner.cleanup()

    def expect_reply(self, activity_id: str) -> asyncio.Future[float]:
        """A future set to the arrival time of the first reply to `activity_id`."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters[activity_id] = future
        return future

    def reset(self) -> None:
        """Forget what arrived (between phases)."""
        self.received.clear()
        self.texts.clear()
        self.arrivals.clear()
        self.senders.clear()
        self.throttled = 0

    def _refusal(self, stream: str, now: float) -> web.Response | None:
        """Teams' 429 when a call on `stream` would break its limits, else None (counted)."""
        if self.limits is None:
            return None
        wait = self.limits.admit(stream, now)
        if wait <= 0:
            return None
        self.throttled += 1
        return web.json_response(
            {"error": {"code": "Throttled"}},
            status=429,
            headers={"Retry-After": self.limits.retry_after_header(wait)},
        )

    async def _send(self, request: web.Request) -> web.Response:
        now = perf_counter()
        conversation_id = request.match_info["cid"]
        refused = self._refusal(conversation_id, now)
        if refused is not None:
            return refused
        activity = await request.json()
        self.received[conversation_id] += 1
        self.arrivals.append(now)
        self.arrived.set()
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer:
            self.senders[peer[1]] += 1
        self.texts.append((conversation_id, _visible_text(activity)))
        reply_to = request.match_info.get("aid") or activity.get("replyToId")
        waiter = self._waiters.pop(reply_to, None) if reply_to else None
        if waiter is not None and not waiter.done():
            waiter.set_result(now)
        return web.json_response({"id": f"1:{next(self._ids)}"})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        """Open a 1:1 chat; a creation counts against the bot's global limit like a send."""
        parameters = await request.json()
        members = parameters.get("members") or [{}]
        refused = self._refusal(f"create:{members[0].get('id', 'x')}", perf_counter())
        if refused is not None:
            return refused
        self.created += 1
        conversation_id = f"a:1personal-{str(members[0].get('id', 'x')).removeprefix('29:')}"
        return web.json_response(
            {"id": conversation_id, "activityId": f"1:{next(self._ids)}", "serviceUrl": self.url}
        )


def _visible_text(activity: dict) -> str:
    parts = [activity.get("text") or ""]
    for attachment in activity.get("attachments") or []:
        parts.append(str(attachment.get("content") or ""))
    return "\n".join(parts)
