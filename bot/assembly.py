"""Builds the bot from settings: storage → state → dialogs → capabilities → bot (no HTTP here)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from botbuilder.core import ConversationState, UserState
from botbuilder.dialogs import DialogSet

from bot.capabilities import (
    Runtime,
    access,
    core,
    directory,
    knowledge,
    meetings,
    portfolio,
    privacy,
    procurement,
)
from bot.handler import GovBot
from bot.intents import IntentMatcher
from bot.proactive import ProactiveSender
from bot.settings import Settings
from storage.bot_state import SqlStorage
from storage.db import Database

# Every capability, in the order its fallbacks are tried on free text; knowledge answers last.
CAPABILITIES = (core, directory, portfolio, procurement, meetings, access, privacy, knowledge)


def build_bot(
    settings: Settings,
    database: Database,
    *,
    proactive: ProactiveSender | None = None,
    outbox_kick: Callable[[], Awaitable[None]] | None = None,
) -> GovBot:
    """Wire every capability into one GovBot."""
    storage = SqlStorage(database)
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    runtime = Runtime(
        settings=settings,
        database=database,
        conversation_state=conversation_state,
        user_state=user_state,
        dialogs=DialogSet(conversation_state.create_property("DialogState")),
        proactive=proactive,
    )
    if outbox_kick is not None:
        runtime.outbox_kick = outbox_kick
    for capability in CAPABILITIES:
        capability.register(runtime)
    return GovBot(
        settings=settings,
        database=database,
        conversation_state=conversation_state,
        user_state=user_state,
        dialogs=runtime.dialogs,
        matcher=IntentMatcher(),
        routes=runtime.routes,
    )
