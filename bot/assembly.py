"""Builds the bot from settings: storage → state → dialogs → capabilities → bot (no HTTP here)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.capabilities import (
    Runtime,
    access,
    core,
    directory,
    followup,
    knowledge,
    meetings,
    portfolio,
    privacy,
    procurement,
    smalltalk,
    support,
)
from bot.handler import GovBot
from bot.intents import IntentMatcher, trained_matcher
from bot.proactive import ProactiveSender
from bot.rosters import Roster
from bot.routing import SlotSource
from bot.sdk import DialogSet, TurnContext
from bot.settings import Settings
from dialogs.confirmation import Confirmations
from dialogs.turn import turn_session
from knowledge.name_index import NameIndex
from knowledge.packs import load_pack
from knowledge.slots import SlotFinder, pack_topics
from knowledge.text import fold
from storage.bot_state import SqlStorage, TurnConversationState, TurnUserState
from storage.db import Database
from storage.directory_snapshots import directory_index

# Every capability, in the order its fallbacks are tried on free text; knowledge answers last.
CAPABILITIES = (
    core,
    directory,
    portfolio,
    procurement,
    meetings,
    access,
    privacy,
    smalltalk,
    support,
    followup,
    knowledge,
)


def build_bot(
    settings: Settings,
    database: Database,
    *,
    proactive: ProactiveSender | None = None,
    outbox_kick: Callable[[], Awaitable[None]] | None = None,
    roster_changed: Callable[[Roster], object] | None = None,
) -> GovBot:
    """Wire every capability into one GovBot."""
    storage = SqlStorage(database)
    conversation_state = TurnConversationState(storage)
    user_state = TurnUserState(storage)
    runtime = Runtime(
        settings=settings,
        database=database,
        conversation_state=conversation_state,
        user_state=user_state,
        dialogs=DialogSet(conversation_state.create_property("DialogState")),
        confirmations=Confirmations(conversation_state.create_property("govbot.pending")),
        proactive=proactive,
    )
    if outbox_kick is not None:
        runtime.outbox_kick = outbox_kick
    for capability in CAPABILITIES:
        capability.register(runtime)
    matcher = trained_matcher(settings.model_cache)
    missing = [i.key for i in matcher.intents if i.key not in runtime.routes.actions]
    if missing:
        raise RuntimeError(f"intents without a handler: {missing}")
    bot = GovBot(
        settings=settings,
        database=database,
        conversation_state=conversation_state,
        user_state=user_state,
        dialogs=runtime.dialogs,
        matcher=matcher,
        routes=runtime.routes,
        slots=slot_source(settings.knowledge_pack, matcher),
        roster_changed=roster_changed,
    )
    return bot


def slot_source(pack_key: str, matcher: IntentMatcher) -> SlotSource:
    """Names in a message: the pack's bodies, and the systems and people of the directory."""
    pack = load_pack(pack_key)
    bodies: NameIndex[str] = NameIndex((body.key, body.names) for body in pack.bodies)
    vocabulary = matcher.model.vocabulary if matcher.model is not None else frozenset()
    topics = pack_topics(entry.title_da for entry in pack.faq)

    def ordinary(word: str) -> bool:
        return fold(word) in vocabulary

    async def slots(turn_context: TurnContext) -> SlotFinder:
        index = await directory_index(session=turn_session(turn_context))
        return SlotFinder(
            {"body": bodies, "system": index.system_names, "person": index.person_names},
            ordinary=ordinary,
            topics=topics,
        )

    return slots
