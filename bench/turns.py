"""Section 1 and 5: govbot and the bare echo bot over HTTP, side by side; memory and start-up."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.channel import BenchChannel
from bench.load import Driver, LoadResult
from bench.report import Row, measured
from bench.servers import Server, start_echo, start_govbot

SECTION = "turns"
CONCURRENCIES = (32, 8, 1)


@dataclass(frozen=True)
class Plan:
    """How long to load each bot."""

    rounds: int
    slice_seconds: float


def govbot_turn(systems: list[str]) -> tuple[str, Callable[[random.Random], str]]:
    """The turn govbot is measured on: a role lookup once the directory capability is wired in."""
    from bot.assembly import CAPABILITIES

    if systems and any(c.__name__.endswith(".directory") for c in CAPABILITIES):
        return "role lookup", lambda rng: f"hvem er systemejer for {rng.choice(systems)}"
    return "help card (lookups not wired in yet)", lambda _rng: "hjælp"


async def _load(
    servers: dict[str, Server], texts: dict[str, Callable[[random.Random], str]], plan: Plan
) -> tuple[dict[tuple[str, int], LoadResult], dict[str, float]]:
    """Each bot's results per concurrency, and the CPU seconds each spent serving them."""
    channel = await BenchChannel().start()
    connector = aiohttp.TCPConnector(limit=0)
    results = {(name, c): LoadResult(name, c) for name in servers for c in CONCURRENCIES}
    cpu = {name: 0.0 for name in servers}
    try:
        async with aiohttp.ClientSession(connector=connector) as client:
            drivers = {
                name: Driver(channel, client, user_offset=1000 * i)
                for i, name in enumerate(servers)
            }
            for name, server in servers.items():
                await drivers[name].warm_up(server.url, max(CONCURRENCIES), texts[name])
            # Interleaved slices, so both bots see the same background noise.
            for _ in range(plan.rounds):
                for concurrency in CONCURRENCIES:
                    for name, server in servers.items():
                        before = server.cpu_seconds()
                        await drivers[name].run(
                            server.url,
                            results[(name, concurrency)],
                            seconds=plan.slice_seconds,
                            text=texts[name],
                        )
                        cpu[name] += server.cpu_seconds() - before
    finally:
        await channel.stop()
    return results, cpu


async def measure(workdir: Path, database_url: str, systems: list[str], plan: Plan) -> list[Row]:
    """Start both bots, load them in turn, and report throughput, latency, memory, start-up."""
    rows: list[Row] = []
    label, govbot_text = govbot_turn(systems)
    echo = start_echo(workdir)
    try:
        govbot = start_govbot(workdir, database_url)
    except Exception:
        echo.stop()
        raise
    try:
        rss_idle = govbot.rss_mb()
        results, cpu = await _load(
            {"echo": echo, "govbot": govbot},
            {"echo": lambda _rng: "hjælp", "govbot": govbot_text},
            plan,
        )
        rss_loaded = govbot.rss_mb()
        echo_rss = echo.rss_mb()
    finally:
        echo.stop()
        govbot.stop()
    rows.append(Row(SECTION, "govbot turn measured", label))
    failed = {
        "echo": _count(echo.log, "[on_turn_error]"),
        "govbot": _count(govbot.log, "outcome=error"),
    }
    for name, count in failed.items():
        rows.append(
            measured(
                SECTION,
                f"{name} turns failed in the bot (whole run)",
                count,
                digits=0,
                target="0",
                ok=count == 0,
            )
        )
    for concurrency in CONCURRENCIES:
        echo_r, gov_r = results[("echo", concurrency)], results[("govbot", concurrency)]
        rows += [
            measured(SECTION, f"echo bot turns/s @{concurrency}", echo_r.turns_per_second),
            measured(SECTION, f"govbot turns/s @{concurrency}", gov_r.turns_per_second),
        ]
        if echo_r.turns_per_second:
            ratio = gov_r.turns_per_second / echo_r.turns_per_second
            rows.append(
                measured(
                    SECTION,
                    f"govbot/echo throughput ratio @{concurrency}",
                    ratio,
                    target=">= 1.5" if concurrency == 32 else "",
                    digits=2,
                    ok=ratio >= 1.5 if concurrency == 32 else None,
                )
            )
        for result in (echo_r, gov_r):
            p50, p95, p99 = (result.percentile(p) for p in (50, 95, 99))
            target = "p99 < 50 ms" if result.bot == "govbot" and concurrency == 8 else ""
            rows.append(
                Row(
                    SECTION,
                    f"{result.bot} latency p50/p95/p99 @{concurrency}",
                    f"{p50:.1f} / {p95:.1f} / {p99:.1f} ms",
                    target,
                    (p99 < 50) if target else None,
                )
            )
            if result.errors:
                rows.append(
                    measured(
                        SECTION,
                        f"{result.bot} turns without a reply @{concurrency}",
                        result.errors,
                        digits=0,
                    )
                )
    turns = {name: sum(results[(name, c)].turns for c in CONCURRENCIES) for name in cpu}
    if turns["echo"] and turns["govbot"]:
        echo_ms = cpu["echo"] / turns["echo"] * 1000
        gov_ms = cpu["govbot"] / turns["govbot"] * 1000
        rows += [
            measured(SECTION, "echo bot CPU per turn", echo_ms, " ms", digits=2),
            measured(SECTION, "govbot CPU per turn", gov_ms, " ms", digits=2),
            measured(SECTION, "echo/govbot CPU-per-turn ratio", echo_ms / gov_ms, digits=2),
        ]
    rows += [
        measured("memory", "govbot RSS after start-up", rss_idle, " MB"),
        measured(
            "memory",
            "govbot RSS after load",
            rss_loaded,
            " MB",
            target="< 250 MB",
            ok=rss_loaded < 250,
        ),
        measured("memory", "echo bot RSS after load", echo_rss, " MB"),
        measured(
            "memory", "govbot start-up to /healthz 200", govbot.startup_seconds, " s", digits=2
        ),
        measured(
            "memory", "echo bot start-up to /healthz 200", echo.startup_seconds, " s", digits=2
        ),
        measured(
            "memory",
            "govbot/echo start-up ratio",
            govbot.startup_seconds / echo.startup_seconds,
            digits=2,
        ),
    ]
    return rows


def _count(log: Path, marker: str) -> int:
    with log.open(encoding="utf-8", errors="replace") as lines:
        return sum(marker in line for line in lines)
