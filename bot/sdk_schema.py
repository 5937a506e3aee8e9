"""The Bot Framework SDK's schema (botbuilder.schema), typed: the activity and what it carries.

bot/sdk.py declares the connector and the core, bot/sdk_dialogs.py the dialog system; this
module the wire format they pass around (activities, accounts, references, cards and their
actions, and the SDK's string enums), the same way: declarations for mypy under TYPE_CHECKING,
the SDK's own objects at run time. bot/sdk.py re-exports every name, so govbot imports them
from there; tests/platform/test_sdk.py checks these declarations against the installed SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime
    from enum import Enum
    from typing import Any, Self, dataclass_transform

    from msrest.exceptions import HttpOperationError

    # msrest models: every field is optional, constructors take keywords; field types follow
    # each model's `_attribute_map`.

    @dataclass_transform(kw_only_default=True)
    class _Model:
        def serialize(self, keep_readonly: bool = False, **kwargs: Any) -> dict[str, Any]: ...
        @classmethod
        def deserialize(cls, data: Any, content_type: str | None = None) -> Self: ...
        def as_dict(self, keep_readonly: bool = True, **kwargs: Any) -> dict[str, Any]: ...

    class ChannelAccount(_Model):
        id: str | None = None
        name: str | None = None
        aad_object_id: str | None = None
        role: str | None = None
        properties: Any = None

    class TeamsChannelAccount(ChannelAccount):
        given_name: str | None = None
        surname: str | None = None
        email: str | None = None
        user_principal_name: str | None = None
        tenant_id: str | None = None
        user_role: str | None = None

    class ConversationAccount(_Model):
        is_group: bool | None = None
        conversation_type: str | None = None
        id: str | None = None
        name: str | None = None
        aad_object_id: str | None = None
        role: str | None = None
        tenant_id: str | None = None
        properties: Any = None

    class ConversationReference(_Model):
        activity_id: str | None = None
        user: ChannelAccount | None = None
        bot: ChannelAccount | None = None
        conversation: ConversationAccount | None = None
        channel_id: str | None = None
        locale: str | None = None
        service_url: str | None = None

    class ResourceResponse(_Model):
        id: str | None = None

    class CardAction(_Model):
        type: str | None = None
        title: str | None = None
        image: str | None = None
        text: str | None = None
        display_text: str | None = None
        value: Any = None
        channel_data: Any = None
        image_alt_text: str | None = None

    class SuggestedActions(_Model):
        to: list[str] | None = None
        actions: list[CardAction] | None = None

    class Attachment(_Model):
        content_type: str | None = None
        content_url: str | None = None
        content: Any = None
        name: str | None = None
        thumbnail_url: str | None = None

    class ConversationParameters(_Model):
        is_group: bool | None = None
        bot: ChannelAccount | None = None
        members: list[ChannelAccount] | None = None
        topic_name: str | None = None
        activity: Activity | None = None
        channel_data: Any = None
        tenant_id: str | None = None

    class ConversationResourceResponse(_Model):
        activity_id: str | None = None
        service_url: str | None = None
        id: str | None = None

    class InvokeResponse(_Model):
        status: int | None = None
        body: Any = None

    class Activity(_Model):
        type: str | None = None
        id: str | None = None
        timestamp: datetime | None = None
        local_timestamp: datetime | None = None
        local_timezone: str | None = None
        service_url: str | None = None
        channel_id: str | None = None
        from_property: ChannelAccount | None = None
        conversation: ConversationAccount | None = None
        recipient: ChannelAccount | None = None
        text_format: str | None = None
        attachment_layout: str | None = None
        members_added: list[ChannelAccount] | None = None
        members_removed: list[ChannelAccount] | None = None
        reactions_added: list[Any] | None = None
        reactions_removed: list[Any] | None = None
        topic_name: str | None = None
        history_disclosed: bool | None = None
        locale: str | None = None
        text: str | None = None
        speak: str | None = None
        input_hint: str | None = None
        summary: str | None = None
        suggested_actions: SuggestedActions | None = None
        attachments: list[Attachment] | None = None
        entities: list[Any] | None = None
        channel_data: Any = None
        action: str | None = None
        reply_to_id: str | None = None
        label: str | None = None
        value_type: str | None = None
        value: Any = None
        name: str | None = None
        relates_to: ConversationReference | None = None
        code: str | None = None
        expiration: datetime | None = None
        importance: str | None = None
        delivery_mode: str | None = None
        listen_for: list[str] | None = None
        text_highlights: list[Any] | None = None
        semantic_action: Any = None
        caller_id: str | None = None

    class ErrorResponseException(HttpOperationError):
        """The Bot Connector refused a request; `response` is the HTTP response."""

    class ActivityTypes(str, Enum):  # noqa: UP042 (as the SDK has it)
        message = "message"
        contact_relation_update = "contactRelationUpdate"
        conversation_update = "conversationUpdate"
        typing = "typing"
        end_of_conversation = "endOfConversation"
        event = "event"
        invoke = "invoke"
        invoke_response = "invokeResponse"
        delete_user_data = "deleteUserData"
        message_update = "messageUpdate"
        message_delete = "messageDelete"
        installation_update = "installationUpdate"
        message_reaction = "messageReaction"
        suggestion = "suggestion"
        trace = "trace"
        handoff = "handoff"
        command = "command"
        command_result = "commandResult"

    class ActionTypes(str, Enum):  # noqa: UP042 (as the SDK has it)
        open_url = "openUrl"
        im_back = "imBack"
        post_back = "postBack"
        play_audio = "playAudio"
        play_video = "playVideo"
        show_image = "showImage"
        download_file = "downloadFile"
        signin = "signin"
        call = "call"
        message_back = "messageBack"

    class CallerIdConstants(str, Enum):  # noqa: UP042 (as the SDK has it)
        public_azure_channel = "urn:botframework:azure"
        us_gov_channel = "urn:botframework:azureusgov"
        bot_to_bot_prefix = "urn:botframework:aadappid:"

else:
    from botbuilder.schema import (
        ActionTypes,
        Activity,
        ActivityTypes,
        Attachment,
        CallerIdConstants,
        CardAction,
        ChannelAccount,
        ConversationAccount,
        ConversationParameters,
        ConversationReference,
        ConversationResourceResponse,
        ErrorResponseException,
        InvokeResponse,
        ResourceResponse,
        SuggestedActions,
    )
    from botbuilder.schema.teams import TeamsChannelAccount

__all__ = [
    "ActionTypes",
    "Activity",
    "ActivityTypes",
    "Attachment",
    "CallerIdConstants",
    "CardAction",
    "ChannelAccount",
    "ConversationAccount",
    "ConversationParameters",
    "ConversationReference",
    "ConversationResourceResponse",
    "ErrorResponseException",
    "InvokeResponse",
    "ResourceResponse",
    "SuggestedActions",
    "TeamsChannelAccount",
]
