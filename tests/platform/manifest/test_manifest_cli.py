"""`govbot manifest build` and `install-schema`, driven through click's CliRunner."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from manifest.cli import manifest_cli
from manifest.schema import NPM_PACKAGE, NPM_VERSION, install_schema

NO_DEVELOPER_ENV: dict[str, str | None] = {
    name: None
    for name in (
        "GOVBOT_DEVELOPER_NAME",
        "GOVBOT_DEVELOPER_URL",
        "GOVBOT_PRIVACY_URL",
        "GOVBOT_TERMS_URL",
        "MicrosoftAppId",
        "MICROSOFT_APP_ID",
    )
}


def _manifest(package: Path) -> dict:
    with zipfile.ZipFile(package) as archive:
        return json.loads(archive.read("manifest.json"))


def test_build_writes_a_package_with_developer_info_from_the_environment(
    tmp_path: Path, bot_id: str, domain: str
) -> None:
    out = tmp_path / "govbot.zip"
    env = {
        **NO_DEVELOPER_ENV,
        "GOVBOT_DEVELOPER_NAME": "Randers Kommune",
        "GOVBOT_DEVELOPER_URL": "https://www.randers.dk/",
        "GOVBOT_PRIVACY_URL": "https://www.randers.dk/privatliv",
        "GOVBOT_TERMS_URL": "https://www.randers.dk/vilkaar",
    }
    args = ["build", "--bot-id", bot_id, "--out", str(out), "--version", "2.1.0"]
    result = CliRunner().invoke(manifest_cli, [*args, "--domain", domain], env=env)
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    manifest = _manifest(out)
    assert manifest["version"] == "2.1.0"
    assert manifest["developer"] == {
        "name": "Randers Kommune",
        "websiteUrl": "https://www.randers.dk/",
        "privacyUrl": "https://www.randers.dk/privatliv",
        "termsOfUseUrl": "https://www.randers.dk/vilkaar",
    }


def test_developer_urls_default_to_pages_on_the_first_domain(
    tmp_path: Path, bot_id: str, domain: str
) -> None:
    out = tmp_path / "govbot.zip"
    args = ["build", "--bot-id", bot_id, "--out", str(out), "--domain", domain]
    args += ["--domain", "*.kommune.dk"]
    result = CliRunner().invoke(manifest_cli, args, env=NO_DEVELOPER_ENV)
    assert result.exit_code == 0, result.output
    manifest = _manifest(out)
    assert manifest["developer"] == {
        "name": "govbot",
        "websiteUrl": f"https://{domain}/",
        "privacyUrl": f"https://{domain}/privatliv",
        "termsOfUseUrl": f"https://{domain}/vilkaar",
    }
    assert manifest["validDomains"] == [domain, "*.kommune.dk", "token.botframework.com"]


def test_bot_id_may_come_from_bot_frameworks_own_variable(
    tmp_path: Path, bot_id: str, domain: str
) -> None:
    out = tmp_path / "govbot.zip"
    env = {**NO_DEVELOPER_ENV, "MicrosoftAppId": bot_id}
    result = CliRunner().invoke(
        manifest_cli, ["build", "--out", str(out), "--domain", domain], env=env
    )
    assert result.exit_code == 0, result.output
    assert _manifest(out)["bots"][0]["botId"] == bot_id


def _refused(args: list[str]) -> str:
    result = CliRunner().invoke(manifest_cli, ["build", *args], env=NO_DEVELOPER_ENV)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_bad_bot_id_exits_2_with_one_clear_line(tmp_path: Path, domain: str) -> None:
    out = tmp_path / "govbot.zip"
    line = _refused(["--bot-id", "my-bot", "--out", str(out), "--domain", domain])
    assert line.startswith("Error: bot id 'my-bot' is not a GUID")
    assert not out.exists()


def test_non_semver_version_exits_2(tmp_path: Path, bot_id: str, domain: str) -> None:
    out = tmp_path / "govbot.zip"
    line = _refused(["--bot-id", bot_id, "--out", str(out), "--domain", domain, "--version", "1"])
    assert line == "Error: manifest.json $.version: '1' is not MAJOR.MINOR.PATCH"


def test_coloured_outline_exits_2(tmp_path: Path, bot_id: str, domain: str) -> None:
    icon = tmp_path / "outline.png"
    Image.new("RGBA", (32, 32), (0, 0, 0, 255)).save(icon)
    out = tmp_path / "govbot.zip"
    line = _refused(
        ["--bot-id", bot_id, "--out", str(out), "--domain", domain, "--outline-icon", str(icon)]
    )
    assert line.startswith(
        "Error: outline.png: has 1024 visible non-white pixel(s), first at (0, 0)"
    )
    assert not out.exists()


def test_missing_developer_urls_without_a_domain_exit_2(tmp_path: Path, bot_id: str) -> None:
    line = _refused(["--bot-id", bot_id, "--out", str(tmp_path / "govbot.zip")])
    assert "GOVBOT_DEVELOPER_URL" in line and "--domain" in line


def test_install_schema_is_idempotent_and_names_the_schema() -> None:
    for _ in range(2):
        result = CliRunner().invoke(manifest_cli, ["install-schema"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"{NPM_PACKAGE}@{NPM_VERSION}: {install_schema()}"
