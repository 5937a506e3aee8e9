"""The KITOS settings (the password a secret, the set complete) and the role mapping file
(validated against the pack; by name or UUID; ignored roles are not 'unmapped')."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import create_app
from bot.settings import Settings, SettingsError, load_settings
from knowledge.kitos_roles import KitosRoleMappingError, load_kitos_role_mapping
from tests.directory.helpers import PACK


def test_kitos_settings_default_and_keep_the_password_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().kitos_url == "" and load_settings().kitos_interval_minutes == 30
    monkeypatch.setenv("GOVBOT_KITOS_URL", "https://kitos.dk")
    monkeypatch.setenv("GOVBOT_KITOS_USER", "api@kommune.dk")
    monkeypatch.setenv("GOVBOT_KITOS_PASSWORD", "kitos-hemmelighed")
    monkeypatch.setenv("GOVBOT_KITOS_CVR", "29189919")
    monkeypatch.setenv("GOVBOT_KITOS_SCHEDULE", "0")
    settings = load_settings()
    assert settings.kitos_password.get_secret_value() == "kitos-hemmelighed"
    assert "kitos-hemmelighed" not in repr(settings) and not settings.kitos_schedule


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("GOVBOT_KITOS_URL", "kitos.dk", "GOVBOT_KITOS_URL"),
        ("GOVBOT_KITOS_CVR", "1234", "GOVBOT_KITOS_CVR"),
        ("GOVBOT_KITOS_INTERVAL_MINUTES", "0", "GOVBOT_KITOS_INTERVAL_MINUTES"),
        ("GOVBOT_KITOS_PASSWORD", "", "GOVBOT_KITOS_PASSWORD is required"),
    ],
)
def test_a_bad_kitos_setting_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    good = {
        "GOVBOT_KITOS_URL": "https://kitos.dk",
        "GOVBOT_KITOS_USER": "api@kommune.dk",
        "GOVBOT_KITOS_PASSWORD": "x",
        "GOVBOT_KITOS_CVR": "29189919",
    }
    for name, setting in {**good, variable: value}.items():
        monkeypatch.setenv(name, setting)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert said in str(error.value)


def test_the_mapping_takes_names_and_uuids_and_resolves_the_packs_roles(tmp_path: Path) -> None:
    path = tmp_path / "roller.yaml"
    path.write_text(
        "roles:\n"
        "  System- og dataejer: system_og_dataejer\n"
        "  0E8A3F1C-0000-4000-8000-000000000002: Systemansvarlig\n"
        "ignore: [Kaffeansvarlig]\n",
        encoding="utf-8",
    )
    mapping = load_kitos_role_mapping(path, PACK)
    assert mapping.roles_for("x", "system- og dataejer") == PACK.expand_role("system_og_dataejer")
    assert mapping.roles_for("0e8a3f1c-0000-4000-8000-000000000002", "Anden") == (
        "systemansvarlig",
    )
    assert mapping.roles_for("y", "Kaffeansvarlig") == ()
    assert mapping.roles_for("z", "Forretningsejer") is None


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("roles:\n  Systemejer: kaffeansvarlig\n", "'kaffeansvarlig' is no role"),
        ("roles: {}\n", "roles"),
        ("rolles:\n  Systemejer: systemejer\n", "rolles"),
        ("roles: [\n", "cannot be read"),
    ],
)
def test_a_bad_mapping_says_why(tmp_path: Path, content: str, said: str) -> None:
    path = tmp_path / "roller.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KitosRoleMappingError) as error:
        load_kitos_role_mapping(path, PACK)
    assert said in str(error.value)


def test_serve_does_not_start_on_a_mapping_that_does_not_fit_the_pack(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    path = tmp_path / "roller.yaml"
    path.write_text("roles:\n  Systemejer: kaffeansvarlig\n", encoding="utf-8")
    settings = make_settings(
        kitos_url="https://kitos.dk",
        kitos_user="api@kommune.dk",
        kitos_password="x",
        kitos_cvr="29189919",
        kitos_role_mapping=path,
    )
    with pytest.raises(KitosRoleMappingError):
        create_app(settings)
