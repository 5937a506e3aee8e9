"""The real govbot aiohttp app on a free local port, and a client that posts like Teams does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import create_app
from bot.settings import Settings


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

    async def stop(self) -> None:
        await self.client.close()
        await self.runner.cleanup()


async def start_bot(settings: Settings) -> RunningBot:
    """Serve the real app (already-migrated database) on 127.0.0.1 and a free port."""
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return RunningBot(app, runner, f"http://127.0.0.1:{port}", aiohttp.ClientSession())
