"""No dead ends: IT-support problems are pointed to the service desk, and what govbot does not
do gets a friendly "det kan jeg ikke" with the main actions."""

from __future__ import annotations

from bot.capabilities import Runtime
from bot.intents import IntentMatch
from bot.routing import Routes
from bot.sdk import TurnContext
from dialogs.cards import MAIN_ACTIONS
from dialogs.texts import Lang, in_lang, text
from dialogs.turn import say, show, turn_lang
from knowledge.packs import load_pack
from knowledge.schema import Pack


class Support:
    """Where to go with what govbot does not handle."""

    def __init__(self, pack: Pack, routes: Routes) -> None:
        self._pack = pack
        self._routes = routes

    def where(self, lang: Lang) -> str:
        """The pack's IT support, or govbot's general advice when the pack names none."""
        desk = self._pack.it_support
        if desk is None:
            return text("support.default_where", lang)
        name = in_lang(desk, "name", lang)
        return text("support.pack_where", lang, name=name, phone=desk.phone, url=desk.url)

    async def it_problem(self, context: TurnContext, match: IntentMatch) -> None:
        """ "min computer virker ikke", "jeg har glemt min kode"; but what the pack itself
        answers ("hvornår bliver min computer skiftet?", Randers' equipment rule) is answered."""
        if match.text and await self._routes.answer_if_sure(context, match.text):
            return
        lang = turn_lang(context)
        await say(context, "support.it_problem", where=self.where(lang))

    async def out_of_scope(self, context: TurnContext, _match: IntentMatch) -> None:
        """ "kan du bestille pizza?": not govbot's, and what it can do instead."""
        lead = text("support.out_of_scope", turn_lang(context))
        await show(context, "help", lead=lead, actions=MAIN_ACTIONS)


def register(runtime: Runtime) -> None:
    """Route IT-support problems and out-of-scope requests."""
    support = Support(load_pack(runtime.settings.knowledge_pack), runtime.routes)
    runtime.routes.action("support.it_problem", support.it_problem)
    runtime.routes.action("support.out_of_scope", support.out_of_scope)
