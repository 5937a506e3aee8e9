"""Fixtures for the Teams app package tests: Microsoft's schema, and small build factories."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from manifest import (
    DeveloperInfo,
    ManifestError,
    build_app_package,
    find_schema,
    install_schema,
    render_manifest,
)
from manifest.schema import SCHEMA_ENV

BOT_ID = "2b6f7c1e-1f0a-4c55-9d3e-0c8f2f7a9b11"
DOMAIN = "govbot.kommune.dk"


@pytest.fixture(scope="session", autouse=True)
def schema_path() -> Path:
    """The official schema; these tests fail, never skip, when it cannot be had."""
    try:
        return find_schema() if os.environ.get(SCHEMA_ENV) else install_schema()
    except ManifestError as exc:
        pytest.fail(f"Microsoft's Teams manifest schema is required: {exc}", pytrace=False)


@pytest.fixture
def bot_id() -> str:
    """The Azure Bot's Microsoft App ID used throughout."""
    return BOT_ID


@pytest.fixture
def domain() -> str:
    """The bot's public host name."""
    return DOMAIN


@pytest.fixture
def developer() -> DeveloperInfo:
    """Developer info as a municipality would give it."""
    return DeveloperInfo(
        name="IT & Digitalisering",
        website_url=f"https://{DOMAIN}/",
        privacy_url=f"https://{DOMAIN}/privatliv",
        terms_of_use_url=f"https://{DOMAIN}/vilkaar",
    )


@pytest.fixture
def render(developer: DeveloperInfo) -> Callable[..., dict[str, Any]]:
    """Render the manifest with sensible arguments, any of them overridden."""

    def render_with(**overrides: Any) -> dict[str, Any]:
        arguments = {
            "bot_id": BOT_ID,
            "developer": developer,
            "valid_domains": [DOMAIN],
            "version": "1.2.3",
        }
        return render_manifest(**{**arguments, **overrides})

    return render_with


@pytest.fixture
def build(tmp_path: Path, developer: DeveloperInfo) -> Callable[..., Path]:
    """Build the app package into tmp_path with sensible arguments, any of them overridden."""

    def build_with(**overrides: Any) -> Path:
        arguments = {
            "bot_id": BOT_ID,
            "out": tmp_path / "govbot.zip",
            "developer": developer,
            "valid_domains": [DOMAIN],
            "version": "1.2.3",
        }
        return build_app_package(**{**arguments, **overrides})

    return build_with
