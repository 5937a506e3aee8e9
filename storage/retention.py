"""Retention: forget bot state (dialogs, preferences) and conversation references left idle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BotStateDocument, ConversationRef


@dataclass(frozen=True)
class RetentionResult:
    """How many rows one retention run removed."""

    state_documents: int
    conversations: int


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
    return RetentionResult(int(state.rowcount or 0), int(refs.rowcount or 0))
