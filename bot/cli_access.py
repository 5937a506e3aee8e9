"""`govbot access`, `govbot person` and `govbot retention`: who may do what, and personal data."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from bot.cli_support import cli_actor, run_with_database, with_settings
from bot.settings import Settings
from storage.access import BODY_ROLES, LastAdminError, Role, grant_role, list_grants, revoke_role
from storage.audit import Author
from storage.db import Database

T = TypeVar("T")
ROLE_NAMES = [role.value for role in Role]


def _check_body(role: Role, body: str | None) -> None:
    if (role in BODY_ROLES) != (body is not None):
        raise click.UsageError(
            "secretary, chair and member need --body; admin and it_screener none"
        )


@click.group("access")
def access_cli() -> None:
    """Who is admin, IT screener, or secretary/chair/member of a body."""


@access_cli.command("grant")
@click.argument("principal")
@click.argument("role", type=click.Choice(ROLE_NAMES))
@click.option("--body", default=None, help="The body key (styregruppe, programgruppe, …).")
@with_settings
def access_grant(settings: Settings, principal: str, role: str, body: str | None) -> None:
    """Give PRINCIPAL (AAD object id or email) ROLE; a seat in a body gets its reminders."""
    from storage.membership import add_member

    _change_access(settings, principal, role, body, seat=add_member, role_only=grant_role)
    click.echo(f"granted {role}{f' of {body}' if body else ''} to {principal.lower()}")


@access_cli.command("revoke")
@click.argument("principal")
@click.argument("role", type=click.Choice(ROLE_NAMES))
@click.option("--body", default=None)
@with_settings
def access_revoke(settings: Settings, principal: str, role: str, body: str | None) -> None:
    """End PRINCIPAL's ROLE; leaving a body cancels its reminders."""
    from storage.membership import remove_member

    try:
        ended = _change_access(
            settings, principal, role, body, seat=remove_member, role_only=revoke_role
        )
    except LastAdminError:
        raise click.ClickException(f"{principal.lower()} is the last admin") from None
    if not ended:
        raise click.ClickException(f"{principal.lower()} holds no {role} grant to revoke")
    click.echo(f"revoked {role}{f' of {body}' if body else ''} from {principal.lower()}")


def _change_access(
    settings: Settings,
    principal: str,
    role: str,
    body: str | None,
    *,
    seat: Callable[..., Awaitable[T]],
    role_only: Callable[..., Awaitable[T]],
) -> T:
    """Grant or end a role in one transaction: a seat in a body through the meetings' service
    (`seat`, which re-plans the body's reminders), any other role through `role_only`."""
    from knowledge.packs import load_pack
    from storage.models.base import utcnow
    from storage.reminders import Planning

    _check_body(Role(role), body)
    common = {"principal": principal, "role": Role(role), "by": Author(cli_actor(), "cli")}

    async def work(database: Database) -> T:
        async with database.transaction() as session:
            if body is not None:
                plan = Planning(load_pack(settings.knowledge_pack), settings.tz, utcnow())
                return await seat(session=session, plan=plan, body=body, **common)
            return await role_only(session=session, **common)

    return run_with_database(settings.database_url, work)


@access_cli.command("list")
@click.option("--role", type=click.Choice(ROLE_NAMES), default=None)
@click.option("--body", default=None)
@click.option("--json", "as_json", is_flag=True)
@with_settings
def access_list(settings: Settings, role: str | None, body: str | None, as_json: bool) -> None:
    """List active grants."""

    async def work(database: Database) -> list:
        async with database.transaction() as session:
            return await list_grants(
                session=session, role=Role(role) if role else None, body_key=body
            )

    grants = run_with_database(settings.database_url, work)
    if as_json:
        rows = [
            {"principal": g.principal, "role": g.role.value, "body": g.body_key, "by": g.granted_by}
            for g in grants
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for grant in grants:
        click.echo(f"{grant.principal}\t{grant.role.value}\t{grant.body_key or '-'}")


@click.group("person")
def person_cli() -> None:
    """A person's personal data: show it, or erase it."""


@person_cli.command("show")
@click.argument("identity")
@with_settings
def person_show(settings: Settings, identity: str) -> None:
    """Print everything stored about IDENTITY (email or AAD object id) as JSON."""
    from storage.personal_data import export_personal_data, plain, subject_of

    async def work(database: Database) -> list:
        async with database.transaction() as session:
            subject = await subject_of(session=session, email=identity, aad_object_id=identity)
            return await export_personal_data(session=session, subject=subject)

    sections = run_with_database(settings.database_url, work)
    click.echo(
        json.dumps(
            {s.kind: list(s.items) for s in sections}, ensure_ascii=False, indent=2, default=plain
        )
    )


@person_cli.command("erase")
@click.argument("identity")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_settings
def person_erase(settings: Settings, identity: str, yes: bool) -> None:
    """End IDENTITY's roles and grants and anonymise them; history stays without the name."""
    from storage.errors import UnknownPersonError
    from storage.personal_data import erase_person, subject_of

    if not yes:
        click.confirm(f"Erase {identity}? This cannot be undone", abort=True)

    async def work(database: Database) -> dict[str, int]:
        async with database.transaction() as session:
            subject = await subject_of(session=session, email=identity, aad_object_id=identity)
            return await erase_person(session=session, subject=subject, actor=cli_actor())

    try:
        changed = run_with_database(settings.database_url, work)
    except UnknownPersonError:
        raise click.ClickException(f"nothing is stored about {identity}") from None
    done = ", ".join(f"{kind}={n}" for kind, n in changed.items() if n)
    click.echo(f"erased: {done or 'nothing'}")


@click.group("retention")
def retention_cli() -> None:
    """Forget idle bot state and conversation references."""


@retention_cli.command("run")
@with_settings
def retention_run(settings: Settings) -> None:
    """Apply GOVBOT_STATE_RETENTION_DAYS, GOVBOT_CONVERSATION_RETENTION_DAYS and the dialog
    expiry (GOVBOT_DIALOG_EXPIRY_MINUTES) now."""
    from bot.retention import run_retention

    result = run_with_database(
        settings.database_url, lambda database: run_retention(settings, database)
    )
    click.echo(
        f"removed {result.state_documents} state documents, {result.conversations} conversations;"
        f" cleared {result.abandoned_dialogs} abandoned dialogs"
    )
