"""Builds the bot from settings: storage → state → dialogs → routes → bot (no HTTP here)."""

from __future__ import annotations

from botbuilder.core import ConversationState, UserState
from botbuilder.dialogs import DialogSet

from bot import actions
from bot.handler import GovBot
from bot.intents import IntentMatcher
from bot.routing import Routes
from bot.settings import Settings
from dialogs.profile import ProfileDialog
from storage.bot_state import SqlStorage
from storage.db import Database


def build_bot(settings: Settings, database: Database) -> GovBot:
    """Wire every capability into one GovBot."""
    storage = SqlStorage(database)
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    dialogs = DialogSet(conversation_state.create_property("DialogState"))
    routes = Routes()

    dialogs.add(ProfileDialog(user_state.create_property("profile")))
    actions.register(routes)

    return GovBot(
        settings=settings,
        database=database,
        conversation_state=conversation_state,
        user_state=user_state,
        dialogs=dialogs,
        matcher=IntentMatcher(),
        routes=routes,
    )
