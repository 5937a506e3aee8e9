"""The initiative portfolio in chat: register (card or dialog), mine, lists, search, moves."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.capabilities import Runtime
from bot.capabilities.core import answered_before_flow, start_dialog
from bot.conversations import clean_text
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from bot.subject import remember
from dialogs.portfolio import CARD_FORM_CHANNELS, Portfolio
from dialogs.portfolio_register import RegisterInitiativeDialog
from dialogs.portfolio_words import status_from_words, status_in
from dialogs.turn import turn_dialogs, turn_session
from storage.directory_snapshots import directory_index

# Words that make a listing the user's own ("hvilke initiativer har jeg oprettet").
OWN_WORDS = frozenset("jeg mine mit min selv my mine i've".split())


def _unit_candidates(sentence: str) -> list[str]:
    """What follows "i"/"hos"/"in" in the sentence, longest first ("i Sundhed og Omsorg")."""
    found = re.search(r"\b(?:i|hos|under|in|at)\s+(.+?)[?.!]*$", sentence, flags=re.IGNORECASE)
    if found is None:
        return []
    words = found.group(1).split()
    return [" ".join(words[:n]) for n in range(len(words), 0, -1)]


def register(runtime: Runtime) -> None:
    """Add the registration dialog, the portfolio's intents and its card buttons."""
    portfolio = Portfolio(
        runtime.settings.knowledge_pack,
        runtime.settings.tz,
        kick=runtime.outbox_kick,
        language=runtime.settings.language,
    )
    runtime.dialogs.add(RegisterInitiativeDialog(portfolio))
    step_by_step = start_dialog(RegisterInitiativeDialog.__name__)

    async def register_initiative(context: TurnContext, match: IntentMatch) -> None:
        """The form card where the client can fill it in, else the dialog; step by step too
        from inside another flow, which then goes on when this one ends (bot/interruptions.py)."""
        # "hvordan kommer vores lokale projekt med i porteføljen?" asks what the pack answers:
        # the answer, and registering one tap away.
        if await answered_before_flow(
            runtime.routes, context, match, "portfolio.register_offer", "initiative"
        ):
            return
        paused = turn_dialogs(context).active_dialog is not None
        if context.activity.channel_id in CARD_FORM_CHANNELS and not paused:
            await portfolio.show_form(context)
        else:
            await step_by_step(context, match)

    async def mine(context: TurnContext, _match: IntentMatch) -> None:
        await portfolio.show_mine(context)

    async def listing(context: TurnContext, match: IntentMatch) -> None:
        """A pattern gives status and unit; the model's reading is searched for them (and for
        "mine") in the sentence itself."""
        remember(context, "portfolio.list")  # "og i Jobcenter?" asks the list again
        if match.via == "pattern":
            await portfolio.show_search(
                context,
                status=status_from_words(match.params.get("status")),
                unit=match.params.get("unit"),
            )
            return
        said = match.text or clean_text(context.activity)
        if set(re.findall(r"\w+", said.casefold())) & OWN_WORDS:
            await portfolio.show_mine(context)
            return
        index = await directory_index(session=turn_session(context))
        unit = next((u for u in _unit_candidates(said) if index.find_unit(u)), None)
        await portfolio.show_search(context, status=status_in(said), unit=unit)

    async def search(context: TurnContext, match: IntentMatch) -> None:
        await portfolio.show_search(context, words=match.params.get("words"))

    async def show_one(context: TurnContext, match: IntentMatch) -> None:
        await portfolio.show_by_id(context, match.params.get("id"))

    async def submit_steps(context: TurnContext, _data: Mapping[str, Any]) -> None:
        await turn_dialogs(context).begin_dialog(RegisterInitiativeDialog.__name__)

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
