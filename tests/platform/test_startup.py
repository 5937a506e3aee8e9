"""Start-up: the garbage collector is off while `govbot serve` builds, and on again after."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import cast

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.readiness import WarmUp
from knowledge.packs import load_pack
from knowledge.schema import Pack


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The collector as `bot.cli.main` leaves it; on again whatever the test does."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class BrokenPack:
    """A pack whose knowledge index cannot be built."""

    @property
    def knowledge(self) -> object:
        raise ValueError("no index")


async def test_the_warm_up_turns_the_collector_on(collector_off: None) -> None:
    warm_up = WarmUp()
    await warm_up.run(load_pack("randers"))
    assert warm_up.state == "ready"
    assert gc.isenabled()


async def test_a_failed_warm_up_turns_the_collector_on_too(collector_off: None) -> None:
    warm_up = WarmUp()
    await warm_up.run(cast(Pack, BrokenPack()))
    assert warm_up.state == "failed"
    assert gc.isenabled()


def test_commands_other_than_serve_collect_from_the_start(collector_off: None) -> None:
    result = CliRunner().invoke(cli, ["version"])
    assert result.exit_code == 0
    assert gc.isenabled()
