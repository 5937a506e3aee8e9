"""`govbot kitos sync [--full] [--dry-run]`: the directory from KITOS, from the shell."""

from __future__ import annotations

import sys

import click
from tqdm import tqdm

from bot.cli_support import run_with_database, with_settings
from bot.kitos.client import KitosError
from bot.kitos.setup import kitos_config, sync_once
from bot.kitos.sync import SyncReport
from bot.settings import Settings
from knowledge.kitos_roles import KitosRoleMappingError
from knowledge.packs import load_pack
from storage.db import Database

# Conflicts listed in full in the shell; more are counted (all are stored with the run).
CONFLICTS_SHOWN = 20


@click.group("kitos")
def kitos_cli() -> None:
    """The directory kept current from KITOS (API v2)."""


@kitos_cli.command("sync")
@click.option("--full", is_flag=True, help="Read everything and end what KITOS no longer has.")
@click.option("--dry-run", is_flag=True, help="Read and count, but change nothing.")
@with_settings
def sync(settings: Settings, full: bool, dry_run: bool) -> None:
    """Read what changed in KITOS since the last sync and apply it in one transaction."""
    try:
        config = kitos_config(settings, load_pack(settings.knowledge_pack))
    except KitosRoleMappingError as error:
        click.echo(f"govbot: the KITOS role mapping cannot be used: {error}", err=True)
        sys.exit(2)
    if config is None:
        click.echo("govbot: GOVBOT_KITOS_URL is not set (see 'Koble govbot til KITOS').", err=True)
        sys.exit(2)

    async def work(database: Database) -> SyncReport:
        bars: dict[str, tqdm] = {}

        def progress(kind: str, done: int) -> None:
            if kind not in bars:
                bars[kind] = tqdm(unit=f" {kind}", desc=kind, file=sys.stderr, leave=False)
            bars[kind].update(done)

        try:
            return await sync_once(config, database, full=full, dry_run=dry_run, progress=progress)
        finally:
            for bar in bars.values():
                bar.close()

    try:
        report = run_with_database(settings.database_url, work)
    except KitosError as error:
        click.echo(f"govbot: KITOS blev ikke synkroniseret — intet er ændret: {error}", err=True)
        sys.exit(1)
    for conflict in report.conflicts[:CONFLICTS_SHOWN]:
        click.echo(
            f"konflikt: {conflict.system}: KITOS-bruger '{conflict.user_name}' "
            f"({conflict.user_uuid}, systemanvendelse {conflict.usage_uuid}) "
            + (
                f"passer på flere personer ({', '.join(conflict.candidates)}) "
                if conflict.candidates
                else "findes ikke i rolleoversigten "
            )
            + "og har ingen e-mail i KITOS — ret brugeren i KITOS",
            err=True,
        )
    if len(report.conflicts) > CONFLICTS_SHOWN:
        click.echo(f"… og {len(report.conflicts) - CONFLICTS_SHOWN} konflikter mere", err=True)
    for role in report.unmapped:
        click.echo(
            f"rolletype uden mapning: '{role.name}' ({role.uuid}), {role.assignments} "
            "tildelinger springes over — tilføj den i rollemapningen eller under 'ignore'",
            err=True,
        )
    click.echo(report.summary_line())
