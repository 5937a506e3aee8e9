"""The `govbot` command line: serve, chat, ask, db upgrade, version, and each capability's tools."""

from __future__ import annotations

import asyncio
import gc
import getpass
import importlib
import logging
import sys
from importlib.metadata import version as package_version

import click

from bot.cli_support import with_settings
from bot.settings import Settings
from knowledge.kitos_roles import KitosRoleMappingError

log = logging.getLogger("govbot")


# Each capability's commands, by name: "module:attribute". They are imported only when run
# (or listed in --help), so `govbot serve` does not load every tool's dependencies at start.
LAZY_COMMANDS = {
    "access": "bot.cli_access:access_cli",
    "import": "bot.cli_directory:import_group",
    "kitos": "bot.cli_kitos:kitos_cli",
    "knowledge": "bot.cli_knowledge:knowledge_cli",
    "manifest": "manifest.cli:manifest_cli",
    "meetings": "bot.cli_meetings:meetings_cli",
    "nlu": "bot.cli_nlu:nlu_cli",
    "person": "bot.cli_access:person_cli",
    "portfolio": "bot.cli_portfolio:portfolio_cli",
    "procurement": "bot.cli_procurement:procurement_cli",
    "reminders": "bot.cli_meetings:reminders_cli",
    "retention": "bot.cli_access:retention_cli",
    "roles": "bot.cli_directory:roles_group",
}


class LazyGroup(click.Group):
    """A click group whose LAZY_COMMANDS are imported when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, attribute = LAZY_COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """govbot: the municipality's IT-governance assistant for Microsoft Teams."""
    # `main` starts with the garbage collector off; `serve` turns it on once it has warmed up
    # (bot.readiness.settle_heap), every other command at once.
    if ctx.invoked_subcommand != "serve":
        gc.enable()


@cli.command()
def version() -> None:
    """Print govbot's version."""
    click.echo(package_version("govbot"))


@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@with_settings
def db_upgrade(settings: Settings) -> None:
    """Apply every pending migration."""
    from storage.db import redacted
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    click.echo(f"database is up to date: {redacted(settings.database_url)}")


@cli.command()
@with_settings
def serve(settings: Settings) -> None:
    """Migrate the database and serve /api/messages."""
    from aiohttp import web

    from bot.app import create_app
    from bot.logs import configure_logging, fields
    from bot.readiness import freeze_imported
    from storage.db import redacted
    from storage.migrate import upgrade

    freeze_imported()
    configure_logging(settings.log_level)
    if settings.development_mode:
        if not settings.host_is_loopback and not settings.allow_anonymous:
            click.echo(
                "govbot: refusing to serve without MicrosoftAppId on a non-loopback address "
                f"({settings.host}); set MicrosoftAppId, or GOVBOT_ALLOW_ANONYMOUS=1 to accept "
                "unauthenticated activities.",
                err=True,
            )
            sys.exit(2)
        log.warning("development mode: MicrosoftAppId is empty, activities are not authenticated")
    upgrade(settings.database_url)
    if settings.demo_data:
        from bot.cli_directory import load_demo

        if load_demo(settings):
            log.info("demo data loaded", extra=fields(pack=settings.knowledge_pack))
    log.info(
        "starting",
        extra=fields(
            host=settings.host,
            port=settings.port,
            database=redacted(settings.database_url),
            pack=settings.knowledge_pack,
        ),
    )
    try:
        app = create_app(settings)
    except KitosRoleMappingError as error:
        click.echo(f"govbot: the KITOS role mapping cannot be used: {error}", err=True)
        sys.exit(2)
    # aiohttp prints its own line once the socket listens; ours names the URL to paste into
    # the Agents Playground (or Azure's messaging endpoint, behind HTTPS).
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        print=lambda _: log.info(f"govbot listening on {settings.messages_url}"),
        shutdown_timeout=10,
    )


@cli.command()
@click.option("--name", default=None, help="Your display name in the chat.")
@click.option("--locale", default="da-DK", show_default=True)
@with_settings
def chat(settings: Settings, name: str | None, locale: str) -> None:
    """Chat with govbot in the terminal (same bot, state and database as `serve`)."""
    from bot.terminal import run_chat

    asyncio.run(run_chat(settings, name=name or getpass.getuser(), locale=locale))


@cli.command()
@click.argument("text")
@click.option("--locale", default="da-DK", show_default=True)
@with_settings
def ask(settings: Settings, text: str, locale: str) -> None:
    """Send TEXT as one message and print govbot's answer."""
    from bot.terminal import run_ask

    asyncio.run(run_ask(settings, text, locale=locale))


def main() -> None:
    """Entry point of the `govbot` console script (and `python -m bot`)."""
    gc.disable()  # until start-up is built: see bot.readiness
    cli(prog_name="govbot")
