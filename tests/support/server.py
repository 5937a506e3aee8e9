"""The real govbot aiohttp app on a free local port, and a client that posts like Teams does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import DATABASE, WARM_UP, create_app
from bot.settings import Settings
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.loopback import serve_on_loopback


@dataclass
class RunningBot:
    """A started app; `url` is its base address."""

    app: web.Application
    runner: web.AppRunner
    url: str
    client: aiohttp.ClientSession

    async def post(self, activity: dict[str, Any], **kwargs: Any) -> aiohttp.ClientResponse:
        """POST an activity to /api/messages and read the response body."""
        response = await self.client.post(f"{self.url}/api/messages", json=activity, **kwargs)
        await response.read()
        return response

    async def post_raw(self, data: bytes | str, **kwargs: Any) -> aiohttp.ClientResponse:
        """POST arbitrary bytes to /api/messages."""
        response = await self.client.post(f"{self.url}/api/messages", data=data, **kwargs)
        await response.read()
        return response

    async def directory_seen(self) -> None:
        """Let the app see a directory change made behind its back (another process's import)
        now, as its next check would within a second."""
        await self.app[DATABASE].directory.refresh()

    async def ready(self) -> None:
        """Wait until start-up's work is done (what /healthz waits for): the first directory
        index (joined, or read as current) and the warm-up."""
        await self.app[DATABASE].directory.refresh()
        await self.app[WARM_UP].done.wait()

    async def stop(self) -> None:
        await self.client.close()
        await self.runner.cleanup()


async def start_bot(
    settings: Settings, *, prepare: Callable[[web.Application], None] | None = None
) -> RunningBot:
    """Serve the real app (already-migrated database) on 127.0.0.1 and a free port;
    `prepare` may adjust the built app before it starts."""
    app = create_app(settings)
    if prepare is not None:
        prepare(app)
    runner, url = await serve_on_loopback(app)
    return RunningBot(app, runner, url, aiohttp.ClientSession())


async def reply_to(
    settings: Settings, channel: TestChannel, question: str, *, locale: str = "da-DK"
) -> str:
    """Serve the app, send `question` as a Teams user would, stop it: the last reply's text."""
    bot = await start_bot(settings)
    try:
        await bot.post(message(question, service_url=channel.url, locale=locale))
    finally:
        await bot.stop()
    return channel.received[-1].text
