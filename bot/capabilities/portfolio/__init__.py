"""The initiative portfolio in chat: register (card or dialog), mine, lists, search, moves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botbuilder.core import TurnContext

from bot.capabilities import Runtime
from bot.capabilities.core import start_dialog
from bot.handler import DIALOG_CONTEXT_KEY
from bot.intents import IntentMatch
from dialogs.portfolio import (
    CARD_FORM_CHANNELS,
    Portfolio,
    RegisterInitiativeDialog,
    status_from_words,
)


def register(runtime: Runtime) -> None:
    """Add the registration dialog, the portfolio's intents and its card buttons."""
    portfolio = Portfolio(
        runtime.settings.knowledge_pack, runtime.settings.tz, kick=runtime.outbox_kick
    )
    runtime.dialogs.add(RegisterInitiativeDialog(portfolio))
    step_by_step = start_dialog(RegisterInitiativeDialog.__name__)

    async def register_initiative(context: TurnContext, match: IntentMatch) -> None:
        """The form card where the client can fill it in, else the dialog."""
        if context.activity.channel_id in CARD_FORM_CHANNELS:
            await portfolio.show_form(context)
        else:
            await step_by_step(context, match)

    async def mine(context: TurnContext, _match: IntentMatch) -> None:
        await portfolio.show_mine(context)

    async def listing(context: TurnContext, match: IntentMatch) -> None:
        await portfolio.show_search(
            context,
            status=status_from_words(match.params.get("status")),
            unit=match.params.get("unit"),
        )

    async def search(context: TurnContext, match: IntentMatch) -> None:
        await portfolio.show_search(context, words=match.params.get("words"))

    async def show_one(context: TurnContext, match: IntentMatch) -> None:
        await portfolio.show_by_id(context, match.params.get("id"))

    async def submit_steps(context: TurnContext, _data: Mapping[str, Any]) -> None:
        await context.turn_state[DIALOG_CONTEXT_KEY].begin_dialog(RegisterInitiativeDialog.__name__)

    async def submit_show(context: TurnContext, data: Mapping[str, Any]) -> None:
        await portfolio.show_by_id(context, data.get("id"))

    async def submit_follow(context: TurnContext, data: Mapping[str, Any]) -> None:
        await portfolio.follow(context, data.get("id"))

    routes = runtime.routes
    routes.action("portfolio.register", register_initiative)
    routes.action("portfolio.register_steps", step_by_step)
    routes.action("portfolio.mine", mine)
    routes.action("portfolio.list", listing)
    routes.action("portfolio.search", search)
    routes.action("portfolio.show", show_one)
    routes.submit("portfolio.register", portfolio.submit_form)
    routes.submit("portfolio.steps", submit_steps)
    routes.submit("portfolio.move", portfolio.submit_move)
    routes.submit("portfolio.follow", submit_follow)
    routes.submit("portfolio.show", submit_show)
