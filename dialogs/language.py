"""The one rule for the language govbot answers in, for turns, welcomes, errors and sends alike.

The user's own choice in their profile wins; then the language of the user's own words (this
message when it is clearly Danish or English, else the language the conversation kept from the
last clear one); then the municipality's language (GOVBOT_LANGUAGE). The Teams UI locale never
decides: many Danish employees run Teams in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.sdk import Activity
from dialogs.texts import LANGUAGES, Lang
from knowledge.text import clear_language
from storage.bot_state import conversation_state_key, state_documents, user_state_key
from storage.conversations import ConversationInfo

# Where the bot keeps the two inputs of the rule in botbuilder state: the profile (user state
# property "profile", field "language") and the conversation's kept language (conversation
# state property "govbot", field "lang").
PROFILE_PROPERTY = "profile"
CONVERSATION_PROPERTY = "govbot"
KEPT_FIELD = "lang"


def reply_language(
    *,
    default: Lang,
    chosen: object = None,
    said: Lang | None = None,
    kept: object = None,
) -> Lang:
    """The language to answer in: the profile's `chosen`, else the user's own words (`said` in
    this message, else `kept` from their last clear one), else the municipality's `default`."""
    for candidate in (chosen, said, kept):
        if candidate in LANGUAGES:
            return candidate
    return default


def profile_choice(profile: Mapping[str, Any] | None) -> Lang | None:
    """The language a user chose in "min profil", if they chose one."""
    chosen = (profile or {}).get("language")
    return chosen if chosen in LANGUAGES else None


def said_language(activity: Activity) -> Lang | None:
    """The language of a message that is clearly Danish or English; None for anything else."""
    if activity.type == "message" and activity.text:
        return clear_language(activity.text)
    return None


def stateless_language(activity: Activity, default: Lang) -> Lang:
    """The rule for a reply given before the user's state can be read (a refusal at the door,
    an error): the message's own language, else the municipality's."""
    return reply_language(default=default, said=said_language(activity))


async def recipient_language(
    *, session: AsyncSession, conversation: ConversationInfo | None, default: Lang
) -> Lang:
    """The rule for a message govbot sends on its own (a reminder, a decision, a notice): the
    recipient's profile, else the language they last wrote to govbot in, else `default`.

    Never the sender's language: the sender is someone else. A channel has no one person's
    profile, so it gets the municipality's language."""
    if conversation is None or conversation.conversation_type != "personal":
        return default
    if not conversation.user_id:
        return default
    user_key = user_state_key(conversation.channel_id, conversation.user_id)
    chat_key = conversation_state_key(conversation.channel_id, conversation.conversation_id)
    documents = await state_documents(session=session, keys=[user_key, chat_key])
    profile = documents.get(user_key, {}).get(PROFILE_PROPERTY)
    meta = documents.get(chat_key, {}).get(CONVERSATION_PROPERTY)
    return reply_language(
        default=default,
        chosen=profile_choice(profile if isinstance(profile, Mapping) else None),
        kept=meta.get(KEPT_FIELD) if isinstance(meta, Mapping) else None,
    )
