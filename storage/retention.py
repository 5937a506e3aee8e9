"""Retention: forget bot state (dialogs, preferences) and conversation references left idle."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BotStateDocument, ConversationRef, TeamsUser
from storage.models.base import utcnow
from storage.sql import rowcount

# Where botbuilder's ConversationState keeps the dialog stack inside a conversation's document.
DIALOG_STATE_KEY = "DialogState"


@dataclass(frozen=True)
class RetentionResult:
    """How many rows one retention run removed."""

    state_documents: int
    conversations: int
    abandoned_dialogs: int = 0


async def purge_idle(
    *, session: AsyncSession, state_before: datetime, conversations_before: datetime
) -> RetentionResult:
    """Delete state documents untouched since `state_before` and references unseen since the other.

    A dialog left half-way lives in its conversation's state document, so it goes with it.
    """
    state = await session.execute(
        delete(BotStateDocument).where(BotStateDocument.updated_at < state_before)
    )
    refs = await session.execute(
        delete(ConversationRef).where(ConversationRef.last_seen < conversations_before)
    )
    # A Teams id unseen as long goes with the references: it is kept only to reach its user.
    await session.execute(delete(TeamsUser).where(TeamsUser.last_seen < conversations_before))
    return RetentionResult(rowcount(state), rowcount(refs))


async def purge_abandoned_dialogs(*, session: AsyncSession, idle_before: datetime) -> int:
    """Clear the dialog stack (and the answers in it) of conversations idle since `idle_before`.

    A dialog left half-way is closed on the user's next turn anyway (the dialog expiry); this
    removes what was typed into it when no next turn comes. The rest of the state stays.
    """
    rows = await session.scalars(
        select(BotStateDocument).where(
            BotStateDocument.updated_at < idle_before,
            BotStateDocument.key.contains("/conversations/"),
        )
    )
    cleared = 0
    for row in rows:
        if not isinstance(row.document, dict) or DIALOG_STATE_KEY not in row.document:
            continue
        row.document = {k: v for k, v in row.document.items() if k != DIALOG_STATE_KEY}
        row.etag = uuid.uuid4().hex  # a turn holding the old state must not write it back
        row.updated_at = utcnow()
        cleared += 1
    return cleared
