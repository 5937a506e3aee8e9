"""The real app and a test channel on an event loop in a background thread.

Hypothesis drives plain (synchronous) test functions; the app keeps serving on its own loop
between examples, so data written by earlier examples is still there for later checks.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from bot.settings import Settings
from tests.support.channel import TestChannel
from tests.support.server import RunningBot, start_bot

T = TypeVar("T")


class ThreadedBot:
    """`post(...)` and `post_raw(...)` return the HTTP status; `call` runs a coroutine there."""

    def __init__(self, settings: Settings) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.channel: TestChannel = self.call(TestChannel().start())
        self.bot: RunningBot = self.call(start_bot(settings))

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run `coroutine` on the app's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def post(self, activity: Any) -> int:
        """POST `activity` as JSON (any JSON value, not only objects)."""
        return self.call(self._post_json(activity))

    def post_all(self, batch: list[Any]) -> list[int]:
        """POST every activity of `batch` at once (as a busy channel would)."""
        return self.call(self._post_all(batch))

    async def _post_all(self, batch: list[Any]) -> list[int]:
        return list(await asyncio.gather(*(self._post_json(activity) for activity in batch)))

    async def _post_json(self, activity: Any) -> int:
        return (await self.bot.post(activity)).status

    def post_raw(self, data: bytes, content_type: str) -> int:
        """POST raw bytes with a given Content-Type."""
        return self.call(self._post_raw(data, content_type))

    async def _post_raw(self, data: bytes, content_type: str) -> int:
        response = await self.bot.post_raw(data, headers={"Content-Type": content_type})
        return response.status

    def stop(self) -> None:
        self.call(self.bot.stop())
        self.call(self.channel.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
