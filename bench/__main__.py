"""`python -m bench [--quick]`: run every measurement, print the table, write results.md."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench import fanout, inprocess, kitos, turns
from bench.directory import Directory, populate
from bench.postgres import fresh_database
from bench.report import Row, machine, skipped, table, write_results
from storage.migrate import upgrade


@dataclass(frozen=True)
class Sizes:
    """How big each measurement is."""

    systems: int
    assignments: int
    plan: turns.Plan
    lookups: int
    import_rows: int
    deliveries: int


FULL = Sizes(10_000, 30_000, turns.Plan(rounds=4, slice_seconds=6), 2_000, 30_000, 2_000)
ONLY: list[str] = []
QUICK = Sizes(10_000, 30_000, turns.Plan(rounds=2, slice_seconds=3), 500, 5_000, 450)


SECTIONS = ("turns", "in-process", "fan-out", "fan-out, new chats", "scale-out", "kitos")


async def _section(
    rows: list[Row], notes: list[str], name: str, run: Callable[[], Awaitable[list[Row]]]
) -> None:
    """Run one section; a crash becomes a skipped row (and a note), never the end of the run."""
    if name not in ONLY:
        return
    began = time.perf_counter()
    print(f"… {name}", file=sys.stderr, flush=True)
    try:
        rows += await run()
    except Exception as error:
        rows.append(skipped(name, name, f"{type(error).__name__}: {error}"[:160]))
        notes.append(f"{name} failed: {traceback.format_exc(limit=3)}")
    print(f"  {name} took {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)


async def run(sizes: Sizes, workdir: Path) -> tuple[list[Row], list[str]]:
    """Every section, in order, against one SQLite directory database."""
    rows: list[Row] = []
    notes: list[str] = list(METHOD)
    url = f"sqlite+aiosqlite:///{workdir / 'govbot.db'}"
    upgrade(url)
    began = time.perf_counter()
    directory = await populate(url, systems=sizes.systems, assignments=sizes.assignments, demo=True)
    rows.append(
        Row(
            "setup",
            f"directory: {len(directory.systems):,} systems, {directory.assignments:,} roles, demo",
            f"{time.perf_counter() - began:.1f} s",
            "storage.demo.generate",
        )
    )
    await _section(rows, notes, "turns", lambda: _turns(rows, workdir, url, directory, sizes))
    await _section(
        rows,
        notes,
        "in-process",
        lambda: inprocess.measure(
            workdir, url, directory.systems, sizes.lookups, sizes.import_rows
        ),
    )
    await _section(rows, notes, "fan-out", lambda: fanout.measure(workdir, sizes.deliveries))
    await _section(
        rows,
        notes,
        "fan-out, new chats",
        lambda: fanout.measure(workdir, sizes.deliveries, stored=False),
    )
    await _section(
        rows, notes, "scale-out", lambda: fanout.measure_scale_out(workdir, sizes.deliveries)
    )
    await _section(rows, notes, "kitos", lambda: kitos.measure(workdir))
    return rows, notes


async def _turns(
    rows: list[Row], workdir: Path, url: str, directory: Directory, sizes: Sizes
) -> list[Row]:
    """The turns on SQLite, and on a fresh PostgreSQL database with the same directory when
    the server is there (else its rows are skipped, saying why)."""
    with ExitStack() as stack:
        try:
            postgres_url: str | None = stack.enter_context(fresh_database())
        except Exception as error:
            postgres_url = None
            rows.append(skipped("turns", "PostgreSQL turns", f"{type(error).__name__}: {error}"))
        if postgres_url is not None:
            began = time.perf_counter()
            upgrade(postgres_url)
            await populate(
                postgres_url, systems=sizes.systems, assignments=sizes.assignments, demo=True
            )
            rows.append(
                Row(
                    "setup",
                    "PostgreSQL: the same directory",
                    f"{time.perf_counter() - began:.1f} s",
                    "storage.demo.generate",
                )
            )
        return await turns.measure(workdir, url, directory.systems, sizes.plan, postgres_url)


METHOD = [
    "Turns: each conversation posts its next message as soon as the previous turn is done (its "
    "HTTP answer and its reply at the local serviceUrl), no think time; echo and govbot are "
    "loaded in alternating slices so both see the same background load. At N conversations "
    "on one core, latency is about N x the CPU per turn.",
    "govbot serves as `govbot serve` with the README's defaults and GOVBOT_DEMO_DATA=1, on the "
    "10,000-system directory, except GOVBOT_RATE_LIMIT_PER_MINUTE=0: the per-user abuse limit "
    "(30/min) would otherwise refuse the bench's deliberately busy users ('vent lidt' replies "
    "are cheap and would flatter or, at low concurrency, sink the ratio).",
    "Every bot gets the same mix of turns (bench.mix), each conversation following it from "
    "where it left off; echo echoes them. PostgreSQL: the same mix and directory on a fresh "
    "database, at 32 conversations, interleaved with the same echo bot.",
    "Fan-out: theoretical minimum = the larger of (all deliveries through Teams' global "
    "sliding window of 30/s) and (the busiest conversation through 7/1 s, 8/2 s, 60/30 s); "
    "measured = first to last delivery at the channel.",
    "Fan-out, new chats: the same to people govbot never talked to; each 1:1 chat is opened "
    "first (POST /v3/conversations), and each opening counts in the minimum as one more call "
    "through the global window (the bench channel limits creations like sends).",
]


def main() -> None:
    """Parse arguments, run, report."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under three minutes")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only these")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args()
    ONLY[:] = args.only or SECTIONS
    logging.basicConfig(level=logging.WARNING)
    sizes, mode = (QUICK, "quick") if args.quick else (FULL, "full")
    info = machine()
    began = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="govbot-bench-"))
    try:
        rows, notes = asyncio.run(run(sizes, workdir))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    info["run time"] = f"{time.perf_counter() - began:.0f} s ({mode})"
    print(table(rows))
    path = write_results(rows, info, mode=mode, notes=notes)
    print(f"\nwritten: {path}" + (f" (logs in {workdir})" if args.keep else ""))


if __name__ == "__main__":
    main()
