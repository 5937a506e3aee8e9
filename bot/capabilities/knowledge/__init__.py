"""Governance questions answered from the active knowledge pack, with sources.

The answerer is the last fallback for free text: confident answers come as a card citing their
source, middling matches as "Mente du …?" buttons, and anything else as an honest
"det ved jeg ikke" naming whom to ask.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botbuilder.core import TurnContext

from bot.capabilities import Runtime
from bot.conversations import clean_text
from bot.intents import IntentMatch
from dialogs.turn import say, show, turn_lang
from knowledge.answers import Confidence, KnowledgeAnswer, answer_entry, answer_question
from knowledge.packs import load_pack
from knowledge.schema import Pack


class KnowledgeAnswerer:
    """Answers free text and "related question" buttons from one pack."""

    def __init__(self, pack: Pack) -> None:
        self._pack = pack

    async def answer_text(self, turn_context: TurnContext, text: str) -> bool:
        """The catch-all fallback: always answers, if only with whom to ask."""
        answer = answer_question(self._pack, text, turn_lang(turn_context))
        await self._show(turn_context, answer)
        return True

    async def question(self, turn_context: TurnContext, match: IntentMatch) -> None:
        """The model read a governance question: answer it from the pack."""
        await self.answer_text(turn_context, match.text or clean_text(turn_context.activity))

    async def answer_button(self, turn_context: TurnContext, data: Mapping[str, Any]) -> None:
        """A related-question or "Mente du" button; the entry id is checked against the pack."""
        entry_id = data.get("entry")
        lang = turn_lang(turn_context)
        try:
            answer = answer_entry(self._pack, entry_id, lang) if isinstance(entry_id, str) else None
        except KeyError:
            answer = None
        if answer is None or answer.entry is None:
            await say(turn_context, "knowledge.unknown_entry")
            return
        await self._show(turn_context, answer)

    @staticmethod
    async def _show(turn_context: TurnContext, answer: KnowledgeAnswer) -> None:
        if answer.confidence is Confidence.CONFIDENT and answer.entry is not None:
            await show(turn_context, "knowledge_answer", entry=answer.entry)
        elif answer.confidence is Confidence.SUGGEST and answer.suggestions:
            await show(turn_context, "knowledge_suggest", suggestions=answer.suggestions)
        else:
            await show(turn_context, "knowledge_unknown", text=answer.text, ask=answer.ask)


def register(runtime: Runtime) -> None:
    """Answer governance questions from the configured pack."""
    answerer = KnowledgeAnswerer(load_pack(runtime.settings.knowledge_pack))
    runtime.routes.action("knowledge.question", answerer.question)
    runtime.routes.submit("knowledge.entry", answerer.answer_button)
    runtime.routes.fallback(answerer.answer_text)
