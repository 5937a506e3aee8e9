"""Configuration: Bot Framework's names, comma lists, one clear line for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///var/govbot.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 3978)
    assert settings.knowledge_pack == "randers"
    assert settings.language == "da"
    assert settings.development_mode and settings.host_is_loopback


def test_bot_framework_names_and_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MicrosoftAppId", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("MicrosoftAppPassword", "s3cret-value")
    monkeypatch.setenv("GOVBOT_ALLOWED_TENANTS", " T1 , t2,,")
    monkeypatch.setenv("GOVBOT_KNOWLEDGE_PACK", "rebild")
    settings = load_settings()
    assert settings.app_id.startswith("1111")
    assert settings.allowed_tenants == {"t1", "t2"}
    assert settings.knowledge_pack == "rebild"
    assert "s3cret-value" not in repr(settings) and "s3cret-value" not in str(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GOVBOT_PORT", "not-a-port"),
        ("GOVBOT_PORT", "70000"),
        ("GOVBOT_KNOWLEDGE_PACK", "aarhus"),
        ("GOVBOT_TIMEZONE", "Mars/Olympus"),
        ("GOVBOT_DATABASE_URL", "mysql://x"),
        ("GOVBOT_DATABASE_URL", "not a url"),
        ("GOVBOT_LANGUAGE", "de"),
        ("GOVBOT_LANGUAGE", "da-DK"),
        ("MicrosoftAppType", "Anything"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert message.startswith(f"{variable}: ")
    assert "\n" not in message
