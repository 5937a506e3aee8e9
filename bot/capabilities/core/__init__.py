"""The foundation's capability: welcome, help, profile, and steering words outside a dialog."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.capabilities import Runtime
from bot.conversations import clean_text
from bot.handler import WELCOMED_KEY, show_welcome
from bot.intents import IntentMatch
from bot.interruptions import looks_like_question
from bot.routing import Action, Routes, SubmitHandler
from bot.sdk import TurnContext
from dialogs.cards import MAIN_ACTIONS
from dialogs.confirmation import DECLINE, TYPED_ANSWER, TypedConfirmationDialog
from dialogs.profile import EDIT_UNIT, SET_LANGUAGE, ProfileCard, ProfileDialog
from dialogs.texts import in_lang
from dialogs.turn import say, show, step, turn_dialogs, turn_lang
from knowledge.meeting_words import meeting_bodies
from knowledge.schema import Pack


async def welcome(turn_context: TurnContext, _match: IntentMatch) -> None:
    """Greet the user: the welcome card with what govbot can do, or a short hello with the
    main actions when they have seen that card before (not the same card twice in a row)."""
    if turn_context.turn_state.get(WELCOMED_KEY):
        lang = turn_lang(turn_context)
        await say(turn_context, "welcome.again", then=[step(a, lang) for a in MAIN_ACTIONS])
        return
    await show_welcome(turn_context)


async def help_card(turn_context: TurnContext, _match: IntentMatch) -> None:
    """List what govbot can do, with buttons."""
    await show(turn_context, "help", lead=None, actions=MAIN_ACTIONS)


async def nothing_to_cancel(turn_context: TurnContext, _match: IntentMatch) -> None:
    """ "annuller" with no dialog running."""
    await say(turn_context, "dialog.nothing_to_cancel")


def start_dialog(dialog_id: str) -> Action:
    """An action that begins `dialog_id`, passing the intent's parameters as options."""

    async def begin(turn_context: TurnContext, match: IntentMatch) -> None:
        dialog_context = turn_dialogs(turn_context)
        await dialog_context.begin_dialog(dialog_id, dict(match.params))

    begin.__name__ = f"start_{dialog_id}"
    return begin


def start_dialog_on_press(dialog_id: str) -> SubmitHandler:
    """A card button that begins `dialog_id` (ending any dialog the user was in)."""

    async def begin(turn_context: TurnContext, _data: Mapping[str, Any]) -> None:
        dialog_context = turn_dialogs(turn_context)
        await dialog_context.cancel_all_dialogs()
        await dialog_context.begin_dialog(dialog_id)

    begin.__name__ = f"press_{dialog_id}"
    return begin


def answer_with(
    text_key: str, values: Callable[[TurnContext], Mapping[str, Any]] | None = None
) -> Action:
    """An action that answers with one text, e.g. how to write a command the model recognised;
    `values` gives the text's values for the turn (names in the turn's language)."""

    async def answer(turn_context: TurnContext, _match: IntentMatch) -> None:
        await say(turn_context, text_key, **(values(turn_context) if values else {}))

    answer.__name__ = f"answer_{text_key.replace('.', '_')}"
    return answer


async def answered_before_flow(
    routes: Routes, context: TurnContext, match: IntentMatch, offer: str, flow_step: str
) -> bool:
    """Whether a question the model read as starting a flow was answered from the pack
    instead, with the flow one tap away ("skal vi spørge IT, før vi køber noget?" is answered,
    then the procurement guide is offered). A command or a wish starts the flow."""
    said = match.text or clean_text(context.activity)
    if match.via == "command" or not looks_like_question(said):
        return False
    if not await routes.answer_if_sure(context, said):
        return False
    await say(context, offer, then=[step(flow_step, turn_lang(context))])
    return True


def example_body(pack: Pack) -> Callable[[TurnContext], dict[str, str]]:
    """Text values naming the pack's first body that meets (in lower case, in the turn's
    language), so an example command can be written as it stands."""
    example = next(iter(meeting_bodies(pack)), None)

    def values(turn_context: TurnContext) -> dict[str, str]:
        name = in_lang(example, "name", turn_lang(turn_context)) if example else ""
        return {"body": str(name).lower()}

    return values


def register(runtime: Runtime) -> None:
    """Add the profile and confirmation dialogs and the foundation's actions."""
    profile = runtime.user_state.create_property("profile")
    runtime.dialogs.add(ProfileDialog(profile))
    profile_card = ProfileCard(profile)
    runtime.dialogs.add(TypedConfirmationDialog(runtime.routes.press))
    routes = runtime.routes
    routes.submit(DECLINE, runtime.confirmations.pressed_no)
    routes.dialog_card(
        TYPED_ANSWER, TypedConfirmationDialog.__name__, runtime.confirmations.outcome
    )
    routes.action("welcome", welcome)
    for key in ("help", "restart", "back"):  # nothing to restart or go back to: what govbot does
        routes.action(key, help_card)
    routes.action("cancel", nothing_to_cancel)
    routes.action("profile", profile_card.show)
    routes.submit(EDIT_UNIT, start_dialog_on_press(ProfileDialog.__name__))
    routes.submit(SET_LANGUAGE, profile_card.set_language)
