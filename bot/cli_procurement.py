"""`govbot procurement`: set IT's channel, and export every request for IT's records."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from bot.cli_support import with_settings, write_table
from bot.settings import Settings
from dialogs.procurement_view import status_label
from knowledge.screening import answer_label, load_screening
from storage.db import Database
from storage.models import ConversationRef
from storage.procurement import all_requests, request_history
from storage.procurement_screening import it_channel, set_it_channel

# Spreadsheet programs run cells that start like a formula; such text is prefixed with '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BASE_COLUMNS = (
    "nr",
    "status",
    "oprettet",
    "anmoder",
    "email",
    "enhed",
    "behov",
)
TAIL_COLUMNS = ("afvigelser", "screener", "afgørelse_note", "afgjort", "dialog_med_it", "historik")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


async def export_rows(database: Database, settings: Settings) -> tuple[list[str], list[list[Any]]]:
    """The header and one row per request, answers labelled as the employee chose them."""
    screening = load_screening(settings.knowledge_pack)
    header = [*BASE_COLUMNS, *(q.label_da for q in screening.questions), *TAIL_COLUMNS]
    rows: list[list[Any]] = []
    async with database.transaction() as session:
        for record in await all_requests(session=session):
            events = await request_history(session=session, request_id=record.id)
            dialogue = [
                f"{'Spørgsmål' if e.kind == 'question' else 'Svar'} ({e.actor_name}): {e.text}"
                for e in events
                if e.kind in ("question", "answer")
            ]
            changes = [
                f"{e.at.astimezone(settings.tz):%Y-%m-%d %H:%M} {e.to_status} ({e.actor_name})"
                for e in events
                if e.kind == "status"
            ]
            departures = [
                f"{d.key} [{d.principle_id}]: {d.justification}"
                + (f" – plan: {d.plan}" if d.plan else "")
                for d in record.departures
            ]
            answers = [
                answer_label(q, record.answers[q.key], "da") if q.key in record.answers else ""
                for q in screening.questions
            ]
            rows.append(
                [
                    record.id,
                    status_label(record.status, "da"),
                    f"{record.created_at.astimezone(settings.tz):%Y-%m-%d %H:%M}",
                    record.requester_name,
                    record.requester_email or "",
                    record.unit,
                    record.need,
                    *answers,
                    "\n".join(departures),
                    record.screener_name or "",
                    record.decision_note or "",
                    f"{record.decided_at.astimezone(settings.tz):%Y-%m-%d %H:%M}"
                    if record.decided_at
                    else "",
                    "\n".join(dialogue),
                    "\n".join(changes),
                ]
            )
    return header, [[_safe(v) for v in row] for row in rows]


@click.group("procurement")
def procurement_cli() -> None:
    """Procurement requests ("kontakt IT tidligt")."""


@procurement_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_settings
def export(settings: Settings, fmt: str, out: Path) -> None:
    """Write every request, its answers, departures and history to FILE."""
    from storage.migrate import upgrade

    upgrade(settings.database_url)

    async def run() -> int:
        database = Database.connect(settings.database_url)
        try:
            header, rows = await export_rows(database, settings)
        finally:
            await database.dispose()
        write_table(out, fmt, header, rows, sheet="Anmodninger")
        return len(rows)

    count = asyncio.run(run())
    click.echo(f"{count} anmodninger skrevet til {out}")


@procurement_cli.command("set-channel")
@click.argument("conversation_id", required=False)
@with_settings
def set_channel(settings: Settings, conversation_id: str | None) -> None:
    """Make CONVERSATION_ID IT's channel; without it, list the channels govbot knows."""
    from storage.migrate import upgrade

    upgrade(settings.database_url)

    async def run() -> int:
        database = Database.connect(settings.database_url)
        try:
            async with database.transaction() as session:
                current = await it_channel(session=session, default=settings.it_channel)
                channels = list(
                    await session.scalars(
                        select(ConversationRef).where(
                            ConversationRef.conversation_type == "channel"
                        )
                    )
                )
                if conversation_id is None:
                    click.echo(f"IT-kanal nu: {current or '(ingen)'}")
                    for ref in channels:
                        mark = "*" if ref.conversation_id == current else " "
                        click.echo(f"{mark} {ref.conversation_id}  (team {ref.team_id or '-'})")
                    if not channels:
                        click.echo(
                            "govbot kender ingen kanaler endnu: tilføj den til kanalen og skriv "
                            '"sæt som IT-kanal" dér.'
                        )
                    return 0
                if conversation_id not in {ref.conversation_id for ref in channels}:
                    click.echo(
                        f"govbot: kender ikke kanalen {conversation_id!r} – skriv til govbot i "
                        "kanalen først, så den kan sende dertil.",
                        err=True,
                    )
                    return 1
                await set_it_channel(session=session, conversation_id=conversation_id, actor="cli")
        finally:
            await database.dispose()
        click.echo(f"IT-kanal sat til {conversation_id}")
        return 0

    sys.exit(asyncio.run(run()))
