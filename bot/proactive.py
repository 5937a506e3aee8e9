"""Proactive messages: send to a stored conversation outside the turn that caused it, open a
1:1 chat with someone who never wrote to the bot, and update a posted activity in place."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.adapter import GovbotAdapter
from bot.connectors import bot_connector
from bot.conversations import reference_of
from bot.sdk import (
    Activity,
    ChannelAccount,
    ConnectorClient,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
    ResourceResponse,
    TurnContext,
)
from storage.conversations import ConversationInfo, PersonalTarget

log = logging.getLogger(__name__)


@dataclass
class ProactiveSender:
    """Continues a stored conversation through the adapter and sends activities into it."""

    adapter: GovbotAdapter
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

    async def create_personal(self, target: PersonalTarget) -> ConversationInfo:
        """Open (or find: Teams keeps one per user) the bot's 1:1 chat with `target`.

        Only the conversation is created, no message goes with it, so a creation repeated after
        a lost answer or by a second dispatcher can never deliver anything twice. Errors from
        the channel propagate (403/404: the app is not installed for the user).
        """
        bot = ChannelAccount(id=f"28:{self.app_id}" if self.app_id else None)
        parameters = ConversationParameters(
            is_group=False,
            bot=bot,
            members=[ChannelAccount(id=target.aad_object_id, aad_object_id=target.aad_object_id)],
            tenant_id=target.tenant_id,
            channel_data={"tenant": {"id": target.tenant_id}},
        )
        connector = await self._connector(target.service_url)
        created = await self.adapter.channel.create_conversation(connector, parameters)
        service_url = created.service_url or target.service_url
        reference = ConversationReference(
            bot=bot,
            user=ChannelAccount(
                id=target.aad_object_id, aad_object_id=target.aad_object_id, name=target.name
            ),
            conversation=ConversationAccount(
                id=created.id, conversation_type="personal", tenant_id=target.tenant_id
            ),
            channel_id="msteams",
            service_url=service_url,
        )
        return ConversationInfo(
            conversation_id=str(created.id)[:512],
            conversation_type="personal",
            channel_id="msteams",
            service_url=service_url[:512],
            reference=reference.serialize(),
            tenant_id=target.tenant_id,
            aad_object_id=target.aad_object_id,
            user_name=target.name,
            user_email=target.email,
        )

    async def update(
        self, conversation: ConversationInfo, activity_id: str, activity: Activity
    ) -> None:
        """Replace the posted activity `activity_id` in `conversation` with `activity` (PUT)."""
        activity.id = activity_id
        activity.conversation = ConversationAccount(id=conversation.conversation_id)
        connector = await self._connector(conversation.service_url)
        await self.adapter.channel.update(
            connector, conversation.conversation_id, activity_id, activity
        )

    async def _connector(self, service_url: str) -> ConnectorClient:
        return await bot_connector(self.adapter, self.app_id, service_url)
