"""Proactive messages: send to a stored conversation outside the turn that caused it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.conversations import reference_of
from bot.sdk import Activity, CloudAdapter, ResourceResponse, TurnContext
from storage.conversations import ConversationInfo

log = logging.getLogger(__name__)


@dataclass
class ProactiveSender:
    """Continues a stored conversation through the adapter and sends activities into it."""

    adapter: CloudAdapter
    app_id: str

    async def send(self, conversation: ConversationInfo, *activities: Activity) -> list[str]:
        """Send `activities` to `conversation`; returns the channel's activity ids.

        Errors from the channel (throttling, blocked bot, unknown conversation) propagate, so
        the caller decides whether to retry, back off or mark the recipient unreachable.
        """
        sent: list[ResourceResponse] = []
        failure: list[Exception] = []

        async def deliver(context: TurnContext) -> None:
            # The SDK's continuation event has a made-up id that would turn our message into a
            # reply to it; without an id the message is posted as a new one.
            context.activity.id = None
            try:
                sent.extend(await context.send_activities(list(activities)) or [])
            except Exception as error:  # handed to the caller, not to the turn-error handler
                failure.append(error)

        await self.adapter.continue_conversation(
            reference_of(conversation), deliver, bot_app_id=self.app_id or None
        )
        if failure:
            raise failure[0]
        return [response.id for response in sent if response and response.id]
