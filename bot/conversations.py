"""Turning Bot Framework activities into plain conversation data and back."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from bot.sdk import Activity, ConversationReference, TurnContext
from dialogs.turn import TurnUser
from storage.conversations import ConversationInfo

_CONTROL_CHARACTERS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def tenant_of(activity: Activity) -> str | None:
    """The AAD tenant an activity comes from (Teams puts it in two places)."""
    if activity.conversation and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    return tenant.get("id") if isinstance(tenant, dict) else None


def user_of(activity: Activity) -> TurnUser:
    """The sender of an activity."""
    sender = activity.from_property
    return TurnUser(
        channel_user_id=(sender.id if sender else None) or "unknown",
        aad_object_id=(sender.aad_object_id or None) if sender else None,
        name=(sender.name or None) if sender else None,
        tenant_id=tenant_of(activity),
    )


def conversation_info(
    activity: Activity, *, email: str | None = None, with_reference: bool = True
) -> ConversationInfo | None:
    """Plain data about the activity's conversation, for proactive messages later.

    `with_reference=False` leaves `reference` empty (it takes no part in comparisons and is
    the costly part), for checking whether a remembered conversation changed.
    """
    conversation = activity.conversation
    if not conversation or not conversation.id or not activity.service_url:
        return None
    user = user_of(activity)
    channel_data: Any = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = channel_data.get("team") if isinstance(channel_data.get("team"), dict) else {}
    channel = channel_data.get("channel") if isinstance(channel_data.get("channel"), dict) else {}
    return ConversationInfo(
        conversation_id=conversation.id[:512],
        conversation_type=(conversation.conversation_type or "personal")[:32],
        channel_id=(activity.channel_id or "unknown")[:64],
        service_url=activity.service_url[:512],
        reference=reference_data(activity) if with_reference else {},
        tenant_id=user.tenant_id,
        user_id=user.channel_user_id[:256],
        aad_object_id=user.aad_object_id,
        user_name=(user.name or None) and user.name[:256],
        user_email=email.lower() if email else None,
        team_id=(team.get("id") or None),
        teams_channel_id=(channel.get("id") or None),
        locale=(activity.locale or None) and activity.locale[:16],
    )


def reference_data(activity: Activity) -> dict[str, Any]:
    """The activity's conversation reference as stored (JSON)."""
    return TurnContext.get_conversation_reference(activity).serialize()


def reference_of(info: ConversationInfo) -> ConversationReference:
    """The Bot Framework reference stored with a conversation."""
    return ConversationReference().deserialize(info.reference)


def clean_text(activity: Activity) -> str:
    """The message text without the bot's @mention, control characters or outer spaces."""
    text = activity.text or ""
    if activity.recipient and activity.entities:
        try:
            text = TurnContext.remove_recipient_mention(activity) or text
        except (KeyError, TypeError, AttributeError):
            pass  # a malformed mention entity: keep the text as it came
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"</?at>", "", text)
    return _CONTROL_CHARACTERS.sub("", text).strip()
