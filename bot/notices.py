"""Short answers that must reach the user whatever the activity: on the card for an invoke
(Action.Execute), as a message otherwise."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from bot.sdk import Activity, ActivityTypes, InvokeResponse, MessageFactory, TurnContext


def card_message(message: str) -> InvokeResponse:
    """An invoke response Teams shows on the card itself.

    The body is a plain dict: botbuilder 4.17 cannot serialise a message response whose value
    is a string, which is what Teams expects.
    """
    return _adaptive_card_answer("application/vnd.microsoft.activity.message", message)


def card_response(content: dict[str, Any]) -> InvokeResponse:
    """An invoke response that replaces the card acted on (Action.Execute, or a card's refresh)
    with `content`, for the user who acted (Universal Actions)."""
    return _adaptive_card_answer("application/vnd.microsoft.card.adaptive", content)


def _adaptive_card_answer(kind: str, value: str | dict[str, Any]) -> InvokeResponse:
    """The answer to an `adaptiveCard/action` invoke: a message or a card, status 200."""
    return InvokeResponse(
        status=int(HTTPStatus.OK), body={"statusCode": 200, "type": kind, "value": value}
    )


async def tell(context: TurnContext, message: str) -> None:
    """Answer the turn with `message`, on the card when it is an invoke."""
    if context.activity.type == ActivityTypes.invoke:
        await context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=card_message(message))
        )
        return
    await context.send_activity(MessageFactory.text(message))
