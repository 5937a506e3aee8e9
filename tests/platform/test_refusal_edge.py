"""The edge (bot/routing.py): a DomainError raised by any routed handler, or by a dialog's own
step, is said once in the user's language; the dialog it came from ends."""

from __future__ import annotations

from typing import Any

from botbuilder.core import ConversationState, MemoryStorage, TurnContext
from botbuilder.dialogs import (
    DialogSet,
    DialogTurnResult,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.intents import IntentMatch
from bot.routing import Routes, continue_dialog
from dialogs.texts import text
from dialogs.turn import LANG_KEY
from storage.errors import DomainError
from tests.platform.test_confirmations import Recorder, said


class PlaceRefused(DomainError):
    """A typed refusal with its own message."""

    default_key = "meetings.place_missing"


def turn(lang: str = "da", said_text: str = "x") -> tuple[TurnContext, Recorder]:
    activity = Activity(
        type="message", text=said_text, channel_id="test",
        conversation=ConversationAccount(id="c1"), from_property=ChannelAccount(id="u"),
    )  # fmt: skip
    adapter = Recorder()
    context = TurnContext(adapter, activity)
    context.turn_state[LANG_KEY] = lang
    return context, adapter


async def test_a_routed_action_submit_or_fallback_refusal_is_said_in_the_users_language() -> None:
    async def refuse(context: TurnContext, _argument: Any) -> Any:
        raise DomainError("meetings.unknown_meeting", id=12)

    routes = Routes()
    routes.action("x.act", refuse)
    routes.submit("x.press", refuse)
    routes.fallback(refuse)
    context, adapter = turn("en")
    await routes.actions["x.act"](context, IntentMatch("x.act", 100.0, "command"))
    await routes.submits["x.press"](context, {"action": "x.press"})
    assert await routes.fallbacks[0](context, "anything") is True, "a refusal is an answer"
    assert said(adapter) == [text("meetings.unknown_meeting", "en", id=12)] * 3


async def test_a_typed_refusal_says_its_own_message() -> None:
    async def refuse(context: TurnContext, _match: IntentMatch) -> None:
        raise PlaceRefused()

    routes = Routes()
    routes.action("x.act", refuse)
    context, adapter = turn()
    await routes.actions["x.act"](context, IntentMatch("x.act", 100.0, "command"))
    assert said(adapter) == [text("meetings.place_missing")]


async def test_a_refusal_from_a_dialog_step_ends_the_dialog() -> None:
    state = ConversationState(MemoryStorage())
    dialogs = DialogSet(state.create_property("dialogs"))

    async def ask(step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt("text", PromptOptions(prompt=Activity(type="message", text="?")))

    async def refuse(step: WaterfallStepContext) -> DialogTurnResult:
        raise DomainError("errors.refused")

    dialogs.add(TextPrompt("text"))
    dialogs.add(WaterfallDialog("flow", [ask, refuse]))
    context, _ = turn()
    await (await dialogs.create_context(context)).begin_dialog("flow")
    await state.save_changes(context)

    answer, adapter = turn(said_text="svar")
    dialog_context = await dialogs.create_context(answer)
    result = await continue_dialog(answer, dialog_context)
    assert result.status == DialogTurnStatus.Complete
    assert dialog_context.active_dialog is None
    assert said(adapter) == [text("errors.refused")]
