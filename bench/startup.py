"""`python -m bench.startup [--runs N] [--load SECONDS] [--workdir DIR]`: govbot's start-up
and memory alone, without the seven minutes of `make bench`.

Serves `govbot serve` as the bench does (bench.servers.start_govbot: README defaults, demo
data, the repository's model cache) on the bench's 10,000-system directory, `--runs` times in
a row on the same database, and prints per run: seconds to /healthz 200 (and the CPU seconds
the server spent until then), RSS after start-up,
and after `--load` seconds of the mix at 8 conversations (the bench's RSS after load). The
first run of a fresh work directory pays for any cache the later runs find; `--workdir`
keeps the populated database between invocations.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

from bench.channel import BenchChannel
from bench.directory import populate
from bench.load import Driver, LoadResult
from bench.mix import mix
from bench.servers import REPO, Server, _base_env, start_govbot
from storage.migrate import upgrade

CONVERSATIONS = 8
DATABASE = "govbot.db"
SYSTEMS_FILE = "systems.txt"
MODEL_CACHE = REPO / "var" / "nlu"  # as bench.servers.start_govbot sets it


async def _directory(workdir: Path) -> tuple[str, list[str]]:
    """The work directory's database URL and system names, populated on first use."""
    url = f"sqlite+aiosqlite:///{workdir / DATABASE}"
    names = workdir / SYSTEMS_FILE
    if not names.exists():
        upgrade(url)
        directory = await populate(url, systems=10_000, assignments=30_000, demo=True)
        names.write_text("\n".join(directory.systems), encoding="utf-8")
    return url, names.read_text(encoding="utf-8").splitlines()


async def _load(server: Server, systems: list[str], seconds: float) -> LoadResult:
    script = mix(systems)
    result = LoadResult("govbot", CONVERSATIONS)
    channel = await BenchChannel().start()
    try:
        async with aiohttp.ClientSession() as client:
            driver = Driver(channel, client)
            await driver.warm_up(server.url, CONVERSATIONS, script)
            await driver.run(server.url, result, seconds=seconds, script=script)
    finally:
        await channel.stop()
    return result


async def run(workdir: Path, runs: int, load_seconds: float) -> None:
    url, systems = await _directory(workdir)
    startups: list[float] = []
    for number in range(1, runs + 1):
        server = start_govbot(workdir, url)
        try:
            startups.append(server.startup_seconds)
            # CPU seconds say more than wall seconds on a shared machine.
            line = f"run {number}: start-up {server.startup_seconds:.2f} s "
            line += f"({server.cpu_seconds():.2f} s CPU), "
            line += f"RSS after start-up {server.rss_mb():.1f} MB"
            if load_seconds > 0:
                result = await _load(server, systems, load_seconds)
                line += f", after load {server.rss_mb():.1f} MB ({result.turns} turns, "
                line += f"{result.errors} errors)"
            print(line, flush=True)
        finally:
            server.stop()
    print(f"start-up median {statistics.median(startups):.2f} s, best {min(startups):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--load", type=float, default=0.0, help="seconds of load per run")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="govbot-startup-"))
    workdir.mkdir(parents=True, exist_ok=True)
    # What `make bench` runs first, into the model cache the servers use.
    build = [sys.executable, "-m", "bot", "nlu", "build"]
    subprocess.run(build, env=_base_env(GOVBOT_MODEL_CACHE=str(MODEL_CACHE)), check=True)
    asyncio.run(run(workdir, args.runs, args.load))


if __name__ == "__main__":
    main()
