"""The one language rule as a table, and the recipient's language read from stored bot state."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.language import recipient_language, reply_language
from dialogs.texts import Lang
from storage.bot_state import SqlStorage, conversation_state_key, state_in, user_state_key
from storage.conversations import ConversationInfo
from storage.db import Database


@pytest.mark.parametrize(
    ("chosen", "said", "kept", "default", "answer"),
    [
        (None, None, None, "da", "da"),  # nothing known: the municipality's language
        (None, None, None, "en", "en"),
        (None, "en", None, "da", "en"),  # the user's own words
        (None, None, "en", "da", "en"),  # ... kept from their last clear message
        (None, "da", "en", "en", "da"),  # this message before the kept one
        ("en", "da", "da", "da", "en"),  # the profile's choice before everything
        ("da", "en", None, "en", "da"),
        ("fr", None, None, "da", "da"),  # what is not a language of ours is no choice
    ],
)
def test_profile_then_own_words_then_the_municipality(
    chosen: Any, said: Lang | None, kept: Any, default: Lang, answer: Lang
) -> None:
    assert reply_language(default=default, chosen=chosen, said=said, kept=kept) == answer


def _chat(kind: str = "personal", user_id: str | None = "29:anne") -> ConversationInfo:
    return ConversationInfo(
        conversation_id="a:1", conversation_type=kind, channel_id="msteams",
        service_url="http://x", reference={}, user_id=user_id,
    )  # fmt: skip


async def _remember(database: Database, session: AsyncSession, **documents: Any) -> None:
    """Write state as the bot's UserState/ConversationState would, through its storage."""
    with state_in(session):
        await SqlStorage(database).write(
            {key: {**doc, "e_tag": "*"} for key, doc in documents.items()}
        )


@pytest.mark.parametrize(
    ("profile", "kept", "answer"),
    [
        (None, None, "en"),  # nothing stored: the default (here English)
        ({"unit": "Kultur", "language": "da"}, "en", "da"),
        ({"unit": "Kultur", "language": None}, "da", "da"),
        (None, "da", "da"),
    ],
)
async def test_the_recipients_stored_choice_and_words_decide(
    database: Database, profile: Any, kept: Any, answer: Lang
) -> None:
    async with database.transaction() as session:
        documents: dict[str, Any] = {}
        if profile is not None:
            documents[user_state_key("msteams", "29:anne")] = {"profile": profile}
        if kept is not None:
            documents[conversation_state_key("msteams", "a:1")] = {"govbot": {"lang": kept}}
        await _remember(database, session, **documents)
        found = await recipient_language(session=session, conversation=_chat(), default="en")
    assert found == answer


async def test_a_channel_or_an_unknown_recipient_gets_the_municipalitys_language(
    database: Database,
) -> None:
    async with database.transaction() as session:
        # Whoever last wrote in the channel chose Danish; the channel is not theirs.
        await _remember(
            database,
            session,
            **{user_state_key("msteams", "29:anne"): {"profile": {"language": "da"}}},
        )
        for chat in (_chat("channel"), _chat(user_id=None), None):
            assert (
                await recipient_language(session=session, conversation=chat, default="en") == "en"
            )
