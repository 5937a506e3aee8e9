"""The Teams app package: rendered from the template, checked by Microsoft's schema, zipped."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from manifest import (
    MANIFEST_VERSION,
    DeveloperInfo,
    ManifestError,
    validate_manifest,
)
from manifest.schema import CACHE_DIR, SCHEMA_URL, install_schema, schema_problems

HERE = Path(__file__).resolve().parent


@pytest.fixture
def manifest(render: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A freshly rendered manifest for one domain."""
    return render()


@pytest.fixture
def built(tmp_path: Path, build: Callable[..., Path]) -> Path:
    """A built app package, in a folder the build has to create."""
    return build(out=tmp_path / "out" / "govbot.zip")


def _packaged_manifest(package: Path) -> dict[str, Any]:
    with zipfile.ZipFile(package) as archive:
        return json.loads(archive.read("manifest.json").decode("utf-8"))


def test_zip_holds_exactly_the_manifest_and_both_icons_at_its_root(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        assert archive.namelist() == ["manifest.json", "color.png", "outline.png"]
        assert archive.testzip() is None


def test_packaged_manifest_passes_the_official_schema(built: Path, schema_path: Path) -> None:
    manifest = _packaged_manifest(built)
    assert manifest["$schema"] == SCHEMA_URL
    assert manifest["manifestVersion"] == MANIFEST_VERSION
    assert schema_problems(manifest, schema_path) == []


@pytest.fixture(scope="module")
def microsoft_validator() -> Callable[[dict[str, Any]], list[str]]:
    """Microsoft's own validator (ajv, as @microsoft/app-manifest runs it), via node."""
    schema = install_schema()
    node = shutil.which("node")
    assert node, "node is needed to cross-check with Microsoft's validator (npm brings it)"
    env = {**os.environ, "NODE_PATH": str(CACHE_DIR / "node_modules")}

    def failing_paths(manifest: dict[str, Any]) -> list[str]:
        result = subprocess.run(
            [node, str(HERE / "microsoft_validator.js"), str(schema)],
            input=json.dumps(manifest),
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return json.loads(result.stdout)

    return failing_paths


def test_microsoft_validator_accepts_the_packaged_manifest(
    built: Path, microsoft_validator: Callable[[dict[str, Any]], list[str]]
) -> None:
    assert microsoft_validator(_packaged_manifest(built)) == []


def test_bot_id_is_filled_in_everywhere_it_belongs(built: Path, bot_id: str, domain: str) -> None:
    manifest = _packaged_manifest(built)
    assert manifest["id"] == bot_id
    assert manifest["bots"][0]["botId"] == bot_id
    assert manifest["webApplicationInfo"] == {
        "id": bot_id,
        "resource": f"api://{domain}/botid-{bot_id}",
    }
    assert json.dumps(manifest).count(bot_id) == 4


def test_manifest_carries_version_developer_domains_and_bot_setup(
    manifest: dict[str, Any], developer: DeveloperInfo, domain: str
) -> None:
    assert manifest["version"] == "1.2.3"
    assert manifest["developer"] == {
        "name": developer.name,
        "websiteUrl": developer.website_url,
        "privacyUrl": developer.privacy_url,
        "termsOfUseUrl": developer.terms_of_use_url,
    }
    assert manifest["validDomains"] == [domain, "token.botframework.com"]
    bot = manifest["bots"][0]
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["supportsFiles"] is False
    assert manifest["localizationInfo"]["defaultLanguageTag"] == "da-dk"


def test_without_a_domain_the_sso_resource_is_the_standalone_bot_form(
    render: Callable[..., dict[str, Any]], bot_id: str, schema_path: Path
) -> None:
    manifest = render(valid_domains=[])
    assert manifest["webApplicationInfo"]["resource"] == f"api://botid-{bot_id}"
    assert manifest["validDomains"] == ["token.botframework.com"]
    assert schema_problems(manifest, schema_path) == []


def test_commands_are_danish_and_within_the_classic_command_menu_limits(
    manifest: dict[str, Any],
) -> None:
    # Schema v1.21+ allows longer titles, but Teams' command menu still shows about 32 characters.
    lists = manifest["bots"][0]["commandLists"]
    assert [entry["scopes"] for entry in lists] == [["personal"], ["team", "groupChat"]]
    titles = [command["title"] for command in lists[0]["commands"]]
    assert {
        "hjælp",
        "indkøb",
        "mine anmodninger",
        "hvem er systemejer for",
        "registrer initiativ",
        "mine initiativer",
        "næste møde i",
        "årshjulet",
        "hvad ved du om mig",
    } <= set(titles)
    for entry in lists:
        assert len(entry["commands"]) <= 10
        for command in entry["commands"]:
            assert 0 < len(command["title"]) <= 32
            assert 0 < len(command["description"]) <= 128
    assert "hvad ved du om mig" not in [c["title"] for c in lists[1]["commands"]]


def test_values_from_the_build_are_escaped_not_spliced(
    render: Callable[..., dict[str, Any]], schema_path: Path
) -> None:
    tricky = 'IT "&" <Digi>\\ {{ x }}'
    developer = DeveloperInfo(
        name=tricky,
        website_url="https://example.dk/?a=1&b='2'",
        privacy_url="https://example.dk/p",
        terms_of_use_url="https://example.dk/t",
    )
    manifest = render(developer=developer)
    assert manifest["developer"]["name"] == tricky
    assert manifest["developer"]["websiteUrl"] == "https://example.dk/?a=1&b='2'"
    assert schema_problems(manifest, schema_path) == []


def test_the_same_input_builds_the_same_bytes(tmp_path: Path, build: Callable[..., Path]) -> None:
    first, second = (build(out=tmp_path / name).read_bytes() for name in ("a.zip", "b.zip"))
    assert first == second


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets the value at a dotted path (list indices as numbers)."""
    *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]

    def mutate(manifest: dict[str, Any]) -> None:
        node: Any = manifest
        for part in parents:
            node = node[part]
        node[last] = value

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def mutate(manifest: dict[str, Any]) -> None:
        node: Any = manifest
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


_COMMANDS = "bots.0.commandLists.0.commands"
BROKEN = [
    pytest.param(
        _set(f"{_COMMANDS}.0.title", "x" * 129),
        "/bots/0/commandLists/0/commands/0/title",
        "$.bots[0].commandLists[0].commands[0].title: is 129 characters long; at most 128 allowed",
        id="command-title-too-long",
    ),
    pytest.param(
        _set(_COMMANDS, [{"title": f"kommando {n}"} for n in range(13)]),
        "/bots/0/commandLists/0/commands",
        "$.bots[0].commandLists[0].commands: has 13 items; at most 12 allowed",
        id="too-many-commands",
    ),
    pytest.param(
        _set("bots.0.botId", "not-a-guid"),
        "/bots/0/botId",
        "$.bots[0].botId: 'not-a-guid' does not match the pattern ^[0-9a-fA-F]{8}-",
        id="bad-bot-id",
    ),
    pytest.param(
        _set("manifestVersion", "1.29"),
        "/manifestVersion",
        "$.manifestVersion: '1.30' was expected",
        id="wrong-manifest-version",
    ),
    pytest.param(
        _set("name.short", "govbot – kommunens IT-assistent"),
        "/name/short",
        "$.name.short: is 31 characters long; at most 30 allowed",
        id="short-name-too-long",
    ),
    pytest.param(
        _set("description.short", "x" * 81),
        "/description/short",
        "$.description.short: is 81 characters long; at most 80 allowed",
        id="short-description-too-long",
    ),
    pytest.param(
        _set("accentColor", "blue"),
        "/accentColor",
        "$.accentColor: 'blue' does not match the pattern ^#[0-9a-fA-F]{6}$",
        id="accent-colour-not-hex",
    ),
    pytest.param(
        _set("bots.0.scopes", ["personal", "channel"]),
        "/bots/0/scopes/1",
        "$.bots[0].scopes[1]: 'channel' is not one of",
        id="unknown-scope",
    ),
    pytest.param(
        _delete("developer.privacyUrl"),
        "/developer",
        "$.developer: 'privacyUrl' is a required property",
        id="privacy-url-missing",
    ),
    pytest.param(
        _set("bots.0.botid", "2b6f7c1e-1f0a-4c55-9d3e-0c8f2f7a9b11"),
        "/bots/0",
        "$.bots[0]: Additional properties are not allowed ('botid' was unexpected)",
        id="misspelt-property",
    ),
]


@pytest.mark.parametrize(("mutate", "instance_path", "message"), BROKEN)
def test_broken_manifest_is_refused_with_a_precise_message(
    manifest: dict[str, Any],
    mutate: Callable[[dict[str, Any]], None],
    instance_path: str,
    message: str,
    microsoft_validator: Callable[[dict[str, Any]], list[str]],
) -> None:
    broken = copy.deepcopy(manifest)
    mutate(broken)
    with pytest.raises(ManifestError) as refused:
        validate_manifest(broken)
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith(f"manifest.json {message}")
    # Microsoft's own validator refuses it at the same place.
    assert instance_path in microsoft_validator(broken)


def test_version_must_be_major_minor_patch(manifest: dict[str, Any]) -> None:
    manifest["version"] = "1.0"
    with pytest.raises(ManifestError, match=r"\$\.version: '1\.0' is not MAJOR\.MINOR\.PATCH"):
        validate_manifest(manifest)


@pytest.mark.parametrize(
    ("bad_id", "message"),
    [
        ("1234", "bot id '1234' is not a GUID"),
        ("", "bot id '' is not a GUID"),
        ("2b6f7c1e1f0a4c559d3e0c8f2f7a9b11", "is not a GUID"),
        ('2b6f7c1e-1f0a-4c55-9d3e-0c8f2f7a9b11", "x": "', "is not a GUID"),
    ],
)
def test_bad_bot_id_is_refused_before_anything_is_written(
    tmp_path: Path, build: Callable[..., Path], bad_id: str, message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        build(bot_id=bad_id)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("domains", "message"),
    [
        (["https://govbot.kommune.dk"], "domain 'https://govbot.kommune.dk' is not a lower-case"),
        (["govbot.kommune.dk/api"], "is not a lower-case host name"),
        (["GovBot.Kommune.dk"], "is not a lower-case host name"),
        (["*.kommune.dk"], r"the first domain '\*\.kommune\.dk' names the SSO resource"),
    ],
)
def test_bad_domain_is_refused(
    render: Callable[..., dict[str, Any]], domains: list[str], message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        render(valid_domains=domains)


def test_wildcard_is_allowed_after_the_first_domain(
    render: Callable[..., dict[str, Any]], domain: str, schema_path: Path
) -> None:
    manifest = render(valid_domains=[domain, "*.kommune.dk"])
    assert manifest["validDomains"] == [domain, "*.kommune.dk", "token.botframework.com"]
    assert schema_problems(manifest, schema_path) == []
