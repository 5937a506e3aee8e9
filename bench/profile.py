"""`python -m bench.profile [seconds]`: govbot's turns under pyinstrument, the hot paths as text.

Serves `govbot serve` under pyinstrument in its own process (on the bench's 10,000-system
directory and the demo data, with the repository's model cache as the bench's servers use it),
drives 8 conversations with the mix (bench.mix) at it, stops it with SIGINT and prints the
call tree.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

from bench.channel import BenchChannel
from bench.directory import populate
from bench.load import Driver, LoadResult
from bench.mix import mix
from bench.servers import REPO, _base_env, free_port, start
from storage.migrate import upgrade

CONVERSATIONS = 8


async def profile(seconds: float, workdir: Path) -> Path:
    """Profile govbot for `seconds` of load; returns the text report's path."""
    url = f"sqlite+aiosqlite:///{workdir / 'govbot.db'}"
    upgrade(url)
    directory = await populate(url, systems=10_000, assignments=30_000, demo=True)
    label, script = "the mix (bench.mix)", mix(directory.systems)
    report = workdir / "profile.txt"
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "pyinstrument",
        "--renderer",
        "text",
        "--outfile",
        str(report),
        "--show-all" if "--all" in sys.argv else "--hide-regex=^$",
        "-m",
        "bot",
        "serve",
    ]
    env = _base_env(
        GOVBOT_DATABASE_URL=url,
        GOVBOT_PORT=str(port),
        GOVBOT_RATE_LIMIT_PER_MINUTE="0",
        GOVBOT_DEMO_DATA="1",
        GOVBOT_MODEL_CACHE=str(REPO / "var" / "nlu"),
        MicrosoftAppId="",
    )
    server = start("govbot-profiled", argv, port=port, env=env, workdir=workdir)
    channel = await BenchChannel().start()
    try:
        async with aiohttp.ClientSession() as client:
            driver = Driver(channel, client)
            await driver.warm_up(server.url, CONVERSATIONS, script)
            result = LoadResult("govbot", CONVERSATIONS)
            await driver.run(server.url, result, seconds=seconds, script=script)
    finally:
        await channel.stop()
        server.process.send_signal(signal.SIGINT)
        try:
            # pyinstrument renders the whole session after the server stops: on a busy
            # machine that takes longer than the server's own shutdown.
            server.process.wait(180)
        except subprocess.TimeoutExpired:
            server.process.kill()
    print(
        f"{label}: {result.turns} turns, {result.turns_per_second:.1f}/s, "
        f"p50 {result.percentile(50):.1f} ms, p99 {result.percentile(99):.1f} ms"
    )
    return report


def main() -> None:
    """Run and print the profile."""
    seconds = float(next((a for a in sys.argv[1:] if not a.startswith("-")), 15))
    workdir = Path(tempfile.mkdtemp(prefix="govbot-profile-"))
    report = asyncio.run(profile(seconds, workdir))
    print(report.read_text() if report.exists() else f"no profile written; see {workdir}")


if __name__ == "__main__":
    main()
