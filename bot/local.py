"""An in-process adapter: the same bot, state and database, without HTTP (`govbot chat`/`ask`)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bot.adapter import RepliesAfterCommit
from bot.errors import turn_error_handler
from bot.sdk import (
    Activity,
    ActivityTypes,
    BotAdapter,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    ResourceResponse,
    TurnContext,
)
from dialogs.texts import Lang

LOCAL_CHANNEL = "govbot-cli"
# `govbot ask`: one question, one answer, so no welcome card.
ONE_SHOT_CHANNEL = "govbot-ask"
LOCAL_SERVICE_URL = "local://govbot-cli"


class LocalAdapter(RepliesAfterCommit, BotAdapter):
    """Runs turns in-process and collects the bot's replies."""

    def __init__(
        self,
        *,
        user_id: str,
        user_name: str,
        language: Lang,
        locale: str = "da-DK",
        one_shot: bool = False,
    ) -> None:
        super().__init__(turn_error_handler(language))
        self.user = ChannelAccount(id=user_id, name=user_name)
        self.bot = ChannelAccount(id="govbot", name="govbot")
        self.conversation = ConversationAccount(
            id=f"{LOCAL_CHANNEL}:{user_id}", conversation_type="personal"
        )
        self.locale = locale
        self.channel_id = ONE_SHOT_CHANNEL if one_shot else LOCAL_CHANNEL
        self.replies: list[Activity] = []

    def activity(self, *, text: str | None = None, value: Any = None) -> Activity:
        """A message from the local user."""
        return Activity(
            type=ActivityTypes.message,
            id=str(uuid.uuid4()),
            channel_id=self.channel_id,
            service_url=LOCAL_SERVICE_URL,
            from_property=self.user,
            recipient=self.bot,
            conversation=self.conversation,
            locale=self.locale,
            text=text,
            value=value,
        )

    async def turn(
        self, activity: Activity, logic: Callable[[TurnContext], Awaitable[None]]
    ) -> list[Activity]:
        """Run one turn and return what the bot sent."""
        self.replies = []
        context = TurnContext(self, activity)
        await self.run_pipeline(context, logic)
        return list(self.replies)

    async def deliver(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        self.replies.extend(a for a in activities if a.type == ActivityTypes.message)
        return [ResourceResponse(id=str(uuid.uuid4())) for _ in activities]

    async def update_activity(self, context: TurnContext, activity: Activity) -> None:
        self.replies.append(activity)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        return None
