"""`govbot portfolio export`: the portfolio as CSV, XLSX, or the yearly HTML status report."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import click

from bot.cli_support import with_settings
from bot.settings import Settings


@click.group("portfolio")
def portfolio_cli() -> None:
    """The initiative portfolio."""


@portfolio_cli.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "html"]),
    required=True,
    help="csv and xlsx list every initiative; html is the yearly status report.",
)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Default: this year.")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True)
@with_settings
def export(settings: Settings, fmt: str, out: Path, year: int | None, lang: str) -> None:
    """Write the portfolio to OUT."""
    from bot.portfolio_export import write_export
    from knowledge.packs import load_pack
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.portfolio_report import portfolio_report

    if not out.parent.is_dir():
        raise click.BadParameter(f"mappen {out.parent} findes ikke", param_hint="--out")
    upgrade(settings.database_url)

    this_year = datetime.now(settings.tz).year

    async def run() -> int:
        database = Database.connect(settings.database_url)
        try:
            async with database.transaction() as session:
                report = await portfolio_report(
                    session=session, year=year or this_year, tz=settings.tz
                )
        finally:
            await database.dispose()
        municipality = load_pack(settings.knowledge_pack).municipality
        return write_export(out, fmt, report, lang, municipality, settings.tz)  # type: ignore[arg-type]

    count = asyncio.run(run())
    click.echo(f"{count} initiativer skrevet til {out}")
