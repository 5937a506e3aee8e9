"""What a dialog may know about the current turn: its database session, language and user.

The bot puts these in `turn_state` before any dialog runs; dialogs read them here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.sdk import (
    ActionTypes,
    Activity,
    Attachment,
    CardAction,
    DialogContext,
    MessageFactory,
    SuggestedActions,
    TurnContext,
)
from dialogs.cards import MAIN_ACTIONS, card
from dialogs.texts import Lang, text
from knowledge.schema_base import MAX_BUTTON_LABEL

SESSION_KEY = "govbot.session"
AFTER_COMMIT_KEY = "govbot.after_commit"
LANG_KEY = "govbot.lang"
USER_KEY = "govbot.user"
# The card an Action.Execute (or a card's refresh) is answered with, in place of the card acted
# on, for the user who acted: its content, set by the handler the action ran.
CARD_ANSWER_KEY = "govbot.card_answer"
# The bot's answerer of questions asked in the middle of a dialog ("hvad betyder SaaS?"):
# `async (context, text, reading) -> bool` with the prompt's `PromptReading` (dialogs/base.py),
# True when it answered and the dialog should re-ask.
INTERRUPT_KEY = "govbot.interrupt"
# The turn's DialogContext, set by the handler before anything is routed (`turn_dialogs`).
DIALOG_CONTEXT_KEY = "govbot.dialog_context"


@dataclass(frozen=True)
class TurnUser:
    """The person behind the activity, as far as the channel tells."""

    channel_user_id: str
    aad_object_id: str | None = None
    name: str | None = None
    email: str | None = None
    tenant_id: str | None = None

    @property
    def identity(self) -> str:
        """A stable identifier for audit entries: AAD object id, else email, else channel id."""
        return self.aad_object_id or self.email or self.channel_user_id


def turn_session(context: TurnContext) -> AsyncSession:
    """The turn's database session (one transaction, committed when the turn succeeds)."""
    return context.turn_state[SESSION_KEY]


def turn_dialogs(context: TurnContext) -> DialogContext:
    """The turn's dialog context, for a handler that begins a dialog or looks at the one running."""
    return context.turn_state[DIALOG_CONTEXT_KEY]


def after_commit(context: TurnContext, action: Callable[[], Awaitable[None]]) -> None:
    """Run `action` once the turn's transaction has committed (never if it rolls back).

    For side effects outside the database, such as waking the outbox dispatcher.
    """
    context.turn_state.setdefault(AFTER_COMMIT_KEY, []).append(action)


def answer_with_card(context: TurnContext, attachment: Attachment) -> None:
    """Show `attachment`'s card in place of the card acted on, to the user who acted, when the
    turn is a Universal Action (Action.Execute or a refresh); a plain submit ignores it."""
    context.turn_state[CARD_ANSWER_KEY] = attachment.content


def turn_lang(context: TurnContext) -> Lang:
    """The language to answer in."""
    return context.turn_state.get(LANG_KEY, "da")


def turn_text(context: TurnContext, key: str, /, **values: Any) -> str:
    """The text `key` in the language to answer in."""
    return text(key, turn_lang(context), **values)


def turn_user(context: TurnContext) -> TurnUser:
    """Who sent the activity."""
    return context.turn_state[USER_KEY]


# A next step offered under an answer: (button title, the message the button sends).
NextStep = tuple[str, str]


def next_steps(message: Activity, steps: Sequence[NextStep]) -> Activity:
    """`message` with `steps` as suggested actions: the way on from an answer that has none.

    Teams shows suggested actions in 1:1 chats, each sending its text as if typed."""
    if steps:
        message.suggested_actions = SuggestedActions(
            actions=[
                CardAction(type=ActionTypes.im_back, title=title, value=said)
                for title, said in steps
            ]
        )
    return message


def step(key: str, lang: Lang, /, **values: Any) -> NextStep:
    """The next step `actions.<key>`: its button title and the text it sends."""
    return text(f"actions.{key}", lang, **values), text(f"actions.{key}_say", lang, **values)


def main_steps(lang: Lang) -> list[NextStep]:
    """The welcome card's five ways in, as next steps: where to go once a flow has stopped."""
    return [step(key, lang) for key in MAIN_ACTIONS]


async def say(
    context: TurnContext, key: str, /, then: Sequence[NextStep] = (), **values: Any
) -> None:
    """Send the text `key` in the turn's language, with `then` as the next steps."""
    message = MessageFactory.text(turn_text(context, key, **values))
    await context.send_activity(next_steps(message, then))


async def show(
    context: TurnContext, name: str, /, then: Sequence[NextStep] = (), **values: Any
) -> None:
    """Send the card `name` in the turn's language, with `then` as the next steps."""
    message = MessageFactory.attachment(card(name, turn_lang(context), **values))
    await context.send_activity(next_steps(message, then))


async def ask_which(context: TurnContext, lead: str, options: Sequence[NextStep]) -> None:
    """One short question with its answers as buttons ("Mener du SBSYS eller Acadre?")."""
    choices = [{"name": title, "detail": "", "text": said} for title, said in options]
    await show_choices(context, lead, choices)


async def show_choices(
    context: TurnContext, lead: str, choices: Sequence[Mapping[str, str]], hint: str | None = None
) -> None:
    """The choices card: `choices` ({name, detail, text}) as buttons, each detail beside it."""
    lang = turn_lang(context)
    await show(context, "choices", lead=lead, choices=fit_buttons(choices, lang), hint=hint)


def fit_buttons(choices: Sequence[Mapping[str, str]], lang: Lang) -> list[dict[str, str]]:
    """Choices whose name Teams would cut off ("Fagsystem til økonomi…") get a numbered
    button ("Valg 2"), their name then leading the detail beside it."""
    fitted = []
    for n, choice in enumerate(choices, start=1):
        name, detail = choice["name"], choice.get("detail", "")
        if len(name) > MAX_BUTTON_LABEL:
            detail = f"{name} — {detail}" if detail else name
            name = text("choices.numbered", lang, n=n)
        fitted.append({**choice, "name": name, "detail": detail})
    return fitted


def as_attachment(name: str, context: TurnContext, /, **values: Any) -> Attachment:
    """The card `name` in the turn's language, for use inside prompts."""
    return card(name, turn_lang(context), **values)
