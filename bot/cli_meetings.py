"""`govbot meetings …` and `govbot reminders …`: the årshjul, its members and its reminders."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.cli_support import run_in_transaction, with_settings
from bot.settings import Settings
from storage.audit import Author
from storage.bodies import SOURCE as MEETINGS_SOURCE

T = TypeVar("T")
ACTOR = "cli"


def _pack(settings: Settings) -> Any:
    from knowledge.packs import load_pack

    return load_pack(settings.knowledge_pack)


def _instant(value: str, settings: Settings) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} er ikke et ISO 8601-tidspunkt") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.tz)


def _body(settings: Settings, key: str) -> str:
    from storage.bodies import UnknownBodyError, meeting_body

    try:
        return meeting_body(_pack(settings), key).key
    except UnknownBodyError:
        raise click.BadParameter(f"forummet {key!r} holder ingen møder i pakken") from None


@click.group("meetings")
def meetings_cli() -> None:
    """The governance bodies' meetings (årshjulet)."""


@meetings_cli.command("generate")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@with_settings
def generate(settings: Settings, year: int) -> None:
    """Create the year's meetings from the pack's cadence (again: no duplicates)."""
    from storage.meetings import generate_year
    from storage.models.base import utcnow
    from storage.reminders import Planning

    pack = _pack(settings)
    result = run_in_transaction(
        settings.database_url,
        lambda session: generate_year(
            session=session, plan=Planning(pack, settings.tz, utcnow()), year=year, actor=ACTOR
        ),
    )
    click.echo(
        f"{len(result.created)} møder oprettet for {year}, {result.existing} fandtes i forvejen, "
        f"{result.reminders} påmindelser planlagt"
    )


def _meeting_json(meeting: Any, tz: Any) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "body": meeting.body,
        "kind": meeting.kind,
        "title": meeting.title,
        "start": meeting.start.astimezone(tz).isoformat(),
        "end": meeting.end.astimezone(tz).isoformat(),
        "place": meeting.place,
        "teams_link": meeting.teams_link,
        "status": meeting.status,
    }


@meetings_cli.command("list")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--body", default=None, help="A body key from the pack, e.g. styregruppe.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--all", "include_cancelled", is_flag=True, help="Include cancelled meetings.")
@with_settings
def list_(
    settings: Settings, year: int, body: str | None, as_json: bool, include_cancelled: bool
) -> None:
    """The year's meetings in time order."""
    from storage.meetings import list_meetings

    if body:
        body = _body(settings, body)
    found = run_in_transaction(
        settings.database_url,
        lambda session: list_meetings(
            session=session,
            tz=settings.tz,
            year=year,
            body=body,
            include_cancelled=include_cancelled,
        ),
    )
    rows = [_meeting_json(m, settings.tz) for m in found]
    _echo_rows(
        rows,
        as_json,
        lambda row: f"#{row['id']:<4} {row['start'][:16]}  {row['body']:<14} {row['title']}",
    )


