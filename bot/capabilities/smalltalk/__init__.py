"""Small talk: thanks, goodbye, "who are you", praise and complaints get a short, natural answer."""

from __future__ import annotations

from bot.capabilities import Runtime
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from dialogs.cards import MAIN_ACTIONS
from dialogs.texts import in_lang, text
from dialogs.turn import say, show, turn_lang
from knowledge.packs import load_pack
from knowledge.schema import Pack


class SmallTalk:
    """Answers to the social side of a chat, in the user's language."""

    def __init__(self, pack: Pack) -> None:
        self._pack = pack

    async def thanks(self, context: TurnContext, _match: IntentMatch) -> None:
        """ "tak", "super, mange tak"."""
        await say(context, "smalltalk.thanks")

    async def goodbye(self, context: TurnContext, _match: IntentMatch) -> None:
        """ "farvel", "det var det hele"."""
        await say(context, "smalltalk.goodbye")

    async def who_are_you(self, context: TurnContext, _match: IntentMatch) -> None:
        """ "hvem er du", "er du en robot"."""
        await say(context, "smalltalk.who_are_you")

    async def compliment(self, context: TurnContext, _match: IntentMatch) -> None:
        """ "du er god"."""
        await say(context, "smalltalk.compliment")

    async def acknowledge(self, context: TurnContext, _match: IntentMatch) -> None:
        """ "ok", "forstået": a short reply with the way on, not an honest don't-know."""
        await say(context, "smalltalk.acknowledge")

    async def complaint(self, context: TurnContext, _match: IntentMatch) -> None:
        """ "du forstår mig ikke": an apology, the main actions and whom to ask."""
        lang = turn_lang(context)
        contact = self._pack.default_contact
        name = in_lang(contact, "name", lang)
        await show(
            context,
            "help",
            lead=text("smalltalk.complaint", lang, contact=name),
            actions=MAIN_ACTIONS,
        )


def register(runtime: Runtime) -> None:
    """Route the small-talk intents."""
    talk = SmallTalk(load_pack(runtime.settings.knowledge_pack))
    methods = "thanks goodbye who_are_you compliment complaint acknowledge"
    runtime.routes.methods("smalltalk", talk, methods)
