"""The adapter's turn-error handler: log with the activity id, tell the user in their language."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.logs import fields
from bot.notices import tell
from bot.sdk import ActivityTypes, TurnContext
from dialogs.language import stateless_language
from dialogs.texts import Lang, text
from dialogs.turn import LANG_KEY
from storage.db import is_database_unavailable

log = logging.getLogger(__name__)


TurnErrorHandler = Callable[[TurnContext, Exception], Awaitable[None]]


def turn_error_handler(default: Lang) -> TurnErrorHandler:
    """The handler for the adapter, answering in the turn's language (the municipality's
    `default` when the turn failed before its language was decided)."""

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        await answer_turn_error(context, error, default)

    return on_turn_error


async def answer_turn_error(context: TurnContext, error: Exception, default: Lang) -> None:
    """Never a trace to the user: a short apology, or "try again shortly" when the DB is down."""
    activity = context.activity
    unavailable = is_database_unavailable(error)
    log.error(
        "turn failed",
        exc_info=None if unavailable else error,
        extra=fields(
            activity_id=activity.id or "-",
            type=activity.type or "-",
            error=type(error).__name__,
        ),
    )
    lang = context.turn_state.get(LANG_KEY) or stateless_language(activity, default)
    message = text("errors.database_down" if unavailable else "errors.generic", lang)
    # Activities no one reads (typing, events, deletes) get no apology.
    answered = (
        ActivityTypes.invoke,
        ActivityTypes.message,
        ActivityTypes.conversation_update,
        ActivityTypes.installation_update,
    )
    try:
        if activity.type in answered:
            await tell(context, message)
    except Exception as send_error:  # the channel itself may be what failed
        log.warning(
            "could not tell the user about a failed turn",
            extra=fields(activity_id=activity.id or "-", error=type(send_error).__name__),
        )
