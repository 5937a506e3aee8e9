"""The load driver: N concurrent Teams conversations posting to /api/messages.

A turn counts as done when the bot's HTTP answer is back and its reply has reached the bench
channel (the local serviceUrl); latency is measured from the POST to whichever came last.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from time import perf_counter

import aiohttp

from bench.channel import BenchChannel
from tests.support.activities import message, new_user

REPLY_TIMEOUT_SECONDS = 10.0


@dataclass
class LoadResult:
    """Turns of one bot at one concurrency, possibly gathered over several slices."""

    bot: str
    conversations: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=dict)

    @property
    def turns(self) -> int:
        """Completed turns."""
        return len(self.latencies_ms)

    @property
    def turns_per_second(self) -> float:
        """Completed turns per wall-clock second of load."""
        return self.turns / self.seconds if self.seconds else 0.0

    def add(self, kind: str, latency_ms: float) -> None:
        """One completed turn of `kind`."""
        self.latencies_ms.append(latency_ms)
        self.by_kind.setdefault(kind, []).append(latency_ms)

    def percentile(self, p: float, kind: str | None = None) -> float:
        """Latency at percentile p (0–100), in ms, of every turn or of one kind's."""
        latencies = self.latencies_ms if kind is None else self.by_kind.get(kind, [])
        if not latencies:
            return float("nan")
        ordered = sorted(latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


Script = Callable[[random.Random], Iterator[tuple[str, str]]]


def single(kind: str, text: Callable[[random.Random], str]) -> Script:
    """A script of one kind of turn."""

    def turns(rng: random.Random) -> Iterator[tuple[str, str]]:
        while True:
            yield kind, text(rng)

    return turns


@dataclass
class Driver:
    """Posts Teams-shaped messages to one bot; replies come back through `channel`.

    Each conversation (user) follows its own script from where it left off, across slices.
    """

    channel: BenchChannel
    client: aiohttp.ClientSession
    user_offset: int = 0  # keeps each bot's users (and so its conversations) apart
    _seq: itertools.count = field(default_factory=itertools.count)
    _scripts: dict[int, Iterator[tuple[str, str]]] = field(default_factory=dict)

    async def turn(self, bot_url: str, user: int, text: str) -> float:
        """One message turn; returns its latency in ms (raises on failure)."""
        activity = message(text, service_url=self.channel.url, **new_user(self.user_offset + user))
        activity["id"] = f"f:{uuid.uuid4().hex}"
        reply = self.channel.expect_reply(activity["id"])
        began = perf_counter()
        async with self.client.post(f"{bot_url}/api/messages", json=activity) as response:
            await response.read()
            if response.status >= 300:
                reply.cancel()
                raise RuntimeError(f"HTTP {response.status}")
        answered = perf_counter()
        arrived = await asyncio.wait_for(reply, REPLY_TIMEOUT_SECONDS)
        return (max(answered, arrived) - began) * 1000

    def _next(self, user: int, script: Script) -> tuple[str, str]:
        turns = self._scripts.get(user)
        if turns is None:
            turns = self._scripts[user] = script(random.Random(user))
        return next(turns)

    async def warm_up(self, bot_url: str, conversations: int, script: Script) -> None:
        """Not measured: a greeting per conversation (its welcome), then one cycle of the
        script on a spare conversation to build whatever the bot builds on first use."""
        await asyncio.gather(*(self.turn(bot_url, n, "hej") for n in range(conversations)))
        spare = conversations
        await self.turn(bot_url, spare, "hej")
        for _ in range(20):
            await self.turn(bot_url, spare, self._next(spare, script)[1])

    async def run(
        self,
        bot_url: str,
        result: LoadResult,
        *,
        seconds: float,
        script: Script,
        max_turns: int = 100_000,
    ) -> None:
        """Keep `result.conversations` conversations busy for `seconds` (bounded in turns too)."""
        budget = itertools.count()
        deadline = perf_counter() + seconds

        async def conversation(n: int) -> None:
            while perf_counter() < deadline and next(budget) < max_turns:
                kind, text = self._next(n, script)
                try:
                    result.add(kind, await self.turn(bot_url, n, text))
                except (TimeoutError, RuntimeError, aiohttp.ClientError):
                    result.errors += 1

        began = perf_counter()
        await asyncio.gather(*(conversation(n) for n in range(result.conversations)))
        result.seconds += perf_counter() - began
