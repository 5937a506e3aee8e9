"""The reminder settings reach the dispatcher, and the in-process dispatcher can be left off."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import DISPATCHER, _run_dispatcher, create_app
from bot.settings import SettingsError, load_settings


def test_rate_grace_and_dispatcher_switch_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("GOVBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("GOVBOT_REMINDER_RATE", "5")
    monkeypatch.setenv("GOVBOT_REMINDER_GRACE_HOURS", "2")
    monkeypatch.setenv("GOVBOT_DISPATCHER", "0")
    app = create_app(load_settings())
    limits = app[DISPATCHER].limits
    assert (limits.global_per_second, limits.grace) == (5.0, timedelta(hours=2))
    assert _run_dispatcher not in app.cleanup_ctx

    monkeypatch.delenv("GOVBOT_DISPATCHER")
    monkeypatch.delenv("GOVBOT_REMINDER_RATE")
    app = create_app(load_settings())
    assert app[DISPATCHER].limits.global_per_second == 30.0
    assert _run_dispatcher in app.cleanup_ctx


def test_a_bad_rate_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVBOT_REMINDER_RATE", "0")
    with pytest.raises(SettingsError, match="GOVBOT_REMINDER_RATE"):
        load_settings()
