"""Start-up: the garbage collector is off while `govbot serve` builds, and on again after; the
one activity deserializer every request shares."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any, cast

import pytest
from click.testing import CliRunner

from bot.app import _parse_activity
from bot.cli import cli
from bot.readiness import WarmUp, freeze_imported
from bot.sdk import Activity, ChannelAccount, ConversationAccount
from knowledge.packs import load_pack
from knowledge.schema import Pack
from tests.support.activities import bot_added, execute, installation_update, message

SERVICE_URL = "http://127.0.0.1:1"


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


async def test_a_warm_up_with_the_collector_on_freezes_nothing() -> None:
    # Many apps in one process (the tests, the in-process bench): nothing of theirs is frozen.
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    warm_up = WarmUp()
    await warm_up.run(load_pack("randers"))
    assert warm_up.state == "ready"
    assert gc.get_freeze_count() <= frozen  # frozen objects may die, none are added


def test_serve_freezes_what_its_imports_made(collector_off: None) -> None:
    before = gc.get_freeze_count()
    freeze_imported()
    assert gc.get_freeze_count() > before
    gc.unfreeze()  # the tests' process goes on collecting everything


def test_with_the_collector_on_nothing_is_frozen_after_the_imports() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    freeze_imported()
    assert gc.get_freeze_count() <= frozen


def test_commands_other_than_serve_collect_from_the_start(collector_off: None) -> None:
    result = CliRunner().invoke(cli, ["version"])
    assert result.exit_code == 0
    assert gc.isenabled()


@pytest.mark.parametrize(
    "body",
    [
        message("hvem er systemejer for KMD Opus?", service_url=SERVICE_URL),
        message(None, service_url=SERVICE_URL, value={"action": "profile.unit"}),
        installation_update(service_url=SERVICE_URL),
        bot_added(service_url=SERVICE_URL),
        execute(
            {"verb": "procurement.next", "data": {"step": 2}},
            service_url=SERVICE_URL,
            inputs={"answer": "ja"},
        ),
    ],
)
def test_one_deserializer_reads_activities_as_msrest_does(body: dict[str, Any]) -> None:
    first = _parse_activity(body)
    again = _parse_activity(body)  # the shared deserializer keeps nothing from the first call
    expected = Activity().deserialize(body)
    assert isinstance(first, Activity) and isinstance(again, Activity)
    assert first.as_dict() == again.as_dict() == expected.as_dict()
    assert isinstance(first.conversation, ConversationAccount)
    assert isinstance(first.from_property, ChannelAccount)
