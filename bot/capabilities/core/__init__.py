"""The foundation's capability: welcome, help, profile, and steering words outside a dialog."""

from __future__ import annotations

from botbuilder.core import TurnContext

from bot.capabilities import Runtime
from bot.handler import DIALOG_CONTEXT_KEY, show_welcome
from bot.intents import IntentMatch
from bot.routing import Action
from dialogs.cards import MAIN_ACTIONS
from dialogs.confirmation import DECLINE, TypedConfirmationDialog
from dialogs.profile import ProfileDialog
from dialogs.turn import say, show


async def welcome(turn_context: TurnContext, _match: IntentMatch) -> None:
    """Greet the user with what govbot can do."""
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
        dialog_context = turn_context.turn_state[DIALOG_CONTEXT_KEY]
        await dialog_context.begin_dialog(dialog_id, dict(match.params))

    begin.__name__ = f"start_{dialog_id}"
    return begin


def answer_with(text_key: str, **values: str) -> Action:
    """An action that answers with one text, e.g. how to write a command the model recognised."""

    async def answer(turn_context: TurnContext, _match: IntentMatch) -> None:
        await say(turn_context, text_key, **values)

    answer.__name__ = f"answer_{text_key.replace('.', '_')}"
    return answer


def register(runtime: Runtime) -> None:
    """Add the profile and confirmation dialogs and the foundation's actions."""
    runtime.dialogs.add(ProfileDialog(runtime.user_state.create_property("profile")))
    runtime.dialogs.add(TypedConfirmationDialog(runtime.routes.press))
    routes = runtime.routes
    routes.submit(DECLINE, runtime.confirmations.pressed_no)
    routes.action("welcome", welcome)
    routes.action("help", help_card)
    routes.action("cancel", nothing_to_cancel)
    routes.action("restart", help_card)
    routes.action("back", help_card)
    routes.action("profile", start_dialog(ProfileDialog.__name__))
