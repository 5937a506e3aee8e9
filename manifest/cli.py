"""`govbot manifest …`: build the Teams app package, and install the schema that checks it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from manifest.adaptive_cards import NPM_PACKAGE as ADAPTIVECARDS_PACKAGE
from manifest.adaptive_cards import NPM_VERSION as ADAPTIVECARDS_VERSION
from manifest.adaptive_cards import install_adaptivecards
from manifest.errors import ManifestError
from manifest.package import DeveloperInfo, build_app_package
from manifest.schema import MANIFEST_VERSION, NPM_PACKAGE, NPM_VERSION, install_schema

DEFAULT_DEVELOPER_NAME = "govbot"


@click.group("manifest")
def manifest_cli() -> None:
    """Build and check govbot's Microsoft Teams app package."""


def _developer(
    name: str,
    website_url: str | None,
    privacy_url: str | None,
    terms_url: str | None,
    domains: tuple[str, ...],
) -> DeveloperInfo:
    """Developer info from options/env, with URLs defaulting to pages on the bot's own domain."""
    if not (website_url and privacy_url and terms_url) and not domains:
        raise ManifestError(
            "set GOVBOT_DEVELOPER_URL, GOVBOT_PRIVACY_URL and GOVBOT_TERMS_URL, "
            "or pass --domain so they default to pages on that domain"
        )
    base = f"https://{domains[0]}" if domains else ""
    return DeveloperInfo(
        name=name,
        website_url=website_url or f"{base}/",
        privacy_url=privacy_url or f"{base}/privatliv",
        terms_of_use_url=terms_url or f"{base}/vilkaar",
    )


@manifest_cli.command("build")
@click.option(
    "--bot-id",
    required=True,
    envvar=["MicrosoftAppId", "MICROSOFT_APP_ID"],
    show_envvar=True,
    help="The Microsoft App ID of the Azure Bot (a GUID).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("govbot.zip"),
    show_default=True,
    help="Where to write the zip for the Teams admin center.",
)
@click.option(
    "--version",
    "version",
    default="1.0.0",
    show_default=True,
    help="App version (X.Y.Z); raise it for every upload.",
)
@click.option(
    "--domain",
    "domains",
    multiple=True,
    metavar="HOST",
    help="A domain the app uses (repeatable); the first also names the SSO resource.",
)
@click.option(
    "--developer-name",
    envvar="GOVBOT_DEVELOPER_NAME",
    show_envvar=True,
    default=DEFAULT_DEVELOPER_NAME,
    show_default=True,
)
@click.option(
    "--developer-url",
    envvar="GOVBOT_DEVELOPER_URL",
    show_envvar=True,
    help="Default: https://<first domain>/",
)
@click.option(
    "--privacy-url",
    envvar="GOVBOT_PRIVACY_URL",
    show_envvar=True,
    help="Default: https://<first domain>/privatliv",
)
@click.option(
    "--terms-url",
    envvar="GOVBOT_TERMS_URL",
    show_envvar=True,
    help="Default: https://<first domain>/vilkaar",
)
@click.option(
    "--color-icon",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Replace the 192×192 colour icon.",
)
@click.option(
    "--outline-icon",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Replace the 32×32 white-on-transparent outline icon.",
)
def build(
    bot_id: str,
    out: Path,
    version: str,
    domains: tuple[str, ...],
    developer_name: str,
    developer_url: str | None,
    privacy_url: str | None,
    terms_url: str | None,
    color_icon: Path | None,
    outline_icon: Path | None,
) -> None:
    """Validate the manifest and icons against Microsoft's schema, then zip them."""
    try:
        developer = _developer(developer_name, developer_url, privacy_url, terms_url, domains)
        path = build_app_package(
            bot_id=bot_id,
            out=out,
            developer=developer,
            valid_domains=list(domains),
            version=version,
            color_icon=color_icon,
            outline_icon=outline_icon,
        )
    except ManifestError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise click.exceptions.Exit(2) from exc
    click.echo(f"Wrote {path} (Teams manifest v{MANIFEST_VERSION}, app version {version}).")


@manifest_cli.command("install-schema")
def install_schema_command() -> None:
    """Install Microsoft's manifest schema (npm) into the local cache; fast when present."""
    _install(install_schema, f"{NPM_PACKAGE}@{NPM_VERSION}")


@manifest_cli.command("install-card-renderer")
def install_card_renderer_command() -> None:
    """Install Microsoft's Adaptive Cards renderer (npm) that the card tests parse with."""
    _install(install_adaptivecards, f"{ADAPTIVECARDS_PACKAGE}@{ADAPTIVECARDS_VERSION}")


def _install(install: Callable[[], Path], spec: str) -> None:
    """Run `install` and print where `spec` is; a refusal is one clear line."""
    try:
        path = install()
    except ManifestError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{spec}: {path}")
