"""Conversation references: where and how to reach a user or channel proactively."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class ConversationRef(Base):
    """The last known reference of one conversation (personal chat, group chat or channel)."""

    __tablename__ = "conversation_refs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(512), unique=True)
    conversation_type: Mapped[str] = mapped_column(String(32))  # personal | groupChat | channel
    channel_id: Mapped[str] = mapped_column(String(64))
    service_url: Mapped[str] = mapped_column(String(512))
    tenant_id: Mapped[str | None] = mapped_column(String(64), index=True)
    user_id: Mapped[str | None] = mapped_column(String(256), index=True)
    aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    user_name: Mapped[str | None] = mapped_column(String(256))
    user_email: Mapped[str | None] = mapped_column(String(320), index=True)
    team_id: Mapped[str | None] = mapped_column(String(256))
    teams_channel_id: Mapped[str | None] = mapped_column(String(256))
    locale: Mapped[str | None] = mapped_column(String(16))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class TeamsUser(Base):
    """A user's Teams id ("29:…", the MRI a card's `refresh.userIds` names) by Entra object id,
    learnt from their turns and from the rosters of teams and chats govbot is in."""

    __tablename__ = "teams_users"

    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(256), index=True)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
