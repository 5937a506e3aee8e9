"""What every `govbot` command shares: settings loading, a migrated database, the acting user."""

from __future__ import annotations

import asyncio
import csv
import getpass
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import SettingsError, load_settings
from storage.db import Database

T = TypeVar("T")


def with_settings(command: Callable[..., Any]) -> Callable[..., Any]:
    """Load settings first; a bad value ends the command with one line naming the variable."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            settings = load_settings()
        except SettingsError as error:
            click.echo(f"govbot: configuration error: {error}", err=True)
            sys.exit(2)
        return command(settings, *args, **kwargs)

    return wrapper


def run_with_database(database_url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Migrate the database, then run `work` with it (disposed afterwards)."""
    from storage.migrate import upgrade

    upgrade(database_url)

    async def main() -> T:
        database = Database.connect(database_url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(main())


def run_in_transaction(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Migrate the database, then run `work(session)` in one committed transaction."""

    async def in_transaction(database: Database) -> T:
        async with database.transaction() as session:
            return await work(session)

    return run_with_database(database_url, in_transaction)


def cli_actor() -> str:
    """Who acts, for the audit log, when a command is run from a shell."""
    return f"cli:{getpass.getuser()}"


def write_table(path: Path, fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                sheet: str) -> None:  # fmt: skip
    """An export as CSV (semicolons, UTF-8 with BOM, for Excel) or XLSX (one named sheet,
    the header row frozen)."""
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(header)
            writer.writerows(rows)
        return
    from openpyxl import Workbook  # only the commands that write a workbook need it

    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    worksheet.append(list(header))
    for row in rows:
        worksheet.append(list(row))
    worksheet.freeze_panes = "A2"
    workbook.save(path)
