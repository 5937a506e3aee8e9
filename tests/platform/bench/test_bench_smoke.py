"""The bench's pieces at toy size, so they cannot rot (no timing assertions here)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from bench.channel import BenchChannel
from bench.directory import populate
from bench.fanout import measure as measure_fanout
from bench.inprocess import measure as measure_inprocess
from bench.limits import TeamsLimits, minimum_span
from bench.load import Driver, LoadResult, single
from bench.mix import KINDS, mix, share
from bench.report import Row, markdown, measured, skipped, table
from bench.servers import start_echo
from bot.settings import Settings
from tests.support.server import start_bot


def test_teams_limits_refuse_the_eighth_send_in_a_second_and_say_how_long_to_wait() -> None:
    limits = TeamsLimits()
    waits = [limits.admit("a:1", 0.01 * i) for i in range(8)]
    assert waits[:7] == [0.0] * 7
    assert waits[7] == pytest.approx(1.0 - 0.07)
    assert limits.retry_after_header(waits[7]) == "1"
    assert limits.admit("a:2", 0.08) == 0.0  # another conversation is not held up by a:1


def test_global_limit_applies_across_conversations() -> None:
    limits = TeamsLimits()
    assert all(limits.admit(f"a:{i}", 0.0) == 0.0 for i in range(30))
    assert limits.admit("a:30", 0.5) == pytest.approx(0.5)


def test_minimum_span_is_bound_by_the_global_or_the_busiest_conversation() -> None:
    assert minimum_span({}) == 0.0
    assert minimum_span({f"a:{i}": 1 for i in range(61)}) == 2.0  # 30/s globally
    assert minimum_span({"a:1": 9}) == 2.0  # 8 in any 2 s
    assert minimum_span({"a:1": 61}) >= 30.0  # 60 in any 30 s


def test_report_renders_measured_and_skipped_rows() -> None:
    rows: list[Row] = [
        measured("turns", "govbot/echo throughput ratio @32", 1.71, target=">= 1.5", ok=True),
        skipped("scale-out", "two servers on PostgreSQL", "GOVBOT_TEST_DATABASE_URL not set"),
    ]
    printed = table(rows)
    assert "ratio" in printed and "1.7" in printed and "skipped: GOVBOT_TEST" in printed
    written = markdown(rows, {"python": "3.11"}, mode="quick", notes=["n"])
    assert "| turns | govbot/echo throughput ratio @32 | 1.7 | >= 1.5 | ok |" in written


async def test_in_process_section_on_a_toy_directory(database_url: str, tmp_path: Path) -> None:
    directory = await populate(database_url, systems=12, assignments=30)
    assert len(directory.systems) == 12
    rows = await measure_inprocess(tmp_path, database_url, directory.systems, 5, 60)
    names = " | ".join(row.name for row in rows)
    assert "role lookup" in names and "knowledge answer" in names and "CSV import" in names
    assert all(not row.value.startswith("skipped") for row in rows)


async def test_fan_out_section_delivers_each_reminder_once(tmp_path: Path) -> None:
    rows = {row.name: row for row in await measure_fanout(tmp_path, 64)}
    assert rows["duplicates"].value == "0"
    assert rows["lost"].value == "0"
    assert "time / theoretical minimum ratio" in rows


async def _drive(url: str, text: Callable[[random.Random], str]) -> LoadResult:
    channel = await BenchChannel().start()
    try:
        async with aiohttp.ClientSession() as client:
            driver = Driver(channel, client)
            await driver.warm_up(url, 2, single("toy", text))
            result = LoadResult("toy", 2)
            await driver.run(url, result, seconds=30, script=single("toy", text), max_turns=6)
    finally:
        await channel.stop()
    assert sum(channel.received.values()) >= result.turns
    return result


async def test_load_driver_completes_turns_against_govbot(
    make_settings: Callable[..., Settings],
) -> None:
    bot = await start_bot(make_settings(rate_limit_per_minute=0))
    try:
        result = await _drive(bot.url, lambda _rng: "hjælp")
    finally:
        await bot.stop()
    assert result.errors == 0
    assert result.turns == 6
    assert 0 < result.percentile(50) <= result.percentile(99)


async def test_load_driver_completes_turns_against_the_bare_echo_bot(tmp_path: Path) -> None:
    echo = start_echo(tmp_path)
    try:
        result = await _drive(echo.url, lambda _rng: "hej")
        assert echo.rss_mb() > 0
    finally:
        echo.stop()
    assert result.errors == 0
    assert result.turns == 6


async def test_kitos_section_at_toy_size(tmp_path: Path) -> None:
    from bench.kitos import measure as measure_kitos

    rows = await measure_kitos(tmp_path, usages=12, changes=3)
    assert [r.section for r in rows] == ["kitos", "kitos"]
    assert "12 usages, 60 assignments" in rows[0].name and "3 holders replaced" in rows[1].name


def test_the_mix_has_every_kind_and_walks_the_guide_back_to_back() -> None:
    turns = mix(["SBSYS", "Nexus"])(random.Random(1))
    cycle = [next(turns) for _ in range(14)]
    kinds = [kind for kind, _ in cycle]
    assert set(kinds) == set(KINDS) and sum(share(kind) for kind in KINDS) == 1
    steps = [text for kind, text in cycle if kind == "procurement step"]
    assert steps[0].startswith("vi vil gerne købe") and steps[-1] == "annuller"
    first = kinds.index("procurement step")
    assert kinds[first : first + len(steps)] == ["procurement step"] * len(steps)
