"""What a message or a pressed button is routed to: an intent's action, a card's submit handler,
a "Vil du …?" offer, the fallbacks, or "det forstod jeg ikke".

The activity handler (bot/handler.py) runs the turn around this: the transaction, the state,
the dialog context and the welcome; this decides who answers. Each routing records what the
turn went to under `INTENT_KEY`, for the turn's log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.conversations import clean_text
from bot.intents import IntentMatch, IntentMatcher, Understood
from bot.interruptions import Interruptions
from bot.notices import card_message, card_response
from bot.routing import Routes, SlotSource, continue_dialog
from bot.sdk import Activity, DialogContext, InvokeResponse, TurnContext
from bot.subject import recall as recall_subject
from dialogs.base import PromptReading
from dialogs.cards import MAIN_ACTIONS
from dialogs.texts import text
from dialogs.turn import CARD_ANSWER_KEY, DIALOG_CONTEXT_KEY, show, turn_lang

INTENT_KEY = "govbot.intent"


class TurnRouter:
    """Routes a turn's text, card submits and Action.Execute verbs to the capabilities."""

    def __init__(
        self, *, matcher: IntentMatcher, routes: Routes, slots: SlotSource, max_message_chars: int
    ) -> None:
        self._matcher = matcher
        self._routes = routes
        self._slots = slots
        # Text a button stands for is cut to what a typed message may be.
        self._max_message_chars = max_message_chars
        self._interruptions = Interruptions(matcher, routes, slots, self.offer)

    async def route_text(self, turn_context: TurnContext, text: str) -> None:
        """Act on a message no running dialog took."""
        subject = recall_subject(turn_context)
        understood = self._matcher.understand(
            text, await self._slots(turn_context), after=subject.intent if subject else None
        )
        match = understood.match
        if self._asks(match) and await self._routes.answered_ahead(turn_context, understood.text):
            turn_context.turn_state[INTENT_KEY] = "ahead"
            return
        if match is not None and match.key in self._routes.actions:
            turn_context.turn_state[INTENT_KEY] = match.key
            await self._routes.actions[match.key](turn_context, match)
            return
        if understood.offers:
            if await self._routes.answer_if_sure(turn_context, understood.text):
                turn_context.turn_state[INTENT_KEY] = "sure_answer"
                return
            await self.offer(turn_context, understood)
            return
        text = understood.text or text
        for fallback in self._routes.fallbacks:
            if await fallback(turn_context, text):
                turn_context.turn_state[INTENT_KEY] = getattr(fallback, "__name__", "fallback")
                return
        turn_context.turn_state[INTENT_KEY] = "not_understood"
        lead = _text(turn_context, "fallback.not_understood", text=text[:200])
        await show(turn_context, "help", lead=lead, actions=MAIN_ACTIONS)

    def _asks(self, match: IntentMatch | None) -> bool:
        """Whether the message is a question rather than a request that starts a flow: no
        intent, or one that may be asked mid-dialog (its answer is a reply, not a flow)."""
        if match is None:
            return True
        intent = self._matcher.intent(match.key)
        return intent is not None and intent.interrupts

    def _interrupts(self, key: str) -> bool:
        """Whether intent `key` may be asked in the middle of a dialog (declared so, routed)."""
        intent = self._matcher.intent(key)
        return intent is not None and intent.interrupts and key in self._routes.actions

    async def interrupt(self, turn_context: TurnContext, text: str, reading: PromptReading) -> bool:
        """Answer what is said in the middle of a dialog; False when it is the prompt's answer
        (bot/interruptions.py decides which)."""
        answered = await self._interruptions(turn_context, text, reading)
        if answered:
            turn_context.turn_state[INTENT_KEY] = "interruption"
        return answered

    async def offer(self, turn_context: TurnContext, understood: Understood) -> None:
        """ "Vil du …?": the likely intents as buttons that act on the original message."""
        turn_context.turn_state[INTENT_KEY] = "offer"
        lang = turn_lang(turn_context)
        offers = [
            {"key": offer.intent, "label": self._matcher.offer_label(offer.intent, lang)}
            for offer in understood.offers
        ]
        await show(turn_context, "intent_offers", offers=offers, said=understood.text[:500])

    async def choose_intent(self, turn_context: TurnContext, data: Mapping[str, Any]) -> None:
        """A "Vil du …?" button: act on the intent chosen, with the original message."""
        key, said = data.get("intent"), data.get("text")
        action = self._routes.actions.get(key) if isinstance(key, str) else None
        if action is None or not isinstance(said, str):
            await show(turn_context, "help", lead=_text(turn_context, "fallback.card_unknown"),
                       actions=MAIN_ACTIONS)  # fmt: skip
            return
        assert isinstance(key, str)  # an action is only looked up for a str key
        said = self._said(said)
        # Handlers that read the message itself (a need, a change) see what the user wrote.
        turn_context.activity.text = said
        params = self._matcher.params_for(said, await self._slots(turn_context))
        turn_context.turn_state[INTENT_KEY] = f"chosen:{key}"
        await action(turn_context, IntentMatch(key, 100.0, "offer", params, said))
        dialog_context: DialogContext | None = turn_context.turn_state.get(DIALOG_CONTEXT_KEY)
        if dialog_context is not None and dialog_context.active_dialog is not None:
            if self._interrupts(key):  # a question answered mid-dialog: the prompt again
                await dialog_context.reprompt_dialog()

    async def card_submit(
        self, turn_context: TurnContext, dialog_context: DialogContext, value: Mapping[str, Any]
    ) -> str:
        """Handle a card button; returns text to route when the button stands for a message."""
        action = value.get("action")
        if action == "say" and isinstance(value.get("text"), str):
            return self._said(value["text"])
        if action == "intent.choose":
            await self.choose_intent(turn_context, value)
            return ""
        handler = self._routes.submits.get(action) if isinstance(action, str) else None
        if handler is not None:
            turn_context.turn_state[INTENT_KEY] = f"submit:{action}"
            await handler(turn_context, value)
            return ""
        owner = self._routes.dialog_cards.get(action) if isinstance(action, str) else None
        active = dialog_context.active_dialog
        if active is not None and (owner is None or owner[0] == active.id):
            said = value.get("text") if owner is not None else None
            if isinstance(said, str):  # the button stands for an answer typed to the prompt
                return self._said(said)
            turn_context.turn_state[INTENT_KEY] = "dialog"
            await continue_dialog(turn_context, dialog_context)
            return ""
        if isinstance(action, str) and await self._card_outcome(turn_context, action, value):
            if active is not None:  # another dialog runs: its question again
                await dialog_context.reprompt_dialog()
            return ""
        turn_context.turn_state[INTENT_KEY] = "stale_card"
        await show(
            turn_context,
            "help",
            lead=_text(turn_context, "fallback.card_unknown"),
            actions=MAIN_ACTIONS,
        )
        return ""

    async def execute(
        self, turn_context: TurnContext, verb: object, data: Mapping[str, Any]
    ) -> InvokeResponse:
        """An Action.Execute: the same handlers as Action.Submit.

        A handler that set the card as it now stands (a button on a card kept current, or a
        card's `refresh`) is answered with that card, for the user who acted; any other with a
        short message on the card. The body is returned as a plain dict: botbuilder 4.17
        cannot serialise a message response whose value is a string, which Teams expects.
        """
        handler = self._routes.submits.get(verb) if isinstance(verb, str) else None
        answer = "invoke.done"
        if verb == "say" and isinstance(data.get("text"), str):
            await self.route_text(turn_context, clean_text(Activity(text=data["text"])))
        elif handler is not None:
            turn_context.turn_state[INTENT_KEY] = f"execute:{verb}"
            await handler(turn_context, {**data, "action": verb})
        elif isinstance(verb, str) and await self._card_outcome(turn_context, verb, data):
            pass
        else:
            turn_context.turn_state[INTENT_KEY] = "stale_card"
            answer = "fallback.card_unknown"
        shown = turn_context.turn_state.pop(CARD_ANSWER_KEY, None)
        if isinstance(shown, dict):
            return card_response(shown)
        return card_message(_text(turn_context, answer))

    async def _card_outcome(
        self, turn_context: TurnContext, action: str, data: Mapping[str, Any]
    ) -> bool:
        """A dialog's button pressed after its dialog ended: what became of it, when known."""
        owner = self._routes.dialog_cards.get(action)
        if owner is None:
            return False
        turn_context.turn_state[INTENT_KEY] = f"card_outcome:{action}"
        return await owner[1](turn_context, data)

    def _said(self, said: str) -> str:
        """Text a button stands for, as a typed message would be."""
        return clean_text(Activity(text=said))[: self._max_message_chars]


def _text(turn_context: TurnContext, key: str, **values: Any) -> str:
    return text(key, turn_lang(turn_context), **values)
