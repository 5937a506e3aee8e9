"""Finding and installing Microsoft's schema, and resolving its references offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import manifest.npm
from manifest import SchemaNotInstalledError, find_schema, install_schema
from manifest.schema import (
    CACHE_DIR,
    NPM_VERSION,
    SCHEMA_ENV,
    SCHEMA_URL,
    ManifestError,
    schema_problems,
)


@pytest.fixture(autouse=True)
def _no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCHEMA_ENV, raising=False)


def test_the_installed_schema_is_the_pinned_packages_v1_30() -> None:
    schema_path = install_schema()
    assert find_schema() == schema_path
    package = json.loads(
        (CACHE_DIR / "node_modules/@microsoft/app-manifest/package.json").read_text()
    )
    assert package["version"] == NPM_VERSION
    schema = json.loads(schema_path.read_text(encoding="utf-8-sig"))
    assert schema["properties"]["manifestVersion"]["const"] == "1.30"


def test_install_is_a_no_op_when_present_even_without_npm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema_path = install_schema()
    monkeypatch.setattr(manifest.npm.shutil, "which", lambda name: None)
    assert install_schema() == schema_path


def test_install_without_npm_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(manifest.npm.shutil, "which", lambda name: None)
    with pytest.raises(
        SchemaNotInstalledError, match=r"npm is not installed.*GOVBOT_MANIFEST_SCHEMA"
    ):
        install_schema(tmp_path)


def test_missing_schema_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(SchemaNotInstalledError, match="python -m manifest install-schema"):
        find_schema(tmp_path)


def test_an_outdated_cache_is_not_used(tmp_path: Path) -> None:
    package = tmp_path / "node_modules/@microsoft/app-manifest"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"version": "1.0.1"}')
    with pytest.raises(SchemaNotInstalledError, match=f"holds .*@1.0.1, govbot pins {NPM_VERSION}"):
        find_schema(tmp_path)


def test_environment_variable_overrides_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, schema_path: Path
) -> None:
    monkeypatch.setenv(SCHEMA_ENV, str(schema_path))
    assert find_schema(tmp_path) == schema_path
    monkeypatch.setenv(SCHEMA_ENV, str(tmp_path / "nothing.json"))
    with pytest.raises(SchemaNotInstalledError, match=r"GOVBOT_MANIFEST_SCHEMA=.*is not a file"):
        find_schema()


def _schema_dir(tmp_path: Path, ref: str) -> Path:
    """A draft-04 schema in the published layout whose `name` points at `ref`."""
    folder = tmp_path / "v1.30"
    folder.mkdir()
    (folder / "Shared.schema.json").write_text(
        json.dumps({"definitions": {"shortText": {"type": "string", "maxLength": 6}}})
    )
    main = folder / "MicrosoftTeams.schema.json"
    main.write_text(
        "\ufeff"  # like some of Microsoft's files
        + json.dumps(
            {
                "$schema": "http://json-schema.org/draft-04/schema#",
                "properties": {"name": {"$ref": ref}, "version": {"type": "string"}},
                "definitions": {"semver": {"type": "string"}},
            }
        )
    )
    return main


@pytest.mark.parametrize(
    "ref",
    [
        "Shared.schema.json#/definitions/shortText",
        SCHEMA_URL.replace("MicrosoftTeams", "Shared") + "#/definitions/shortText",
        SCHEMA_URL.replace(".com/json", ".com/en-us/json").replace("MicrosoftTeams", "Shared")
        + "#/definitions/shortText",
    ],
    ids=["relative", "published-url", "localised-url"],
)
def test_references_to_other_schema_files_resolve_from_the_package(
    tmp_path: Path, ref: str
) -> None:
    schema = _schema_dir(tmp_path, ref)
    assert schema_problems({"name": "govbot"}, schema) == []
    assert schema_problems({"name": "govbot – IT"}, schema) == [
        "$.name: is 11 characters long; at most 6 allowed"
    ]


def test_references_outside_the_package_are_never_fetched(tmp_path: Path) -> None:
    schema = _schema_dir(tmp_path, "https://example.com/remote.json#/definitions/x")
    with pytest.raises(
        ManifestError, match=r"https://example\.com/remote\.json.*not available offline"
    ):
        schema_problems({"name": "govbot"}, schema)
