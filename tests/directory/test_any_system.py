"""Words that mean any system ("dataene i et system") name no system to look up."""

from __future__ import annotations

from bot.capabilities.directory import _any_system


def test_any_system_is_no_system_name() -> None:
    assert _any_system("dataene i et system") and _any_system("the data in a system")
    assert _any_system("vores systemer") and _any_system("alle fagsystemer")
    assert not _any_system("SBSYS") and not _any_system("systemet")
    assert not _any_system("booking systemet")
