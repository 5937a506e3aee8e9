"""The outbox: every planned proactive delivery as one durable row with a fixed key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class OutboxMessage(Base):
    """One delivery: to a conversation, or to a person resolved to their 1:1 chat when sent."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_ready", "status", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # personal | channel
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    principal: Mapped[str | None] = mapped_column(String(320))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Who hears about it when the recipient cannot be reached: [{"principal"|"conversation_id"}].
    report_to: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    # pending | claimed | sent | failed | unreachable | missed | cancelled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    available_at: Mapped[datetime]  # the earliest next attempt (due_at, or later after a retry)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    late: Mapped[bool] = mapped_column(default=False)
    sent_to: Mapped[str | None] = mapped_column(String(512))
    activity_id: Mapped[str | None] = mapped_column(String(256))
    last_error: Mapped[str | None] = mapped_column(String(500))
    acknowledged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DispatcherHeartbeat(Base):
    """A running dispatcher and when it last said so: live ones split the bot's global rate."""

    __tablename__ = "outbox_dispatchers"

    worker: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime]
