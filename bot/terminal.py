"""`govbot chat` and `govbot ask`: the bot in-process, talking through the terminal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import click

from bot.assembly import build_bot
from bot.cli_directory import load_demo
from bot.handler import GovBot
from bot.local import LocalAdapter
from bot.render_text import card_actions, render
from bot.sdk import Activity
from bot.settings import Settings
from storage.db import Database
from storage.migrate import upgrade


@asynccontextmanager
async def local_bot(settings: Settings) -> AsyncIterator[tuple[GovBot, Database]]:
    """The bot on a migrated database, disposed afterwards; the directory index is built from
    the start and kept current beside it, as `govbot serve` does."""
    await asyncio.to_thread(upgrade, settings.database_url)
    database = Database.connect(settings.database_url)
    if settings.demo_data:
        # As `govbot serve` does: GOVBOT_DEMO_DATA fills an empty database with the demo
        # municipality, so `govbot ask "hvem er systemejer for SBSYS"` answers as the README says.
        await asyncio.to_thread(load_demo, settings)
    keeper = asyncio.create_task(database.directory.keep_current(), name="directory-index")
    try:
        yield build_bot(settings, database), database
    finally:
        keeper.cancel()
        await asyncio.gather(keeper, return_exceptions=True)
        await database.dispose()


def _print_replies(replies: list[Activity]) -> list[tuple[str, object]]:
    buttons: list[tuple[str, object]] = []
    for reply in replies:
        shown = render(reply)
        if shown:
            click.echo(click.style("govbot: ", fg="cyan", bold=True) + shown)
        buttons.extend(card_actions(reply))
    for number, (title, _) in enumerate(buttons, start=1):
        click.echo(click.style(f"  [{number}] ", fg="cyan") + title)
    return buttons


async def run_chat(settings: Settings, *, name: str, locale: str) -> None:
    """An interactive conversation; a number picks a button of the last answer."""
    async with local_bot(settings) as (bot, _database):
        adapter = LocalAdapter(
            user_id=f"cli-{name}", user_name=name, language=settings.language, locale=locale
        )
        click.echo('govbot i terminalen — skriv "hjælp", eller tryk Ctrl-D for at stoppe.')
        buttons: list[tuple[str, object]] = []
        while True:
            try:
                line = await asyncio.to_thread(input, "du: ")
            except (EOFError, KeyboardInterrupt):
                click.echo()
                return
            line = line.strip()
            if not line:
                continue
            if line.isdigit() and 1 <= int(line) <= len(buttons):
                data = buttons[int(line) - 1][1]
                activity = adapter.activity(value=data if isinstance(data, dict) else {})
            else:
                activity = adapter.activity(text=line)
            buttons = _print_replies(await adapter.turn(activity, bot.on_turn))


async def run_ask(settings: Settings, text: str, *, locale: str) -> None:
    """One message in, the answer's text and card text out."""
    async with local_bot(settings) as (bot, _database):
        adapter = LocalAdapter(
            user_id="cli-ask",
            user_name="govbot ask",
            language=settings.language,
            locale=locale,
            one_shot=True,
        )
        replies = await adapter.turn(adapter.activity(text=text), bot.on_turn)
        for reply in replies:
            shown = render(reply)
            if shown:
                click.echo(shown)
        for title, _ in (button for reply in replies for button in card_actions(reply)):
            click.echo(f"  [{title}]")
