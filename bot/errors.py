"""The adapter's turn-error handler: log with the activity id, tell the user in their language."""

from __future__ import annotations

import logging
from http import HTTPStatus

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from bot.logs import fields
from dialogs.texts import text
from dialogs.turn import LANG_KEY
from storage.db import is_database_unavailable

log = logging.getLogger(__name__)


async def on_turn_error(context: TurnContext, error: Exception) -> None:
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
    lang = context.turn_state.get(LANG_KEY) or (
        "en" if (activity.locale or "").lower().startswith("en") else "da"
    )
    message = text("errors.database_down" if unavailable else "errors.generic", lang)
    try:
        if activity.type == ActivityTypes.invoke:
            # Teams shows an invoke's answer on the card itself.
            body = {
                "statusCode": 200,
                "type": "application/vnd.microsoft.activity.message",
                "value": message,
            }
            await context.send_activity(
                Activity(
                    type=ActivityTypes.invoke_response,
                    value=InvokeResponse(status=int(HTTPStatus.OK), body=body),
                )
            )
        elif activity.type in (
            ActivityTypes.message,
            ActivityTypes.conversation_update,
            ActivityTypes.installation_update,
        ):
            await context.send_activity(MessageFactory.text(message))
    except Exception as send_error:  # the channel itself may be what failed
        log.warning(
            "could not tell the user about a failed turn",
            extra=fields(activity_id=activity.id or "-", error=type(send_error).__name__),
        )
