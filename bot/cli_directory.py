"""`govbot import roles`, `govbot roles export|set|end|handover`: the directory from the shell."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from tqdm import tqdm

from bot.cli_support import cli_actor, run_with_database, with_settings, write_table
from bot.settings import Settings
from dialogs.texts import text
from knowledge.packs import load_pack
from storage.audit import Author
from storage.db import Database
from storage.directory import (
    KitosManagedError,
    current_assignments,
    end_assignment,
    ensure_person,
    ensure_system,
    get_person,
    set_assignment,
)
from storage.directory_apply import apply_import
from storage.directory_export import EXPORT_COLUMNS, export_rows
from storage.directory_handover import apply_handover, plan_handover
from storage.directory_import import ImportFileError, read_import
from storage.errors import UnknownPersonError

T = TypeVar("T")
PROGRESS_FROM_ROWS = 2000


async def _require_admin(database: Database, as_user: str | None) -> str:
    """The acting admin: --as (an admin's email or AAD id), or the shell user when admins are
    configured to include it; the shell itself is trusted only as an operator of the server."""
    from storage.access import access_of

    if as_user is None:
        return cli_actor()
    async with database.transaction() as session:
        access = await access_of(session=session, aad_object_id=as_user, email=as_user)
    if not access.is_admin:
        click.echo(f"govbot: {as_user} er ikke administrator af govbot", err=True)
        sys.exit(2)
    return as_user.lower()


@click.group("import")
def import_group() -> None:
    """Import data into govbot."""


@import_group.command("roles")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="End current assignments that are not in FILE.")
@click.option("--dry-run", is_flag=True, help="Check and count, but change nothing.")
@with_settings
def import_roles(settings: Settings, file: Path, replace: bool, dry_run: bool) -> None:
    """Import role holders from CSV (; or ,), XLSX, or a KITOS system-usage export."""
    pack = load_pack(settings.knowledge_pack)
    try:
        rows = read_import(file, pack)
    except ImportFileError as error:
        click.echo(f"govbot: {file} blev ikke importeret — intet er ændret:", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(2)

    async def work(database: Database) -> Any:
        bar = tqdm(
            total=len(rows),
            unit="rækker",
            disable=len(rows) < PROGRESS_FROM_ROWS or None,
            file=sys.stderr,
        )
        async with database.sessions() as session, session.begin():
            summary = await apply_import(
                session=session,
                rows=rows,
                actor=cli_actor(),
                replace=replace,
                source=f"import:{file.name}"[:64],
                progress=bar.update,
            )
            if dry_run:
                await session.rollback()
        bar.close()
        return summary

    summary = run_with_database(settings.database_url, work)
    prefix = "prøvekørsel, intet gemt: " if dry_run else ""
    click.echo(
        f"{prefix}{summary.rows} rækker: {summary.added} tilføjet, {summary.unchanged} uændret, "
        f"{summary.ended} afsluttet ({summary.people_added} nye personer, "
        f"{summary.systems_added} nye systemer)"
    )


@click.group("roles")
def roles_group() -> None:
    """Look after the role directory."""


@roles_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@with_settings
def export(settings: Settings, fmt: str, out: Path) -> None:
    """Write the current directory in the import format (it imports back unchanged)."""
    pack = load_pack(settings.knowledge_pack)

    async def work(database: Database) -> list[dict[str, str]]:
        async with database.transaction() as session:
            return await export_rows(session=session, pack=pack)

    rows = run_with_database(settings.database_url, work)
    table = [[row[c] for c in EXPORT_COLUMNS] for row in rows]
    write_table(out, fmt, EXPORT_COLUMNS, table, sheet="Roller")
    click.echo(f"{len(rows)} tildelinger skrevet til {out}")


def _role_key(settings: Settings, role: str) -> str:
    pack = load_pack(settings.knowledge_pack)
    found = pack.role_by_name(role)
    if found is None:
        allowed = ", ".join(r.label_da for r in pack.roles)
        click.echo(f"govbot: ukendt rolle '{role}' (tilladte: {allowed})", err=True)
        sys.exit(2)
    return found.key


_as_option = click.option(
    "--as", "as_user", default=None, help="Act as this govbot admin (email or AAD object id)."
)


@roles_group.command("set")
@click.option("--email", required=True)
@click.option("--role", "role", required=True)
@click.option("--system", default=None, help="Empty for an organisation-wide role.")
@click.option("--name", default=None, help="Needed when the person is new.")
@click.option("--unit", default=None)
@_as_option
@with_settings
def set_role(
    settings: Settings,
    email: str,
    role: str,
    system: str | None,
    name: str | None,
    unit: str | None,
    as_user: str | None,
) -> None:
    """Give a person a role (for a system)."""
    role_key = _role_key(settings, role)

    async def work(database: Database) -> str:
        actor = await _require_admin(database, as_user)
        async with database.transaction() as session:
            person = await ensure_person(
                session=session, email=email, name=name, by=Author(actor, "cli")
            )
            system_id = None
            if system:
                system_id = (
                    await ensure_system(session=session, name=system, by=Author(actor, "cli"))
                ).id
            _, added = await set_assignment(
                session=session,
                person_id=person.id,
                role_key=role_key,
                system_id=system_id,
                org_unit=unit,
                by=Author(actor, "cli"),
            )
        return "tilføjet" if added else "fandtes allerede"

    try:
        click.echo(run_with_database(settings.database_url, work))
    except UnknownPersonError as error:
        click.echo(f"govbot: ukendt person {error.wanted} — angiv --name for at oprette", err=True)
        sys.exit(2)


@roles_group.command("end")
@click.option("--email", required=True)
@click.option("--role", "role", required=True)
@click.option("--system", default=None)
@_as_option
@with_settings
def end_role(
    settings: Settings, email: str, role: str, system: str | None, as_user: str | None
) -> None:
    """End a person's role (for a system); it stays in history."""
    role_key = _role_key(settings, role)

    async def work(database: Database) -> int:
        actor = await _require_admin(database, as_user)
        async with database.transaction() as session:
            person = await get_person(session=session, email=email)
            if person is None:
                return -1
            ended = 0
            for assignment in await current_assignments(
                session=session, person_id=person.id, role_key=role_key
            ):
                name = assignment.system.name if assignment.system else None
                if ((system or None) is None and name is None) or (
                    system and name and name.casefold() == system.casefold()
                ):
                    await end_assignment(
                        session=session, assignment_id=assignment.id, by=Author(actor, "cli")
                    )
                    ended += 1
            return ended

    ended = _refusing_kitos(lambda: run_with_database(settings.database_url, work))
    if ended <= 0:
        click.echo("govbot: ingen sådan tildeling", err=True)
        sys.exit(2)
    click.echo(f"{ended} tildeling(er) afsluttet")


@roles_group.command("handover")
@click.option("--from", "source", required=True, help="Email of the person leaving the roles.")
@click.option("--to", "target", required=True, help="Email of the person taking them over.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_as_option
@with_settings
def handover(settings: Settings, source: str, target: str, yes: bool, as_user: str | None) -> None:
    """Hand every current role of one person over to another (after a confirmation)."""
    pack = load_pack(settings.knowledge_pack)

    async def plan(database: Database) -> Any:
        async with database.transaction() as session:
            a = await get_person(session=session, email=source)
            b = await get_person(session=session, email=target)
            if a is None or b is None:
                return f"ukendt person: {source if a is None else target}"
            if a.id == b.id:
                return "det er den samme person"
            return await plan_handover(session=session, source_id=a.id, target_id=b.id)

    planned = run_with_database(settings.database_url, plan)
    if isinstance(planned, str):
        click.echo(f"govbot: {planned}", err=True)
        sys.exit(2)
    if not planned.moves and not planned.already_held:
        click.echo(f"{planned.source.name} har ingen roller at overdrage")
        return
    click.echo(f"Overdrager fra {planned.source.name} til {planned.target.name}:")
    for a in planned.moves:
        click.echo(f"  {_describe(pack, a)}")
    for a in planned.already_held:
        click.echo(f"  (har allerede) {_describe(pack, a)}")
    if not yes and not click.confirm("Gennemfør?", default=False):
        click.echo("intet ændret")
        return

    async def apply(database: Database) -> int:
        actor = await _require_admin(database, as_user)
        async with database.transaction() as session:
            done = await apply_handover(
                session=session,
                source_id=planned.source.id,
                target_id=planned.target.id,
                by=Author(actor, "cli"),
            )
        return len(done.moves) + len(done.already_held)

    moved = _refusing_kitos(lambda: run_with_database(settings.database_url, apply))
    click.echo(f"{moved} roller overdraget")


def _refusing_kitos(change: Callable[[], T]) -> T:
    """Run a change; one touching a KITOS-sourced assignment ends with the reason, not a trace."""
    try:
        return change()
    except KitosManagedError as error:
        click.echo(f"govbot: {text(error.key, 'da', **error.params)} Intet er ændret.", err=True)
        sys.exit(2)


def _describe(pack: Any, assignment: Any) -> str:
    system = assignment.system.name if assignment.system else "hele organisationen"
    return f"{pack.role(assignment.role_key).label_da} — {system}"


def load_demo(settings: Settings) -> bool:
    """Load the demo municipality once (used by `govbot serve` when GOVBOT_DEMO_DATA is set);
    True when it was loaded now."""
    from storage.demo import load_demo_data

    async def work(database: Database) -> bool:
        async with database.transaction() as session:
            return await load_demo_data(session=session, pack_key=settings.knowledge_pack)

    return run_with_database(settings.database_url, work)
