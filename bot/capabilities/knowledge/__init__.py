"""Governance questions answered from the active knowledge pack, with sources.

The answerer is the last fallback for free text: confident answers come as a card citing their
source, middling matches as "Mente du …?" buttons with a way out ("Ingen af dem" → whom to
ask), and anything else as an honest "det står ikke i vores materiale" naming whom to ask.
A question about a body's chair, secretary or members is answered from both the pack (the
position) and govbot's records (the person).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.capabilities import Runtime
from bot.capabilities.knowledge.missing_bodies import MissingBodyAnswer
from bot.conversations import clean_text
from bot.intents import IntentMatch
from bot.sdk import MessageFactory, TurnContext
from dialogs.texts import Lang, in_lang, text
from dialogs.turn import next_steps, show, step, turn_lang, turn_session
from knowledge.answers import (
    Confidence,
    KnowledgeAnswer,
    answer_entry,
    answer_question,
    answer_unknown,
)
from knowledge.packs import load_pack
from knowledge.schema import Pack
from storage.access import Role
from storage.access_holders import role_holders
from storage.errors import DomainError

# The parts of a body whose holders govbot keeps, and the govbot role behind each.
BODY_PARTS: dict[str, Role] = {
    "chair": Role.CHAIR,
    "secretary": Role.SECRETARY,
    "members": Role.MEMBER,
}


def is_sure(answer: KnowledgeAnswer) -> bool:
    """Whether `answer` is one entry answered confidently (shown before any "Vil du …?")."""
    return answer.confidence is Confidence.CONFIDENT and answer.entry is not None


class KnowledgeAnswerer:
    """Answers free text and "related question" buttons from one pack."""

    def __init__(self, pack: Pack) -> None:
        self._pack = pack

    async def answer_text(self, turn_context: TurnContext, text: str) -> bool:
        """The catch-all fallback: always answers, if only with whom to ask."""
        answer = answer_question(self._pack, text, turn_lang(turn_context))
        await self._show(turn_context, answer)
        return True

    async def answer_if_sure(self, turn_context: TurnContext, text: str) -> bool:
        """Answer only when the pack answers `text` confidently (never a "Mente du")."""
        answer = answer_question(self._pack, text, turn_lang(turn_context))
        if not is_sure(answer):
            return False
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
            raise DomainError("knowledge.unknown_entry")
        await self._show(turn_context, answer)

    async def none_of_them(self, turn_context: TurnContext, _data: Mapping[str, Any]) -> None:
        """The "Ingen af dem" button: whom to ask instead."""
        await self._show(turn_context, answer_unknown(self._pack, turn_lang(turn_context)))

    async def body_role(self, turn_context: TurnContext, data: Mapping[str, Any]) -> None:
        """Who chairs (is secretary of) a body: the pack's position and govbot's person."""
        body_key, part = data.get("body"), data.get("part")
        bodies = {b.key for b in self._pack.bodies}
        if part not in BODY_PARTS or body_key not in bodies:
            raise DomainError("knowledge.unknown_entry")
        lang = turn_lang(turn_context)
        try:
            answer = answer_entry(self._pack, f"body:{body_key}:{part}", lang)
        except KeyError:
            records = await self._records(turn_context, str(body_key), str(part))
            body = self._body_name(str(body_key), lang)
            role = text(f"knowledge.role_{part}", lang)
            lines = [text("knowledge.not_in_pack", lang, role=role, body=body), *records]
            # The way on: what the pack does say about the body.
            about = (
                self._pack.body(str(body_key)).button(lang),
                text("knowledge.what_is_say", lang, body=body),
            )
            message = MessageFactory.text("\n\n".join(lines))
            await turn_context.send_activity(next_steps(message, [about]))
            return
        await self._show(turn_context, answer)

    def _body_name(self, body_key: str, lang: Lang) -> str:
        return str(in_lang(self._pack.body(body_key), "name", lang))

    async def _records(self, turn_context: TurnContext, body_key: str, part: str) -> list[str]:
        """What govbot's records say about a body's chair, secretary or members."""
        lang = turn_lang(turn_context)
        holders = await role_holders(
            session=turn_session(turn_context), role=BODY_PARTS[part], body_key=body_key
        )
        names = [f"{h.name} ({h.email})" if h.name and h.email else h.name or h.grant.principal
                 for h in holders]  # fmt: skip
        values = {
            "role": text(f"knowledge.role_{part}", lang),
            "body": self._body_name(body_key, lang),
            "part": part,  # "medlem af", "formand for"
        }
        if not names:
            return [text("knowledge.no_holders", lang, **values)]
        joined = ", ".join(names)
        return [text("knowledge.holders", lang, names=joined, many=len(names) > 1, **values)]

    async def _show(self, turn_context: TurnContext, answer: KnowledgeAnswer) -> None:
        if is_sure(answer) and answer.entry is not None:
            kind, _, rest = answer.entry.id.partition(":")
            body_key, _, part = rest.partition(":")
            records: list[str] = []
            if kind == "body" and part in BODY_PARTS:
                records = await self._records(turn_context, body_key, part)
            # An entry with related questions has them as buttons; one without gets a way on:
            # a role's holders for a system, else what govbot can do.
            lang = turn_lang(turn_context)
            then = (
                []
                if answer.entry.related
                else [step("who_owns" if kind == "role" else "help", lang)]
            )
            await show(
                turn_context, "knowledge_answer", entry=answer.entry, records=records, then=then
            )
        elif answer.confidence is Confidence.SUGGEST and answer.suggestions:
            await show(turn_context, "knowledge_suggest", suggestions=answer.suggestions)
        else:
            await show(turn_context, "knowledge_unknown", text=answer.text, ask=answer.ask)


def register(runtime: Runtime) -> None:
    """Answer governance questions from the configured pack."""
    pack = load_pack(runtime.settings.knowledge_pack)
    answerer = KnowledgeAnswerer(pack)
    runtime.routes.action("knowledge.question", answerer.question)
    runtime.routes.submit("knowledge.entry", answerer.answer_button)
    runtime.routes.submit("knowledge.none", answerer.none_of_them)
    runtime.routes.submit("knowledge.body_role", answerer.body_role)
    runtime.routes.fallback(answerer.answer_text)
    runtime.routes.sure_answer(answerer.answer_if_sure)
    runtime.routes.answer_ahead(MissingBodyAnswer(pack).answer)