@meetings_cli.command("ics")
@click.option("--body", required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--year", type=click.IntRange(2000, 2100), default=None)
@with_settings
def ics(settings: Settings, body: str, out: Path, year: int | None) -> None:
    """Write the body's meetings as an iCalendar file (with VTIMEZONE, for Outlook)."""
    from bot.meetings_ics import calendar_bytes
    from storage.meetings import list_meetings

    key = _body(settings, body)
    pack = _pack(settings)
    found = run_in_transaction(
        settings.database_url,
        lambda session: list_meetings(session=session, tz=settings.tz, year=year, body=key),
    )
    out.write_bytes(calendar_bytes(found, pack.body(key).name_da, settings.tz))
    click.echo(f"{len(found)} møder skrevet til {out}")


@meetings_cli.command("add")
@click.option("--body", required=True)
@click.option("--start", required=True, help="ISO 8601, local time if no offset.")
@click.option("--minutes", type=click.IntRange(15, 600), default=120, show_default=True)
@click.option("--title", default=None)
@click.option("--place", default=None)
@with_settings
def add(
    settings: Settings, body: str, start: str, minutes: int, title: str | None, place: str | None
) -> None:
    """Add an extra meeting."""
    from datetime import timedelta

    from storage.meetings import add_meeting
    from storage.models.base import utcnow
    from storage.reminders import Planning

    key, begin = _body(settings, body), _instant(start, settings)
    pack = _pack(settings)
    meeting = run_in_transaction(
        settings.database_url,
        lambda session: add_meeting(
            session=session, plan=Planning(pack, settings.tz, utcnow()), body=key, start=begin,
            end=begin + timedelta(minutes=minutes), actor=ACTOR, title=title, place=place,
        ),
    )  # fmt: skip
    click.echo(f"møde #{meeting.id} oprettet")


@meetings_cli.command("move")
@click.argument("meeting_id", type=int)
@click.option("--start", required=True, help="ISO 8601, local time if no offset.")
@with_settings
def move(settings: Settings, meeting_id: int, start: str) -> None:
    """Move a meeting; its reminders are re-planned."""
    from storage.meetings import move_meeting
    from storage.models.base import utcnow
    from storage.reminders import Planning

    begin, pack = _instant(start, settings), _pack(settings)
    _guard(
        settings,
        lambda session: move_meeting(
            session=session, plan=Planning(pack, settings.tz, utcnow()),
            meeting_id=meeting_id, start=begin, actor=ACTOR,
        ),
    )  # fmt: skip
    click.echo(f"møde #{meeting_id} flyttet")


@meetings_cli.command("cancel")
@click.argument("meeting_id", type=int)
@with_settings
def cancel(settings: Settings, meeting_id: int) -> None:
    """Cancel a meeting and its unsent reminders."""
    from storage.meetings import cancel_meeting

    _guard(
        settings,
        lambda session: cancel_meeting(session=session, meeting_id=meeting_id, actor=ACTOR),
    )
    click.echo(f"møde #{meeting_id} aflyst")


@meetings_cli.command("set")
@click.argument("meeting_id", type=int)
@click.option("--place", default=None)
@click.option("--teams-link", default=None)
@click.option("--agenda", default=None)
@with_settings
def set_(
    settings: Settings,
    meeting_id: int,
    place: str | None,
    teams_link: str | None,
    agenda: str | None,
) -> None:
    """Set a meeting's place, Teams link or agenda."""
    from storage.meetings import update_meeting
    from storage.models.base import utcnow
    from storage.reminders import Planning

    pack = _pack(settings)
    _guard(
        settings,
        lambda session: update_meeting(
            session=session, plan=Planning(pack, settings.tz, utcnow()),
            meeting_id=meeting_id, actor=ACTOR, place=place, teams_link=teams_link, agenda=agenda,
        ),
    )  # fmt: skip
    click.echo(f"møde #{meeting_id} opdateret")


@meetings_cli.command("member")
@click.argument("action", type=click.Choice(["add", "remove", "list"]))
@click.option("--body", required=True)
@click.option("--email", default=None)
@click.option(
    "--role", type=click.Choice(["member", "chair", "secretary"]), default="member",
    show_default=True,
)  # fmt: skip
@with_settings
def member(settings: Settings, action: str, body: str, email: str | None, role: str) -> None:
    """Add, remove or list a body's members (people the directory knows)."""
    from storage.access import Role
    from storage.bodies import members
    from storage.membership import add_member, known_person, remove_member
    from storage.models.base import utcnow
    from storage.reminders import Planning

    key, pack = _body(settings, body), _pack(settings)
    if action != "list" and not email:
        raise click.BadParameter("--email mangler", param_hint="--email")

    async def work(session: Any) -> list[Any]:
        if action == "add":
            person = await known_person(session=session, email=email or "")
            await add_member(
                session=session,
                plan=Planning(pack, settings.tz, utcnow()),
                body=key,
                principal=person.email,
                person_id=person.id,
                role=Role(role),
                by=Author(ACTOR, MEETINGS_SOURCE),
            )
        elif action == "remove":
            await remove_member(
                session=session, plan=Planning(pack, settings.tz, utcnow()), body=key,
                principal=email or "", role=Role(role), by=Author(ACTOR, MEETINGS_SOURCE),
            )  # fmt: skip
        return await members(session=session, body=key)

    for person in _guard(settings, work):
        click.echo(f"{person.role.value:<10} {person.principal}  {person.name or ''}")


def _guard(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work`, turning domain errors into one clear line and exit status 1."""
    from storage.errors import UnknownMeetingError, UnknownPersonError
    from storage.meetings import InvalidMeetingError

    try:
        return run_in_transaction(settings.database_url, work)
    except UnknownMeetingError as error:
        click.echo(f"govbot: mødet #{error.wanted} findes ikke", err=True)
    except UnknownPersonError as error:
        click.echo(f"govbot: kataloget kender ingen med e-mailen {error.wanted}", err=True)
    except InvalidMeetingError as error:
        click.echo(f"govbot: {error.detail}", err=True)
    sys.exit(1)


@click.group("reminders")
def reminders_cli() -> None:
    """The reminder outbox."""


@reminders_cli.command("run")
@click.option("--loop", is_flag=True, help="Keep running (every minute) instead of one pass.")
@with_settings
def run(settings: Settings, loop: bool) -> None:
    """Send every due reminder now, within Teams' limits (also runs inside `govbot serve`)."""
    from bot.adapter import create_adapter
    from bot.dispatcher import dispatcher_for
    from bot.graph import graph_for
    from bot.proactive import ProactiveSender
    from storage.db import Database
    from storage.migrate import upgrade

    upgrade(settings.database_url)

    async def go() -> Any:
        database = Database.connect(settings.database_url)
        adapter = create_adapter(settings)
        graph = graph_for(settings)
        try:
            dispatcher = dispatcher_for(
                settings, database, ProactiveSender(adapter, settings.app_id), graph
            )
            if loop:
                await dispatcher.run_forever()
            return await dispatcher.drain(settle=30)
        finally:
            await adapter.close()
            if graph is not None:
                await graph.close()
            await database.dispose()

    report = asyncio.run(go())
    click.echo(
        f"sendt {report.sent} (heraf {report.late} for sent), forsøges igen {report.retried}, "
        f"ikke nået {report.unreachable}, mistet {report.missed}, fejlet {report.failed}"
    )


@reminders_cli.command("due")
@click.option("--at", "at", required=True, help="ISO 8601 instant; local time if no offset.")
@click.option("--json", "as_json", is_flag=True)
@with_settings
def due(settings: Settings, at: str, as_json: bool) -> None:
    """What is due at an instant, without sending anything."""
    from storage.reminders import reminders_due

    moment = _instant(at, settings)
    grace = timedelta(hours=settings.reminder_grace_hours)
    found = run_in_transaction(
        settings.database_url,
        lambda session: reminders_due(session=session, at=moment, grace=grace),
    )
    rows: list[dict[str, Any]] = [
        {
            "meeting_id": r.meeting_id,
            "rule": r.rule,
            "recipient": r.recipient,
            "kind": r.kind,
            "due_at": r.due_at.astimezone(settings.tz).isoformat(),
        }
        for r in found
    ]
    _echo_rows(rows, as_json, lambda row: (
        f"{row['due_at'][:16]}  #{row['meeting_id']}  {row['rule']:<24} {row['kind']:<7} "
        f"{row['recipient']}"
    ))  # fmt: skip


@reminders_cli.command("status")
@click.option("--meeting", "meeting_id", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
@with_settings
def status(settings: Settings, meeting_id: int, as_json: bool) -> None:
    """Each recipient's delivery for one meeting."""
    from storage.reminders import delivery_status

    found = _guard(
        settings, lambda session: delivery_status(session=session, meeting_id=meeting_id)
    )
    rows: list[dict[str, Any]] = [
        {
            "key": d.key,
            "recipient": d.recipient,
            "kind": "channel" if d.kind == "channel" else "1:1",
            "due_at": d.due_at.astimezone(settings.tz).isoformat(),
            "status": d.status,
            "late": d.late,
            "sent_at": d.sent_at.astimezone(settings.tz).isoformat() if d.sent_at else None,
            "acknowledged": d.acknowledged_at is not None,
            "error": d.last_error,
        }
        for d in found
    ]
    _echo_rows(rows, as_json, lambda row: (
        f"{row['due_at'][:16]}  {row['status']:<11} {row['kind']:<7} {row['recipient']}"
        + ("  (sendt for sent)" if row["late"] else "")
        + ("  ✓ set" if row["acknowledged"] else "")
    ))  # fmt: skip


def _echo_rows(
    rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str]
) -> None:
    """The rows as JSON, or one `line` each."""
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(line(row))
